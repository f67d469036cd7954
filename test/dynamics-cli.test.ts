import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readDynamicsFile } from '../src/formats/dynamics-file.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';

/**
 * The tiny bundle's members output features [a, 1 − a] with a = the 4×4 mean of
 * the min–max normalised image (test/fixtures/make-tiny-bundle.py), the same
 * for every epoch. Images are black with a white 4×4 block at each dicentric
 * and a mid-grey one at each fragment, so a = 1, ~0.5 and 0 by class.
 */
const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');
const SIZE = 32;

async function writeImage(path: string, blocks: { x: number; y: number; value: number }[]) {
  const pixels = Buffer.alloc(SIZE * SIZE);
  for (const { x, y, value } of blocks) {
    for (let dy = 0; dy < 4; dy++)
      for (let dx = 0; dx < 4; dx++) pixels[(y + dy) * SIZE + x + dx] = value;
  }
  await sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 1 } })
    .png()
    .toFile(path);
}

async function fixtureDataset(folder: string): Promise<string> {
  const images = [];
  for (let i = 0; i < 3; i++) {
    // dicentric block at cell (1, 1 + i), fragment block at cell (5, 5)
    await writeImage(join(folder, `m${i}.png`), [
      { x: 4, y: 4 + 4 * i, value: 255 },
      { x: 20, y: 20, value: 128 },
    ]);
    images.push({
      id: `m${i}`,
      path: `m${i}.png`,
      width: SIZE,
      height: SIZE,
      split: 'test',
      points: { dicentric: [[6, 6 + 4 * i]], fragment: [[22, 22]] },
    });
  }
  images.push({
    id: 'unused',
    path: 'm0.png',
    width: SIZE,
    height: SIZE,
    split: 'train',
    points: {},
  });
  const path = join(folder, 'dataset.json');
  await writeFile(
    path,
    JSON.stringify({ version: '1.0', classes: ['dicentric', 'fragment'], images }),
  );
  return path;
}

async function fixtureDetections(folder: string): Promise<string> {
  const detection = (x: number, y: number, voteFraction: number) => ({
    x,
    y,
    area: 16,
    votes: Math.round(voteFraction * 5),
    voteFraction,
    meanValue: 0.5,
    maxValue: 0.9,
    spread: 0.1,
  });
  const threshold = { tc: 0.5, adaptive: false, memberTc: [0.5, 0.5, 0.5, 0.5, 0.5], ta: 1 };
  const path = join(folder, 'detections.json');
  await writeFile(
    path,
    JSON.stringify({
      version: '1.0',
      classes: ['dicentric', 'fragment'],
      bundle: {
        path: TINY,
        sha256: 'a'.repeat(64),
        memberEpochs: [1, 2, 3, 4, 5],
        selection: { mode: 'all' },
      },
      thresholds: { dicentric: threshold, fragment: threshold },
      connectivity: 8,
      outputStride: 4,
      images: [
        {
          id: 'm0',
          path: 'm0.png',
          width: SIZE,
          height: SIZE,
          detections: { dicentric: [detection(6, 6, 1), detection(14, 26, 0.4)], fragment: [] },
          counts: { dicentric: 2, fragment: 0 },
        },
      ],
      errors: [],
    }),
  );
  return path;
}

