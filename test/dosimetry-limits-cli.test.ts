import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './support/run-cli.js';
import { makeTempDir, REFS } from './support/paths.js';
import { fitReferenceCurve } from './support/reference-curve.js';

const BIODOSE = join(REFS, 'biodosetools');

interface LimitsRow {
  cells: number;
  decisionThreshold: number | null;
  detectionLimit: number | null;
  minimumResolvableDose: number | null;
  doseAtDetectionLimit: number | null;
}

const round3 = (value: number) => Number(value.toFixed(3));

test('limits: the reference characteristic limits and case-vs-control test from the command line', async () => {
  const expected = JSON.parse(await readFile(join(BIODOSE, 'expected.json'), 'utf8')).cases;
  const reference = expected.characteristic_limits_var_background;
  const curvePath = await fitReferenceCurve(await makeTempDir('limits-cli'));

  const { y0, n0 } = reference.input.control;
  const run = await runCli([
    'limits',
    '--control',
    `${y0}/${n0}`,
    '--cells',
    reference.input.n1.join(','),
    '--curve',
    curvePath,
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const rows = (JSON.parse(run.stdout) as { limits: LimitsRow[] }).limits;
  const want = reference.expected;
  assert.deepEqual(
    rows.map((row) => row.decisionThreshold),
    want.decision_threshold,
  );
  assert.deepEqual(
    rows.map((row) => round3(row.detectionLimit!)),
    want.detection_limit_round3,
  );
  // doses from the refitted curve: its coefficients match the reference's to ~1e-5, so the third decimal may differ by one
  rows.forEach((row, i) => {
    assert.ok(Math.abs(row.minimumResolvableDose! - want.min_resolvable_dose_round3[i]) <= 1.5e-3);
    assert.ok(
      Math.abs(row.doseAtDetectionLimit! - want.dose_at_detection_limit_round3[i]) <= 1.5e-3,
    );
  });

  const proband = expected.proband_vs_control_poisson_test;
  const compare = await runCli([
    'limits',
    '--control',
    `${proband.input.control.aberr}/${proband.input.control.cells}`,
    '--case',
    `${proband.input.proband.aberr}/${proband.input.proband.cells}`,
    '--cells',
    '1000',
  ]);
  assert.equal(compare.code, 0, compare.stderr);
  // by hand: given 14 aberrations in equal numbers of cells, the case's count is Binomial(14, ½);
  // two-sided p = 2·P(X ≥ 13) = 2·(14 + 1)/2¹⁴ = 0.001831
  assert.match(
    compare.stdout,
    /case 13\/1000 = 0\.0130 per cell vs background 0\.00100: p = 0\.00183/,
  );
  assert.equal(round3(0.00183), proband.expected.p_value_round3);
  assert.match(compare.stdout, /above the background at α 0\.05/);
});

test('limits: a background given twice, none, or a malformed count is a usage error', async () => {
  const both = await runCli(['limits', '--control', '4/1000', '--background-rate', '0.004']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /DCN_E_OPTION_INVALID/);
  const none = await runCli(['limits']);
  assert.equal(none.code, 2);
  const malformed = await runCli(['limits', '--control', '4 of 1000']);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--control must be ABERRATIONS\/CELLS/);
  const noCells = await runCli(['limits', '--control', '4/0']);
  assert.equal(noCells.code, 2);
});
