/**
 * The case report's numbers against the reference tool's published ones
 * (test/fixtures/refs/biodosetools/expected.json, Biodose Tools 3.7.1): a case
 * folder whose detections count to the reference's example1 case and whose
 * curve is the reference's Barquinero 1995 fit, so the report must state the
 * reference's yield, dose interval, dispersion index and u; and a case of 500
 * cells against the reference's 4/1000 control, whose characteristic limits
 * are the reference's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REFS, makeTempDir } from './support/paths.js';
import { fitReferenceCurve } from './support/reference-curve.js';
import { runCli } from './support/run-cli.js';
import { EXAMPLE1, example1Detections } from './report-case-fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- expected.json is free-form reference data */
const expected: any = JSON.parse(
  await readFile(join(REFS, 'biodosetools', 'expected.json'), 'utf8'),
);

const rounded = (value: number, digits: number) => Number(value.toFixed(digits));
/** Doses come from a root finder: ±1 in the last digit, as the reference's notes advise. */
function assertDose(actual: any, reference: number[], what: string) {
  const got = [actual.lower, actual.estimate, actual.upper];
  got.forEach((value, i) =>
    assert.ok(
      Math.abs(rounded(value, 3) - reference[i]!) <= 0.0015,
      `${what}[${i}]: ${value} vs ${reference[i]}`,
    ),
  );
}

const setup = (async () => {
  const dir = await makeTempDir('report');
  await fitReferenceCurve(dir);
  const { file, fragments } = example1Detections();
  await writeFile(join(dir, 'detections.json'), JSON.stringify(file));
  await writeFile(
    join(dir, 'case.json'),
    JSON.stringify({
      caseId: 'C-0017',
      sampleId: 'S-0017-A',
      laboratory: 'Reference Lab',
      samplingDate: '2026-11-02',
    }),
  );
  return { dir, fragments };
})();

test('the report of the reference case states the reference’s counts, dispersion and Merkle dose', async () => {
  const { dir, fragments } = await setup;
  const out = join(dir, 'report.html');
  const run = await runCli(['report', '--case', dir, '--out', out, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const table = expected.cases.case_table_example1_man_example.expected;
  assert.equal(report.dose.table.cells, table.N);
  assert.equal(report.dose.table.aberrations, table.X);
  assert.equal(Number(report.dose.table.mean.toPrecision(3)), table.y);
  assert.equal(Number(report.dose.table.dispersionIndex.toPrecision(3)), table.DI);
  assert.equal(Number(report.dose.table.u.toPrecision(3)), table.u);
  // C0…C4: the reference's C5 column is empty
  assert.deepEqual(report.scoring.distribution, EXAMPLE1.slice(0, 5));
  assert.equal(report.scoring.fragments, fragments);
  assert.equal(report.scoring.cellsExcluded, 2);
  assert.equal(report.scoring.reviewed, false);
  const merkle = expected.cases.estimate_whole_merkle_83_dicentric_module.expected.example1;
  const y = report.dose.estimate.yield;
  assert.deepEqual(
    [y.lower, y.estimate, y.upper].map((v: number) => rounded(v, 3)),
    merkle.yield,
  );
  assertDose(report.dose.estimate.dose, merkle.dose, 'Merkle dose');
  // the page states them
  const html = await readFile(out, 'utf8');
  for (const text of [
    'C-0017',
    'S-0017-A',
    'Reference Lab',
    '2026-11-02',
    '361',
    '1.931',
    '1.77',
    '10.4',
  ]) {
    assert.ok(html.includes(text), `the report lacks ${text}`);
  }
  assert.match(html, /Detections reviewed: no/);
  assert.match(html, /Irradiation date<\/td><td>not known/);
  assert.match(html, /Radiation quality<\/td><td>not recorded/);
  // self-contained: no script, no stylesheet link, no external resource
  assert.doesNotMatch(html, /<script|<link|@import|(src|href)="https?:|url\(\s*['"]?https?:/i);
});

test('with --method delta the report gives the reference’s delta interval', async () => {
  const { dir } = await setup;
  const run = await runCli([
    'report',
    '--case',
    dir,
    '--out',
    join(dir, 'delta.html'),
    '--method',
    'delta',
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const delta = expected.cases.estimate_whole_delta_dicentrics.expected.example1;
  assertDose(JSON.parse(run.stdout).dose.estimate.dose, delta.dose, 'delta dose');
});

test('reviewed counts below the decision threshold: the reference’s limits, and the statement', async () => {
  const { dir } = await setup;
  const counts = join(dir, 'reviewed.csv');
  await writeFile(counts, 'ID,C0,C1\nlow,495,5\n');
  const out = join(dir, 'low.html');
  const run = await runCli([
    ...['report', '--case', dir, '--counts', counts, '--reviewed', '--control', '4/1000'],
    ...['--case-id', 'low', '--out', out, '--json'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const limits = expected.cases.characteristic_limits_var_background.expected;
  const at = expected.cases.characteristic_limits_var_background.input.n1.indexOf(500);
  assert.equal(report.limits.atCells.decisionThreshold, limits.decision_threshold[at]);
  assert.equal(rounded(report.limits.atCells.detectionLimit, 3), limits.detection_limit_round3[at]);
  assert.equal(
    rounded(report.limits.atCells.minimumResolvableDose, 3),
    limits.min_resolvable_dose_round3[at],
  );
  assert.equal(
    rounded(report.limits.atCells.doseAtDetectionLimit, 3),
    limits.dose_at_detection_limit_round3[at],
  );
  assert.equal(report.limits.belowDecisionThreshold, true);
  assert.equal(report.scoring.reviewed, true);
  assert.equal(report.scoring.fragments, null);
  const html = await readFile(out, 'utf8');
  assert.match(html, /RESULT BELOW THE DECISION THRESHOLD/);
  assert.match(html, /Detections reviewed: yes/);
});
