import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { generateSynthDataset, type SynthRequest } from '../src/engines/synth/synth-dataset.js';
import { readDatasetFile } from '../src/formats/dataset-file.js';
import type { DicentraError } from '../src/formats/dicentra-error.js';
import { truthSchema } from '../src/formats/truth.js';
import { makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';

function request(outDir: string, overrides: Partial<SynthRequest> = {}): SynthRequest {
  return {
    outDir,
    seed: 42,
    params: resolveSynthParameters({ width: 256, height: 224, difficulty: 'medium' }),
    mode: 'train',
    count: 6,
    doseRange: [0, 5],
    minAberrations: 1,
    labels: false,
    splitRatios: { train: 0.8, val: 0.1, test: 0.1 },
    threads: 1,
    toolVersion: 'test',
    ...overrides,
  };
}

async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(path.slice(dir.length), await readFile(path));
  }
  return out;
}

test('output is byte-identical with 1 and 2 rendering threads', async () => {
  const one = await makeTempDir('synth1');
  const two = await makeTempDir('synth2');
  await generateSynthDataset(request(one, { threads: 1 }));
  await generateSynthDataset(request(two, { threads: 2 }));
  const a = await filesOf(one);
  const b = await filesOf(two);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  assert.ok(a.size >= 8, 'six images and the manifests');
  for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} differs`);
});

test('dataset.json points and counts match truth.json, with the image size as asked', async () => {
  const dir = await makeTempDir('synth');
  const summary = await generateSynthDataset(
    request(dir, { count: 10, params: resolveSynthParameters({ width: 320, height: 256 }) }),
  );
  const dataset = await readDatasetFile(join(dir, 'dataset.json'));
  const truth = truthSchema.parse(JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')));
  assert.deepEqual(dataset.classes, ['dicentric', 'fragment']);
  assert.equal(dataset.images.length, 10);
  assert.equal(truth.seed, 42);
  assert.equal(dataset.provenance?.seed, 42);
  assert.equal(dataset.provenance?.tool, 'dicentra synth');
  let dicentric = 0;
  let fragment = 0;
  for (const [k, image] of dataset.images.entries()) {
    const record = truth.images[k]!;
    assert.equal(record.id, image.id);
    assert.equal(image.doseGy, record.doseGy);
    assert.equal(image.points!.dicentric!.length, record.counts.dicentric);
    assert.equal(image.points!.fragment!.length, record.counts.fragment);
    assert.ok(record.counts.dicentric + record.counts.fragment >= 1, 'train keeps aberrant cells');
    const targetPoints = record.objects.flatMap((o) =>
      'points' in o && o.type !== 'fragment' ? o.points : [],
    );
    assert.deepEqual(image.points!.dicentric, targetPoints);
    dicentric += record.counts.dicentric;
    fragment += record.counts.fragment;
    const meta = await sharp(join(dir, image.path)).metadata();
    assert.equal(meta.width, 320);
    assert.equal(meta.height, 256);
    assert.equal(meta.channels, 1);
  }
  assert.equal(truth.counts.dicentric, dicentric);
  assert.equal(truth.counts.fragment, fragment);
  assert.equal(summary.dicentric, dicentric);
  const splits = dataset.images.map((image) => image.split);
  assert.deepEqual(
    ['train', 'val', 'test'].map((s) => splits.filter((x) => x === s).length),
    [8, 1, 1],
  );
});

test('calibration mode groups cells by dose, without points unless labels are asked', async () => {
  const dir = await makeTempDir('calib');
  await generateSynthDataset(
    request(dir, {
      mode: 'calibration',
      count: undefined,
      doses: [0, 2],
      cellsPerDose: 2,
      minAberrations: 0,
    }),
  );
  const dataset = await readDatasetFile(join(dir, 'dataset.json'));
  assert.deepEqual(
    dataset.images.map((i) => [i.sampleId, i.doseGy, i.split, i.points]),
    [
      ['dose-0', 0, 'none', undefined],
      ['dose-0', 0, 'none', undefined],
      ['dose-2', 2, 'none', undefined],
      ['dose-2', 2, 'none', undefined],
    ],
  );
  const labelled = await makeTempDir('calib-labels');
  await generateSynthDataset(
    request(labelled, {
      mode: 'calibration',
      count: undefined,
      doses: [1],
      cellsPerDose: 2,
      minAberrations: 0,
      labels: true,
    }),
  );
  const withPoints = await readDatasetFile(join(labelled, 'dataset.json'));
  assert.ok(withPoints.images.every((image) => image.points?.dicentric !== undefined));
});

test('an interrupted run leaves no manifest; the re-run keeps verified images and matches a clean run', async () => {
  const dir = await makeTempDir('resume');
  const controller = new AbortController();
  await assert.rejects(
    generateSynthDataset(
      request(dir, {
        signal: controller.signal,
        onProgress: (done) => {
          if (done >= 2) controller.abort();
        },
      }),
    ),
    (error: DicentraError) => error.code === 'DCN_E_INTERRUPTED',
  );
  await assert.rejects(access(join(dir, 'dataset.json')));
  await assert.rejects(access(join(dir, 'truth.json')));
  const summary = await generateSynthDataset(request(dir));
  assert.ok(summary.reused >= 2, `reused ${summary.reused}`);
  const clean = await makeTempDir('clean');
  await generateSynthDataset(request(clean));
  const a = await filesOf(dir);
  const b = await filesOf(clean);
  for (const [name, bytes] of b) assert.ok(bytes.equals(a.get(name)!), `${name} differs`);
});

test('a damaged image is rendered again on re-run', async () => {
  const dir = await makeTempDir('damaged');
  await generateSynthDataset(request(dir, { count: 3 }));
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'images', 'synth-000001.png'), 'not a png');
  const summary = await generateSynthDataset(request(dir, { count: 3 }));
  assert.equal(summary.reused, 2);
  assert.equal(summary.rendered, 1);
  const meta = await sharp(join(dir, 'images', 'synth-000001.png')).metadata();
  assert.equal(meta.width, 256);
});

test('synth refuses a non-empty folder it did not make', async () => {
  const dir = await makeTempDir('foreign');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'notes.txt'), 'keep me');
  await assert.rejects(
    generateSynthDataset(request(dir)),
    (error: DicentraError) => error.code === 'DCN_E_OPTION_INVALID' && error.field === '--out',
  );
});

test('the CLI writes RGB images and reports one JSON document; bad sizes exit 2', async () => {
  const dir = await makeTempDir('cli');
  const out = join(dir, 'set');
  const run = await runCli([
    'synth',
    '--out',
    out,
    '--count',
    '2',
    '--size',
    '288x240',
    '--seed',
    '5',
    '--rgb',
    '--jpeg-quality',
    '80',
    '--difficulty',
    'easy',
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { ok: boolean; images: number };
  assert.equal(result.ok, true);
  assert.equal(result.images, 2);
  const meta = await sharp(join(out, 'images', 'synth-000000.png')).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [288, 240, 3]);
  const bad = await runCli(['synth', '--out', join(dir, 'x'), '--count', '1', '--size', '1008']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /DCN_E_OPTION_INVALID[\s\S]*--size/);
  const calibration = await runCli([
    'synth',
    '--out',
    join(dir, 'y'),
    '--mode',
    'calibration',
    '--count',
    '3',
  ]);
  assert.equal(calibration.code, 2);
  assert.match(calibration.stderr, /--cells-per-dose/);
});