test('dicentra dynamics on the tiny bundle: features by hand, outputs, same seed same file', async () => {
  const folder = await makeTempDir('dynamics');
  const data = await fixtureDataset(folder);
  const detections = await fixtureDetections(folder);
  const args = (out: string) => [
    'dynamics',
    '--model',
    TINY,
    '--data',
    data,
    '--background',
    '5',
    '--seed',
    '3',
    '--grid',
    '16',
    '--epochs',
    '2,5',
    '--detections',
    detections,
    '--out',
    out,
    '--json',
  ];
  const run = await runCli(args(join(folder, 'a')));
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { ok: boolean; locations: Record<string, number> };
  assert.equal(summary.ok, true);
  assert.deepEqual(summary.locations, { background: 15, dicentric: 3, fragment: 3 });
  assert.deepEqual((await readdir(join(folder, 'a'))).sort(), [
    'decision-regions.svg',
    'dynamics.json',
    'entropy-tracks.svg',
    'explained-variance.svg',
  ]);
  const doc = await readDynamicsFile(join(folder, 'a', 'dynamics.json'));
  assert.deepEqual(doc.epochs, [1, 2, 3, 4, 5]);
  assert.equal(doc.source.split, 'test');
  assert.equal(doc.source.images, 3);
  // identical features in every epoch: Procrustes is the identity
  for (const a of doc.alignment) {
    assert.ok(Math.abs(a.scale - 1) < 1e-9 && a.residual < 1e-6, JSON.stringify(a));
  }
  // features [a, 1 − a] vary along (1, −1) only: PC1 = (1, −1)/√2 carries all variance and
  // a location's PC1 coordinate is √2·(a − mean a); a = 1 (dicentric) and 0 (background)
  assert.ok(Math.abs(doc.explainedVariance[0]! - 1) < 1e-9);
  const first = doc.embeddings[0]!.points;
  const xOf = (cls: string) =>
    doc.locations.flatMap((l, i) => (l.class === cls ? [first[i]![0]] : []));
  const background = xOf('background');
  const dicentric = xOf('dicentric');
  for (const x of dicentric) assert.ok(Math.abs(x - background[0]! - Math.SQRT2) < 1e-5);
  for (const x of background) assert.ok(Math.abs(x - background[0]!) < 1e-6);
  // three well-separated classes: each epoch's SVM classifies its own points perfectly
  for (const s of doc.svm) assert.equal(s.accuracy, 1);
  // detections: the one on the white block has the dicentrics' features, so their entropy
  assert.equal(doc.uncertain.detections.length, 2);
  assert.equal(doc.agreement?.detections, 2);
  const onBlock = doc.uncertain.detections.find((d) => d.x === 6 && d.y === 6)!;
  const annotated = doc.uncertain.annotations.find(
    (a) => a.image === 'm0' && a.class === 'dicentric',
  );
  assert.ok(annotated, 'the annotated dicentric of m0 is listed as uncertain');
  assert.ok(Math.abs(onBlock.entropy - annotated.entropy) < 1e-9);
  const regions = await readFile(join(folder, 'a', 'decision-regions.svg'), 'utf8');
  assert.match(regions, /epoch 2/);
  assert.match(regions, /epoch 5/);
  // the same seed reproduces dynamics.json apart from its creation time
  const again = await runCli(args(join(folder, 'b')));
  assert.equal(again.code, 0, again.stderr);
  const strip = (text: string) => text.replace(/"createdAt": "[^"]*"/, '');
  assert.equal(
    strip(await readFile(join(folder, 'b', 'dynamics.json'), 'utf8')),
    strip(await readFile(join(folder, 'a', 'dynamics.json'), 'utf8')),
  );
});

test('dicentra dynamics refuses an epoch that is not a member, and a split without annotations', async () => {
  const folder = await makeTempDir('dynamics-bad');
  const data = await fixtureDataset(folder);
  const base = ['dynamics', '--model', TINY, '--data', data, '--out', join(folder, 'o')];
  const badEpoch = await runCli([...base, '--epochs', '2,9']);
  assert.equal(badEpoch.code, 2);
  assert.match(badEpoch.stderr, /DCN_E_OPTION_INVALID/);
  assert.match(badEpoch.stderr, /epoch 9 is not a member/);
  const emptySplit = await runCli([...base, '--split', 'val']);
  assert.equal(emptySplit.code, 2);
  assert.match(emptySplit.stderr, /DCN_E_DYNAMICS_TOO_FEW/);
  await assert.rejects(readdir(join(folder, 'o')));
});
