import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, makeTempDir } from './support/paths.js';
import {
  COUNTED_CALIBRATION,
  writeCountedCalibration,
  writeCountedCell,
} from './support/counted-cell.js';
import { runCli } from './support/run-cli.js';

/**
 * End to end on the tiny fixture bundle, whose member k maps a 4×4 block mean a
 * of the min–max-normalised image to dicentric = σ(20a − b_k), fragment =
 * σ(20(1 − a) − b_k), b_k = 10 + 2(k − 3). A 32×32 image is one cell: grey 128
 * background, a bright (255) 4×4 block per dicentric and a dark (0) block per
 * fragment, on the 4-pixel grid with a block's gap between objects; so every
 * member sees a block far above the background (σ(6..14) vs σ(−4..4)) and the
 * counts are known by construction. One grid block holds the 0 and 255 that
 * pin the normalisation, with a mean of exactly 128 (a background block).
 */
const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

const gated = (cells: readonly [number, number][]) =>
  cells.reduce((s, [d, f]) => s + (f > 0 ? d : 0), 0);
const ungated = (cells: readonly [number, number][]) => cells.reduce((s, [d]) => s + d, 0);

async function makeCalibration(dir: string): Promise<string> {
  return (await writeCountedCalibration(dir)).file;
}

/** The case as [dicentrics, fragments] per cell: 3 cells with both, 1 with a dicentric alone. */
const CASE_CELLS: [number, number][] = [
  [1, 1],
  [1, 2],
  [1, 1],
  [1, 0],
  [0, 1],
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
];

const setup = (async () => {
  const dir = await makeTempDir('calibrate');
  await mkdir(join(dir, 'calib'));
  const data = await makeCalibration(join(dir, 'calib'));
  const caseDir = join(dir, 'person-7');
  await mkdir(caseDir);
  for (let i = 0; i < CASE_CELLS.length; i++) {
    await writeCountedCell(join(caseDir, `cell-${i}.png`), CASE_CELLS[i]![0], CASE_CELLS[i]![1]);
  }
  const curve = join(dir, 'curve.json');
  const run = await runCli([
    'calibrate',
    '--model',
    TINY,
    '--data',
    data,
    '--out',
    curve,
    '--quantile',
    '0.2',
    '--sub-ensembles',
    '10',
    '--reference-coefficients',
    '0.001,0.02,0.06',
    '--json',
    '--quiet',
  ]);
  return { dir, data, caseDir, curve, run };
})();

test('calibrate: per-dose counts with model-adaptive thresholds and the fragment gate, curve and figure', async () => {
  const { run, curve } = await setup;
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.ok, true);
  const rows = result.curve.countTable.rows;
  assert.deepEqual(
    rows.map((row: { doseGy: number; cells: number; aberrations: number }) => [
      row.doseGy,
      row.cells,
      row.aberrations,
    ]),
    Object.entries(COUNTED_CALIBRATION).map(([dose, cells]) => [Number(dose), 8, gated(cells)]),
  );
  const detector = result.curve.detector;
  assert.deepEqual(detector.primary, [1, 2, 3, 4, 5]);
  assert.deepEqual(detector.ta, { dicentric: 4, fragment: 4 });
  assert.equal(detector.thresholdRule.kind, 'adaptive');
  assert.equal(detector.thresholdRule.doseGy, 4);
  assert.equal(detector.thresholdRule.images, 8);
  // q = 0.2 over 8 maxima (3 images without any object) falls on a background maximum:
  // member k's T_C is its background value σ(20·128/255 − b_k), to cache precision
  detector.members.forEach((member: { epoch: number; tc: Record<string, number> }) => {
    const b = 10 + 2 * (member.epoch - 3);
    const background = 1 / (1 + Math.exp(-(20 * (128 / 255) - b)));
    assert.ok(Math.abs(member.tc.dicentric! - background) < 1e-4, `epoch ${member.epoch}`);
  });
  assert.equal(detector.subEnsembles.size, 4);
  assert.equal(detector.subEnsembles.curves.length, 10);
  const svg = await readFile(curve.replace(/\.json$/, '.svg'), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /reference \(C, α, β = 0\.001, 0\.02, 0\.06\)/);
});

