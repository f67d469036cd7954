import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { datasetSchema, type Dataset } from '../src/formats/dataset.js';
import { findConsistencyProblems } from '../src/formats/dataset-consistency.js';
import { readDatasetFile, writeDatasetFile } from '../src/formats/dataset-file.js';
import { DicentraError } from '../src/formats/dicentra-error.js';
import { makeTempDir } from './support/paths.js';

function sampleDataset(): Dataset {
  return {
    version: '1.0',
    classes: ['dicentric', 'fragment'],
    images: [
      {
        id: 'a',
        path: 'a.png',
        width: 10,
        height: 8,
        split: 'train',
        points: { dicentric: [[1, 2]], fragment: [] },
      },
      { id: 'b', path: 'b.png', width: 10, height: 8, split: 'none', sampleId: 'P1', doseGy: 1.5 },
    ],
  };
}

test('a well-formed dataset passes the schema and has no consistency problem', () => {
  const dataset = datasetSchema.parse(sampleDataset());
  assert.deepEqual(findConsistencyProblems(dataset, 'd.json'), []);
});

test('unknown keys are rejected with their JSON path', () => {
  const raw = sampleDataset() as unknown as { images: Record<string, unknown>[] };
  raw.images[1]!.dose = 2;
  const result = datasetSchema.safeParse(raw);
  assert.equal(result.success, false);
  assert.deepEqual(result.error!.issues[0]!.path, ['images', 1]);
  assert.match(result.error!.issues[0]!.message, /dose/);
});

test('the split must be one of train/val/test/none', () => {
  const raw = sampleDataset() as unknown as { images: { split: string }[] };
  raw.images[0]!.split = 'training';
  assert.equal(datasetSchema.safeParse(raw).success, false);
});

test('consistency finds every duplicate id, unknown class and out-of-bounds point in one pass', () => {
  const dataset = sampleDataset();
  dataset.images.push({
    id: 'a',
    path: 'c.png',
    width: 10,
    height: 8,
    split: 'test',
    points: {
      dicentric: [
        [10, 3],
        [2, -0.5],
      ],
      ring: [[1, 1]],
    },
  });
  const problems = findConsistencyProblems(dataset, 'd.json');
  assert.deepEqual(
    problems.map((p) => [p.code, p.field]),
    [
      ['DCN_E_DUPLICATE_ID', 'images[2].id'],
      ['DCN_E_POINT_OUT_OF_BOUNDS', 'images[2].points.dicentric[0]'],
      ['DCN_E_POINT_OUT_OF_BOUNDS', 'images[2].points.dicentric[1]'],
      ['DCN_E_CLASS_UNKNOWN', 'images[2].points.ring'],
    ],
  );
});

test('the writer round-trips through the reader', async () => {
  const dir = await makeTempDir('schema');
  const path = join(dir, 'dataset.json');
  await writeDatasetFile(path, sampleDataset());
  assert.deepEqual(await readDatasetFile(path), sampleDataset());
});

test('a newer major version is refused with an upgrade hint before any schema complaint', async () => {
  const dir = await makeTempDir('schema');
  const path = join(dir, 'dataset.json');
  await writeFile(
    path,
    JSON.stringify({ version: '2.0', classes: ['x'], images: [], newField: 1 }),
  );
  await assert.rejects(readDatasetFile(path), (error: DicentraError) => {
    assert.equal(error.code, 'DCN_E_VERSION_UNSUPPORTED');
    assert.match(error.hint ?? '', /upgrade/);
    return true;
  });
});

test('schema problems are all reported with JSON paths', async () => {
  const dir = await makeTempDir('schema');
  const path = join(dir, 'dataset.json');
  await writeFile(
    path,
    JSON.stringify({
      version: '1.0',
      classes: ['x'],
      images: [{ id: 'a', path: 'a.png', width: -1, height: 8, split: 'train' }, { id: 'b' }],
    }),
  );
  await assert.rejects(readDatasetFile(path), (error: DicentraError) => {
    assert.equal(error.code, 'DCN_E_SCHEMA_INVALID');
    const fields = error.problems.map((p) => p.field);
    assert.ok(fields.includes('images[0].width'));
    assert.ok(fields.includes('images[1].path'));
    assert.ok(fields.includes('images[1].split'));
    return true;
  });
});
