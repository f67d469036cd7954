/**
 * `dicentra triage` on images with counts known by construction (the tiny
 * fixture bundle sees a bright 4×4 block as a dicentric and a dark one as a
 * fragment; test/support/counted-cell.ts), calibrated as dosepath-counts does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readTriageResultFile } from '../src/formats/triage-result.js';
import { lanePlan } from '../src/engines/inference/session-lanes.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { writeCountedCalibration, writeCountedCell } from './support/counted-cell.js';
import { runCli } from './support/run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

/** Persons: every cell of "heavy" has two scored dicentrics; "clean" has none. */
const PERSONS: Record<string, { cells: number; cell: [number, number] }> = {
  heavy: { cells: 40, cell: [2, 1] },
  clean: { cells: 12, cell: [0, 1] },
};

const setup = (async () => {
  const dir = await makeTempDir('triage');
  await mkdir(join(dir, 'calib'));
  const { file: data } = await writeCountedCalibration(join(dir, 'calib'));
  const persons = join(dir, 'persons');
  for (const [id, { cells, cell }] of Object.entries(PERSONS)) {
    await mkdir(join(persons, id), { recursive: true });
    for (let i = 0; i < cells; i++) {
      // the same pixels in distinct files (their resolution differs), so the heatmap
      // cache, keyed by the file's bytes, holds one entry per scored image
      const file = join(persons, id, `cell-${i}.png`);
      await writeCountedCell(file, ...cell);
      const bytes = await sharp(file)
        .withMetadata({ density: 72 + i })
        .png()
        .toBuffer();
      await writeFile(file, bytes);
    }
  }
  const curve = join(dir, 'curve.json');
  const run = await runCli([
    ...['calibrate', '--model', TINY, '--data', data, '--out', curve],
    ...['--quantile', '0.2', '--sub-ensembles', '4', '--quiet'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  return { dir, persons, curve };
})();

test('triage stops each person by the rule, scores no image after the stop, and sorts by the estimate', async () => {
  const { dir, persons, curve } = await setup;
  const out = join(dir, 'triage.json');
  const cache = join(dir, 'cache');
  const run = await runCli([
    ...['triage', '--curve', curve, '--model', TINY, '--images', persons],
    ...['--cache', cache, '--out', out, '--json'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout);
  const result = await readTriageResultFile(out);
  assert.deepEqual(printed.persons, result.persons);
  assert.equal(result.seed, 1);
  const [first, second] = result.persons;
  // highest estimate first
  assert.equal(first!.id, 'heavy');
  assert.equal(second!.id, 'clean');
  // heavy: 2 dicentrics a cell, so the 30-dicentric limit comes at 15 cells at the latest
  assert.ok(first!.cells <= 15, `${first!.cells} cells`);
  assert.equal(first!.aberrations, 2 * first!.cells);
  assert.deepEqual(first!.distribution, [0, 0, first!.cells]);
  assert.ok(['resolved', 'dicentrics'].includes(first!.stop));
  if (first!.stop === 'dicentrics') assert.equal(first!.cells, 15);
  assert.equal(first!.available, 40);
  // clean: no dicentric in any cell; all 12 scored unless the interval resolved first
  assert.equal(second!.aberrations, 0);
  assert.ok(second!.stop === 'exhausted' ? second!.cells === 12 : second!.stop === 'resolved');
  assert.equal(second!.dose.estimate, 0);
  // lazily: the network ran on the scored cells (one cache entry per image and member) and at
  // most on the images in flight on the lanes when a person stopped
  const members = new Set(
    (
      JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(curve, 'utf8'))) as {
        detector: { primary: number[] };
      }
    ).detector.primary,
  ).size;
  const cached = (await readdir(cache, { recursive: true })).filter((name) =>
    name.endsWith('.dcnh'),
  );
  const scored = (first!.cells + second!.cells) * members;
  const inFlight = result.persons.length * (2 * lanePlan(0).lanes - 1) * members;
  assert.ok(
    cached.length >= scored && cached.length <= scored + inFlight,
    `${cached.length} cache entries for ${scored} scored`,
  );

  // the same seed gives the same result; the human output lists both persons
  const again = await runCli([
    ...['triage', '--curve', curve, '--model', TINY, '--images', persons, '--quiet'],
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /heavy\t> 2 Gy/);
  assert.match(again.stdout, /clean\t/);
});

test('triage --cells N scores N cells for a full estimate, with the Merkle dose `dose --counts` gives', async () => {
  const { dir, persons, curve } = await setup;
  const run = await runCli([
    ...['triage', '--curve', curve, '--model', TINY, '--images', persons],
    ...['--cells', '10', '--json', '--quiet'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  const byId = (id: string) => result.persons.find((p: { id: string }) => p.id === id);
  assert.equal(byId('heavy').cells, 10);
  assert.equal(byId('heavy').stop, 'cells');
  assert.equal(byId('heavy').aberrations, 20);
  assert.equal(result.rule.sequential, false);
  const clean = byId('clean');
  assert.equal(clean.cells, 10);
  const counts = join(dir, 'clean.csv');
  await writeFile(counts, 'ID,C0\nclean,10\n');
  const dose = await runCli(['dose', '--curve', curve, '--counts', counts, '--json']);
  assert.equal(dose.code, 0, dose.stderr);
  assert.deepEqual(clean.merkleDose, JSON.parse(dose.stdout).cases[0].dose);
});

test('triage refuses thresholds that do not ascend (exit 2) and a curve not calibrated from images', async () => {
  const { dir, persons, curve } = await setup;
  const bad = await runCli([
    ...['triage', '--curve', curve, '--model', TINY, '--images', persons],
    ...['--thresholds', '2,1', '--json'],
  ]);
  assert.equal(bad.code, 2);
  assert.equal(JSON.parse(bad.stdout).error.code, 'DCN_E_OPTION_INVALID');
  const manual = join(dir, 'manual.json');
  const table = join(dir, 'calib.csv');
  await writeFile(table, 'D,N,X\n0,1000,1\n1,500,30\n2,300,60\n4,100,80\n');
  const fit = await runCli(['curve', 'fit', '--counts', table, '--out', manual, '--quiet']);
  assert.equal(fit.code, 0, fit.stderr);
  const refused = await runCli([
    ...['triage', '--curve', manual, '--model', TINY, '--images', persons, '--json'],
  ]);
  assert.equal(refused.code, 2);
  assert.equal(JSON.parse(refused.stdout).error.code, 'DCN_E_CURVE_MISMATCH');
});