test('calibrate --no-require-fragment counts dicentrics in every image', async () => {
  const { dir, data } = await setup;
  const run = await runCli([
    'calibrate',
    '--model',
    TINY,
    '--data',
    data,
    '--out',
    join(dir, 'ungated.json'),
    '--tc',
    '0.99',
    '--no-require-fragment',
    '--sub-ensembles',
    '0',
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout).curve.countTable.rows;
  assert.deepEqual(
    rows.map((row: { aberrations: number }) => row.aberrations),
    Object.values(COUNTED_CALIBRATION).map(ungated),
  );
});

// 40 calibration cells make a curve whose 83% band is too wide for Merkle's upper bound at this
// yield, so the delta method is used here.
test('dose --model --images: counted by the curve’s rule, dose on the curve, detector spread 0', async () => {
  const { curve, caseDir, dir } = await setup;
  const out = join(dir, 'dose.json');
  const run = await runCli([
    'dose',
    '--curve',
    curve,
    '--model',
    TINY,
    '--images',
    caseDir,
    '--method',
    'delta',
    '--out',
    out,
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  const [person] = result.cases;
  assert.equal(person.id, 'person-7');
  assert.equal(person.table.cells, 10);
  // gated: 3 dicentrics (the lone dicentric is not scored)
  assert.equal(person.table.aberrations, 3);
  assert.deepEqual(person.distribution, [7, 3]);
  // the dose: the closed-form inverse of the curve at y = 0.3
  const [c, alpha, beta] = JSON.parse(await readFile(curve, 'utf8')).coefficients.map(
    (row: { estimate: number }) => row.estimate,
  );
  const expected = (-alpha + Math.sqrt(alpha * alpha + 4 * beta * (0.3 - c))) / (2 * beta);
  assert.ok(
    Math.abs(person.dose.estimate - expected) < 1e-6,
    `${person.dose.estimate} vs ${expected}`,
  );
  // every sub-ensemble counts the same cells (the blocks are far from every threshold)
  assert.equal(person.detector.sd, 0);
  assert.equal(person.detector.count, 10);
  assert.deepEqual(person.dose, person.statisticalDose);
  assert.ok(person.dose.lower < expected && expected < person.dose.upper);
  assert.deepEqual(JSON.parse(await readFile(out, 'utf8')).cases[0].dose, person.dose);
});

test('detect --curve votes with the calibrated members, T_C and T_A and finds the known blocks', async () => {
  const { curve, caseDir, dir } = await setup;
  const out = join(dir, 'case-detections.json');
  const run = await runCli([
    'detect',
    '--model',
    TINY,
    '--images',
    caseDir,
    '--curve',
    curve,
    '--out',
    out,
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const detector = JSON.parse(await readFile(curve, 'utf8')).detector;
  const detections = JSON.parse(await readFile(out, 'utf8'));
  assert.deepEqual(detections.bundle.memberEpochs, detector.primary);
  for (const name of ['dicentric', 'fragment']) {
    const threshold = detections.thresholds[name];
    assert.equal(threshold.adaptive, true);
    assert.equal(threshold.ta, detector.ta[name]);
    assert.deepEqual(
      threshold.memberTc,
      detector.primary.map(
        (epoch: number) =>
          detector.members.find((m: { epoch: number }) => m.epoch === epoch).tc[name],
      ),
    );
  }
  const byId = new Map(
    detections.images.map((image: { id: string; counts: Record<string, number> }) => [
      image.id,
      image.counts,
    ]),
  );
  // the case's cells by construction: dicentrics exactly; fragments as present or not (two fragments a block apart may merge
  // through the grey block between them, which some members' T_C lets vote) — all the gate needs
  CASE_CELLS.forEach(([dicentric, fragment], i) => {
    const counts = byId.get(`cell-${i}`) as Record<string, number>;
    assert.equal(counts.dicentric, dicentric, `cell-${i} dicentrics`);
    assert.equal(counts.fragment! > 0, fragment > 0, `cell-${i} fragments`);
  });

  const mixed = await runCli([
    'detect',
    '--model',
    TINY,
    '--images',
    caseDir,
    '--curve',
    curve,
    '--tc',
    '0.5',
    '--out',
    join(dir, 'never.json'),
  ]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /--curve sets the members, T_C and T_A/);
});

test('dose from images refuses a curve without a counting rule, a mixed request, and dolphin', async () => {
  const { dir, caseDir, curve } = await setup;
  const plain = join(dir, 'plain.json');
  const record = JSON.parse(await readFile(curve, 'utf8'));
  delete record.detector;
  await writeFile(plain, JSON.stringify(record));
  const noRule = await runCli([
    'dose',
    '--curve',
    plain,
    '--model',
    TINY,
    '--images',
    caseDir,
    '--json',
  ]);
  assert.equal(noRule.code, 2);
  assert.equal(JSON.parse(noRule.stdout).error.code, 'DCN_E_CURVE_MISMATCH');

  const both = await runCli([
    'dose',
    '--curve',
    curve,
    '--counts',
    'x.csv',
    '--model',
    TINY,
    '--images',
    caseDir,
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /DCN_E_OPTION_INVALID/);

  const dolphin = await runCli([
    'dose',
    '--curve',
    curve,
    '--model',
    TINY,
    '--images',
    caseDir,
    '--method',
    'dolphin',
  ]);
  assert.equal(dolphin.code, 2);
  assert.match(dolphin.stderr, /DCN_E_METHOD_NOT_APPLICABLE/);

  const missing = await runCli([
    'calibrate',
    '--model',
    TINY,
    '--data',
    join(dir, 'none.json'),
    '--out',
    join(dir, 'x.json'),
  ]);
  assert.equal(missing.code, 3);
});

test('a curve that cannot reach the case’s yield gives DCN_E_CURVE_NOT_INVERTIBLE (exit 1)', async () => {
  const { dir, caseDir, curve } = await setup;
  const record = JSON.parse(await readFile(curve, 'utf8'));
  // a curve that rises, then falls: Y = 0.01 + 0.001·D − 0.001·D² never reaches 0.3
  record.coefficients[0].estimate = 0.01;
  record.coefficients[1].estimate = 0.001;
  record.coefficients[2].estimate = -0.001;
  const falling = join(dir, 'falling.json');
  await writeFile(falling, JSON.stringify(record));
  const run = await runCli([
    'dose',
    '--curve',
    falling,
    '--model',
    TINY,
    '--images',
    caseDir,
    '--json',
  ]);
  assert.equal(run.code, 1, run.stderr);
  const error = JSON.parse(run.stdout).error;
  assert.equal(error.code, 'DCN_E_CURVE_NOT_INVERTIBLE');
  assert.match(error.message, /person-7/);
});
