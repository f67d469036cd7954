import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { writeCountedCalibration, writeCountedCell } from './support/counted-cell.js';
import { runCli } from './support/run-cli.js';
import type { MetaphaseMeasures } from '../src/cores/qc/measure-metaphase.js';
import { measureFrames } from '../src/engines/qc/measure-pool.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');
const MEASURES = {
  chromosomes: 46,
  objects: 46,
  medianObjectAreaPx: 500,
  chromosomeWidthPx: 12,
  clusteredFraction: 0,
  borderObjects: 0,
  spreadCoverage: 0.3,
  spreadFill: 0.1,
  nuclei: 0,
  nucleiOverSpread: 0,
  focus: 2,
  contrast: 0.6,
  dicentricsAdded: 0,
};

/** A qc.json written by hand: the ids in `rejected` are not scorable (too few chromosomes). */
function qcDocument(ids: readonly string[], rejected: ReadonlySet<string>) {
  return {
    version: '1.0',
    rules: {
      chromosomes: 46,
      tolerance: 2,
      maxBorderObjects: 1,
      maxClusteredFraction: 0.3,
      maxNucleiOverSpread: 0,
      maxSpreadCoverage: 0.5,
      minFocus: 1,
      minContrast: 0.3,
    },
    summary: {
      images: ids.length,
      scorable: ids.length - rejected.size,
      reasons: {
        'too-few-chromosomes': rejected.size,
        'too-many-chromosomes': 0,
        'incomplete-spread': 0,
        clumped: 0,
        'nucleus-over-spread': 0,
        'spread-too-wide': 0,
        'out-of-focus': 0,
        'low-contrast': 0,
      },
    },
    images: ids.map((id) => ({
      id,
      path: `${id}.png`,
      scorable: !rejected.has(id),
      reasons: rejected.has(id) ? ['too-few-chromosomes'] : [],
      measures: MEASURES,
    })),
    provenance: { tool: 'test' },
  };
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

/** Calibration: 8 cells at each of 0–4 Gy; a case of 10 cells. Counted cells of the tiny bundle. */
const setup = (async () => {
  const dir = await makeTempDir('qc');
  const calibDir = join(dir, 'calib');
  const caseDir = join(dir, 'person-3');
  await mkdir(calibDir);
  await mkdir(caseDir);
  const { file: data, ids: calibIds } = await writeCountedCalibration(calibDir);
  const caseIds = CASE_CELLS.map((_, i) => `cell-${i}`);
  for (let i = 0; i < caseIds.length; i++) {
    await writeCountedCell(
      join(caseDir, `${caseIds[i]}.png`),
      CASE_CELLS[i]![0],
      CASE_CELLS[i]![1],
    );
  }
  const calibRejected = new Set(['d0-c1', 'd2-c6', 'd3-c7']);
  const caseRejected = new Set(['cell-5', 'cell-9']);
  const calibQc = join(dir, 'calib-qc.json');
  const caseQc = join(dir, 'case-qc.json');
  await writeFile(calibQc, JSON.stringify(qcDocument(calibIds, calibRejected)));
  await writeFile(caseQc, JSON.stringify(qcDocument(caseIds, caseRejected)));
  return { dir, data, caseDir, calibQc, caseQc, calibRejected, caseRejected, caseIds };
})();

const excludedIds = (qc: { excluded: { id: string }[] }) => qc.excluded.map((e) => e.id).sort();

test('calibrate, detect and dose exclude exactly the cells qc.json finds unscorable', async () => {
  const s = await setup;
  const curve = join(s.dir, 'curve.json');
  const calibrate = await runCli([
    'calibrate',
    '--model',
    TINY,
    '--data',
    s.data,
    '--out',
    curve,
    '--qc',
    s.calibQc,
    '--quantile',
    '0.2',
    '--sub-ensembles',
    '4',
    '--json',
    '--quiet',
  ]);
  assert.equal(calibrate.code, 0, calibrate.stderr);
  const calibrated = JSON.parse(calibrate.stdout);
  assert.deepEqual(excludedIds(calibrated.qc), [...s.calibRejected].sort());
  const written = JSON.parse(await readFile(curve, 'utf8'));
  assert.deepEqual(excludedIds(written.provenance.parameters.qc), [...s.calibRejected].sort());
  // each dose keeps its 6 cells less those excluded
  const cells = Object.fromEntries(
    calibrated.curve.countTable.rows.map((g: { doseGy: number; cells: number }) => [
      g.doseGy,
      g.cells,
    ]),
  );
  assert.deepEqual(cells, { 0: 7, 1: 8, 2: 7, 3: 7, 4: 8 });

  const detect = await runCli([
    'detect',
    '--model',
    TINY,
    '--images',
    s.caseDir,
    '--out',
    join(s.dir, 'det.json'),
    '--qc',
    s.caseQc,
    '--json',
    '--quiet',
  ]);
  assert.equal(detect.code, 0, detect.stderr);
  assert.deepEqual(excludedIds(JSON.parse(detect.stdout).qc), [...s.caseRejected].sort());
  const detections = JSON.parse(await readFile(join(s.dir, 'det.json'), 'utf8'));
  assert.deepEqual(
    detections.images.map((image: { id: string }) => image.id).sort(),
    s.caseIds.filter((id) => !s.caseRejected.has(id)).sort(),
  );

  const dose = await runCli([
    'dose',
    '--curve',
    curve,
    '--model',
    TINY,
    '--images',
    s.caseDir,
    '--qc',
    s.caseQc,
    '--method',
    'delta',
    '--json',
    '--quiet',
  ]);
  assert.equal(dose.code, 0, dose.stderr);
  const result = JSON.parse(dose.stdout);
  assert.deepEqual(excludedIds(result.provenance.parameters.qc), [...s.caseRejected].sort());
  assert.equal(result.cases[0].table.cells, CASE_CELLS.length - s.caseRejected.size);
});

test('a missing, invalid or incomplete qc.json is refused with the file and field named', async () => {
  const s = await setup;
  const detect = (qc: string) =>
    runCli([
      'detect',
      '--model',
      TINY,
      '--images',
      s.caseDir,
      '--out',
      join(s.dir, 'refused.json'),
      '--qc',
      qc,
      '--json',
    ]);
  const missing = await detect(join(s.dir, 'nowhere-qc.json'));
  assert.equal(missing.code, 3);
  const missingError = JSON.parse(missing.stdout).error;
  assert.equal(missingError.code, 'DCN_E_FILE_NOT_FOUND');
  assert.match(missingError.file, /nowhere-qc\.json$/);

  const broken = qcDocument(s.caseIds, s.caseRejected) as Record<string, unknown>;
  delete (broken.images as Record<string, unknown>[])[1]!.scorable;
  const brokenFile = join(s.dir, 'broken-qc.json');
  await writeFile(brokenFile, JSON.stringify(broken));
  const invalid = await detect(brokenFile);
  assert.equal(invalid.code, 2);
  const invalidError = JSON.parse(invalid.stdout).error;
  assert.equal(invalidError.code, 'DCN_E_SCHEMA_INVALID');
  assert.equal(invalidError.file, brokenFile);
  assert.equal(invalidError.field, 'images[1].scorable');

  const partialFile = join(s.dir, 'partial-qc.json');
  await writeFile(partialFile, JSON.stringify(qcDocument(s.caseIds.slice(1), new Set())));
  const partial = await detect(partialFile);
  assert.equal(partial.code, 2);
  const partialError = JSON.parse(partial.stdout).error;
  assert.equal(partialError.code, 'DCN_E_QC_IMAGE_MISSING');
  assert.equal(partialError.file, partialFile);
  assert.equal(partialError.field, 'images');
  assert.match(partialError.message, /cell-0/);
});

test('dicentra qc judges generated frames and writes a versioned qc.json', async () => {
  const dir = await makeTempDir('qc-synth');
  const synth = await runCli([
    'synth',
    '--out',
    join(dir, 'synth'),
    '--count',
    '6',
    '--seed',
    '3',
    '--bad-frames',
    '0.5',
    '--threads',
    '1',
    '--quiet',
  ]);
  assert.equal(synth.code, 0, synth.stderr);
  const out = join(dir, 'qc.json');
  const qc = await runCli([
    'qc',
    '--images',
    join(dir, 'synth', 'dataset.json'),
    '--out',
    out,
    '--json',
  ]);
  assert.equal(qc.code, 0, qc.stderr);
  const document = JSON.parse(await readFile(out, 'utf8'));
  const truth = JSON.parse(await readFile(join(dir, 'synth', 'truth.json'), 'utf8'));
  assert.equal(document.version, '1.0');
  assert.equal(document.provenance.tool, 'dicentra qc');
  assert.deepEqual(
    document.images.map((image: { id: string }) => image.id),
    truth.images.map((image: { id: string }) => image.id),
  );
  assert.equal(
    document.summary.scorable,
    document.images.filter((image: { scorable: boolean }) => image.scorable).length,
  );
  // every frame the generator made unscorable is judged so
  truth.images.forEach((image: { quality: { scorable: boolean } }, k: number) => {
    if (!image.quality.scorable) assert.equal(document.images[k].scorable, false);
  });

  // --model detects as `detect` does by default: the same verdicts as its detections.json
  const data = join(dir, 'synth', 'dataset.json');
  const detections = join(dir, 'det.json');
  const detect = await runCli(['detect', '--model', TINY, '--images', data, '--out', detections]);
  assert.equal(detect.code, 0, detect.stderr);
  const viaModel = join(dir, 'qc-model.json');
  const viaFile = join(dir, 'qc-detections.json');
  const model = await runCli(['qc', '--images', data, '--out', viaModel, '--model', TINY]);
  assert.equal(model.code, 0, model.stderr);
  const file = await runCli(['qc', '--images', data, '--out', viaFile, '--detections', detections]);
  assert.equal(file.code, 0, file.stderr);
  const modelDocument = JSON.parse(await readFile(viaModel, 'utf8'));
  assert.equal(modelDocument.model, TINY);
  assert.deepEqual(modelDocument.images, JSON.parse(await readFile(viaFile, 'utf8')).images);
});

test('qc measures frames on every core in their order, and names a frame it cannot decode', async () => {
  const dir = await makeTempDir('qc-pool');
  const images = join(dir, 'images');
  await mkdir(images);
  for (let i = 0; i < 5; i++) await writeCountedCell(join(images, `cell-${i}.png`), i % 3, i % 2);
  // measured one at a time, in order, as the reference
  const frames = (await readdir(images)).sort().map((name) => join(images, name));
  const oneByOne: MetaphaseMeasures[] = [];
  for (const file of frames) {
    await measureFrames(
      [{ file, dicentrics: [] }],
      (_, measures) => oneByOne.push(measures),
      undefined,
      1,
    );
  }
  const pooled: MetaphaseMeasures[] = [];
  const complete = await measureFrames(
    frames.map((file) => ({ file, dicentrics: [] })),
    (index, measures) => (pooled[index] = measures),
    undefined,
    3,
  );
  assert.equal(complete, true);
  assert.deepEqual(pooled, oneByOne);

  await writeFile(join(images, 'cell-2.png'), 'not a png');
  const out = join(dir, 'qc.json');
  const run = await runCli(['qc', '--images', images, '--out', out, '--json']);
  assert.equal(run.code, 3, run.stderr);
  const error = JSON.parse(run.stdout).error;
  assert.equal(error.code, 'DCN_E_IMAGE_DECODE');
  assert.match(error.file, /cell-2\.png$/);
  await assert.rejects(readFile(out), { code: 'ENOENT' }, 'no qc.json is written');
});
