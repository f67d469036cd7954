import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { caseTableCsv, readCaseTable } from '../src/formats/count-table.js';
import { readDoseResultFile } from '../src/formats/dose-result.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { writeCountedCalibration, writeCountedCell } from './support/counted-cell.js';
import { runCli } from './support/run-cli.js';

/**
 * The tiny fixture bundle sees a bright 4×4 block as a dicentric and a dark
 * one as a fragment (see dosimetry-calibrate-cli.test.ts): a 32×32 grey cell
 * with blocks on the 4-pixel grid has counts known by construction.
 */
const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

/** The case: two dicentrics in one cell, three single ones, one without a fragment (not scored). */
const CASE_CELLS: [number, number][] = [
  [2, 1],
  [1, 1],
  [1, 2],
  [1, 1],
  [1, 0],
  [0, 1],
  [0, 0],
  [0, 0],
  [0, 0],
];

const setup = (async () => {
  const dir = await makeTempDir('dosepath');
  await mkdir(join(dir, 'calib'));
  const { file: data } = await writeCountedCalibration(join(dir, 'calib'));
  const caseDir = join(dir, 'person-3');
  await mkdir(caseDir);
  for (const [i, [d, f]] of CASE_CELLS.entries())
    await writeCountedCell(join(caseDir, `cell-${i}.png`), d, f);
  const curve = join(dir, 'curve.json');
  const run = await runCli([
    ...['calibrate', '--model', TINY, '--data', data, '--out', curve],
    ...['--quantile', '0.2', '--sub-ensembles', '4', '--quiet'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  return { dir, caseDir, curve };
})();

test('detect → counts → dose --counts gives the dose of dose --images; the C0…Cn row is the hand count', async () => {
  const { dir, caseDir, curve } = await setup;
  const detections = join(dir, 'person-3.json');
  const detect = await runCli([
    ...['detect', '--model', TINY, '--images', caseDir, '--curve', curve],
    ...['--out', detections, '--quiet'],
  ]);
  assert.equal(detect.code, 0, detect.stderr);

  const counts = join(dir, 'person-3.csv');
  const cellsCsv = join(dir, 'person-3-cells.csv');
  const count = await runCli([
    ...['counts', '--detections', detections, '--out', counts, '--cells', cellsCsv, '--json'],
  ]);
  assert.equal(count.code, 0, count.stderr);

  // by hand from the detections file: a cell scores its dicentrics when it has a fragment
  const file = JSON.parse(await readFile(detections, 'utf8')) as {
    counting: { aberration: string; requireClass: string | null };
    images: { id: string; sampleId: string; counts: Record<string, number> }[];
  };
  assert.deepEqual(file.counting, { aberration: 'dicentric', requireClass: 'fragment' });
  const perCell = file.images.map((image) =>
    image.counts.fragment! > 0 ? image.counts.dicentric! : 0,
  );
  const byHand = [0, 0, 0];
  for (const k of perCell) byHand[k]!++;
  // and by construction of the images: 2, 1, 1, 1 scored; the lone dicentric of cell 4 is not
  assert.deepEqual(byHand, [5, 3, 1]);
  assert.equal(await readFile(counts, 'utf8'), 'ID,C0,C1,C2\nperson-3,5,3,1\n');
  const cellLines = (await readFile(cellsCsv, 'utf8')).trim().split('\n');
  assert.equal(cellLines[0], 'case_id,image_id,dicentric,fragment,aberrations');
  assert.deepEqual(
    cellLines.slice(1).map((line) => Number(line.split(',')[4])),
    perCell,
  );
  assert.deepEqual(JSON.parse(count.stdout).cases, [{ id: 'person-3', distribution: [5, 3, 1] }]);

  const fromCounts = join(dir, 'dose-counts.json');
  const viaCounts = await runCli([
    ...['dose', '--curve', curve, '--counts', counts, '--method', 'delta'],
    ...['--out', fromCounts, '--quiet'],
  ]);
  assert.equal(viaCounts.code, 0, viaCounts.stderr);
  const fromImages = join(dir, 'dose-images.json');
  const viaImages = await runCli([
    ...['dose', '--curve', curve, '--model', TINY, '--images', caseDir, '--method', 'delta'],
    ...['--out', fromImages, '--quiet'],
  ]);
  assert.equal(viaImages.code, 0, viaImages.stderr);

  // both files read back through their schema
  const a = await readDoseResultFile(fromCounts);
  const b = await readDoseResultFile(fromImages);
  assert.equal(a.source.kind, 'counts');
  assert.equal(b.source.kind, 'images');
  const [caseA] = a.cases;
  const [caseB] = b.cases;
  assert.ok(caseA && caseB && 'yield' in caseA && 'statisticalDose' in caseB);
  assert.equal(caseB.id, 'person-3');
  assert.deepEqual(caseB.distribution, [5, 3, 1]);
  assert.deepEqual(caseB.table, caseA.table);
  assert.deepEqual(caseB.yield, caseA.yield);
  assert.deepEqual(caseB.statisticalDose, caseA.dose);
  // the dose on the curve at the hand-counted yield 5/9, by the closed-form inverse
  const [c, alpha, beta] = JSON.parse(await readFile(curve, 'utf8')).coefficients.map(
    (row: { estimate: number }) => row.estimate,
  );
  const y = 5 / 9;
  const expected = (-alpha + Math.sqrt(alpha * alpha + 4 * beta * (y - c))) / (2 * beta);
  assert.ok(
    Math.abs(caseA.dose.estimate - expected) < 1e-6,
    `${caseA.dose.estimate} vs ${expected}`,
  );
});

test('counts: a detections.json without a recorded rule counts by the paper’s fragment gate', async () => {
  const { dir, caseDir } = await setup;
  const detections = join(dir, 'plain.json');
  const detect = await runCli([
    ...['detect', '--model', TINY, '--images', caseDir, '--tc', '0.5', '--ta', '2'],
    ...['--out', detections, '--quiet'],
  ]);
  assert.equal(detect.code, 0, detect.stderr);
  const file = JSON.parse(await readFile(detections, 'utf8'));
  assert.equal(file.counting, undefined);
  const run = await runCli(['counts', '--detections', detections, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.ruleFrom, 'default');
  assert.deepEqual(result.rule, { aberration: 'dicentric', requireClass: 'fragment' });
  const scored = file.images.map((image: { counts: Record<string, number> }) =>
    image.counts.fragment! > 0 ? image.counts.dicentric! : 0,
  );
  const byHand = Array.from(
    { length: Math.max(...scored) + 1 },
    (_, k) => scored.filter((n: number) => n === k).length,
  );
  assert.deepEqual(result.cases, [{ id: 'person-3', distribution: byHand }]);

  const missing = await runCli(['counts', '--detections', join(dir, 'none.json')]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /DCN_E_FILE_NOT_FOUND/);
});

test('detect --tc adaptive is refused: model-adaptive thresholds come from a calibration (--curve)', async () => {
  const { dir, caseDir } = await setup;
  const run = await runCli([
    ...['detect', '--model', TINY, '--images', caseDir, '--tc', 'adaptive'],
    ...['--out', join(dir, 'never.json')],
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /DCN_E_OPTION_INVALID/);
  assert.match(run.stderr, /--tc/);
});

test('a case table written by counts reads back as the same rows, padded to one width', async () => {
  const dir = await makeTempDir('dosepath-table');
  const file = join(dir, 'cases.csv');
  const rows = [
    { id: 'A', distribution: [7, 2] },
    { id: 'B "x", y', distribution: [3, 0, 1] },
  ];
  const text = caseTableCsv(rows);
  assert.equal(text, 'ID,C0,C1,C2\nA,7,2,0\n"B ""x"", y",3,0,1\n');
  await writeFile(file, text);
  assert.deepEqual(await readCaseTable(file), [
    { id: 'A', distribution: [7, 2, 0] },
    { id: 'B "x", y', distribution: [3, 0, 1] },
  ]);
});

test('a dose result of another major version is refused by its reader', async () => {
  const dir = await makeTempDir('dosepath-version');
  const file = join(dir, 'dose.json');
  await writeFile(file, JSON.stringify({ version: '2.0' }));
  await assert.rejects(readDoseResultFile(file), (error: { code?: string }) => {
    assert.equal(error.code, 'DCN_E_VERSION_UNSUPPORTED');
    return true;
  });
});
