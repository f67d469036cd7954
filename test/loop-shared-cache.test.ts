import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundleFile } from '../src/formats/bundle-file.js';
import type { Detections } from '../src/formats/detections.js';
import { detectImages } from '../src/engines/detect/detect-images.js';
import { FIXTURES } from './support/paths.js';
import { makeTwoBlockCell } from './support/two-block-cell.js';
import { runCli } from './support/run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

/**
 * One 24×20 test image: a grey-200 block at x 8..11, y 4..7 and a white block at x 0..3,
 * y 12..15. By the fixture's formula (member k: sigmoid(20a − b_k), b_k = 6, 8, …, 14) all
 * five members exceed T_C 0.5 on both blocks (20 · 200/255 = 15.7 > 14), so with T_A 2
 * each block is one detection of one heatmap cell with 5 votes.
 */
function testSet(): Promise<string> {
  return makeTwoBlockCell('loop-shared');
}

const detectArgs = (dir: string, out: string, cache: string, tc = '0.5') => [
  'detect',
  '--model',
  TINY,
  '--images',
  join(dir, 'dataset.json'),
  '--members',
  'all',
  '--tc',
  tc,
  '--ta',
  '2',
  '--out',
  out,
  '--cache',
  cache,
];

/** What detect found, without the provenance (its time stamp differs between runs). */
const found = (detections: Detections) => ({
  images: detections.images,
  errors: detections.errors,
  thresholds: detections.thresholds,
});

test('detect after evaluate on the same images and bundle runs no member; detections equal an uncached run', async () => {
  const dir = await testSet();
  const cache = join(dir, 'eval', 'heatmap-cache');
  const evaluate = await runCli([
    'evaluate',
    '--model',
    TINY,
    '--data',
    join(dir, 'dataset.json'),
    '--out',
    join(dir, 'eval'),
    '--ensemble-size',
    '3',
    '--ensembles',
    '4',
  ]);
  assert.equal(evaluate.code, 0, evaluate.stderr);
  assert.match(evaluate.stderr, /model: 5 members, 5 heatmaps computed/);

  const cached = await runCli(detectArgs(dir, join(dir, 'cached.json'), cache));
  assert.equal(cached.code, 0, cached.stderr);
  assert.match(cached.stderr, /0 member heatmaps computed/, 'every heatmap came from the cache');
  const fresh = await runCli(detectArgs(dir, join(dir, 'fresh.json'), join(dir, 'new-cache')));
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stderr, /5 member heatmaps computed/);

  const read = async (name: string) =>
    JSON.parse(await readFile(join(dir, name), 'utf8')) as Detections;
  const fromCache = await read('cached.json');
  assert.deepEqual(found(fromCache), found(await read('fresh.json')));
  // and the same as a run that keeps nothing on disk
  const loaded = await readBundleFile(TINY);
  const uncached = await detectImages({
    loaded,
    members: loaded.bundle.members,
    selection: { mode: 'all' },
    tc: { dicentric: { kind: 'fixed', tc: 0.5 }, fragment: { kind: 'fixed', tc: 0.5 } },
    ta: { dicentric: 2, fragment: 2 },
    images: [{ id: 'cell', file: join(dir, 'cell.png'), caseId: 'dataset' }],
    cacheDir: null,
    outPath: join(dir, 'cached.json'),
    toolVersion: 'test',
  });
  assert.equal(uncached.computedHeatmaps, 5);
  assert.deepEqual(found(uncached.detections), found(fromCache));
  // the hand-known detections (centre of the covering 4×4 cell, area 16 px, 5 votes)
  const image = fromCache.images[0]!;
  assert.deepEqual([image.width, image.height], [24, 20]);
  assert.deepEqual(
    image.detections.dicentric!.map((d) => [d.x, d.y, d.area, d.votes]),
    [
      [10, 6, 16, 5],
      [2, 14, 16, 5],
    ],
  );
});

test('detect refuses a T_C below the heatmap floor, which the cache cannot vote with', async () => {
  const dir = await testSet();
  const run = await runCli(detectArgs(dir, join(dir, 'd.json'), join(dir, 'cache'), '0.005'));
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /DCN_E_OPTION_INVALID/);
  assert.match(run.stderr, /below the heatmap floor 0\.01/);
});
