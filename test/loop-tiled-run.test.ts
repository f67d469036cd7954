import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { prepareModelInput } from '../src/imaging/model-input.js';
import { BundleEnsemble } from '../src/engines/inference/bundle-ensemble.js';
import { forEachImageStacks } from '../src/engines/inference/member-heatmaps.js';
import { runMemberTiled, tileSpans, tilesExactly } from '../src/engines/inference/tiled-run.js';
import { FIXTURES, makeTempDir } from './support/paths.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');
/** A seeded random batch-norm U-Net of depth 2: receptive field 40 px, padMultiple 4. */
const CONTEXT = join(FIXTURES, 'context-bundle', 'bundle.json');

test('tile spans: cores cover the axis once, each tile adds the margin inside the image', () => {
  // 640 px in tiles of 320 with margin 64: cores of 320 − 128 = 192
  assert.deepEqual(tileSpans(640, 320, 64, 16), [
    { start: 0, end: 256, coreStart: 0, coreEnd: 192 },
    { start: 128, end: 448, coreStart: 192, coreEnd: 384 },
    { start: 320, end: 640, coreStart: 384, coreEnd: 576 },
    { start: 512, end: 640, coreStart: 576, coreEnd: 640 },
  ]);
  assert.deepEqual(tileSpans(320, 320, 64, 16), [
    { start: 0, end: 320, coreStart: 0, coreEnd: 320 },
  ]);
  assert.throws(() => tileSpans(640, 320, 160, 16), RangeError, 'no core left');
  assert.throws(() => tileSpans(640, 328, 64, 16), RangeError, 'off the pooling grid');
});

/** A 600×440 grey image whose every 4×4 cell has its own level. */
function texture(): Float32Array {
  const data = new Float32Array(600 * 440);
  for (let y = 0; y < 440; y++) {
    for (let x = 0; x < 600; x++) data[y * 600 + x] = (x * 7 + y * 13 + ((x * y) % 31)) % 256;
  }
  return data;
}

test('tiled run: heatmaps and features stitched from 320-px tiles equal the whole-image run', async () => {
  const loaded = await readBundleFile(TINY);
  const input = prepareModelInput(
    { width: 600, height: 440, bitDepth: 8, data: texture() },
    loaded.bundle.input,
  );
  // padded 608×448 > 320: 10 × 7 tiles (margin 8 × padMultiple = 128, cores of 64)
  const ensemble = await BundleEnsemble.open(loaded, loaded.bundle.members, { features: true });
  try {
    for (let j = 0; j < loaded.bundle.members.length; j++) {
      const whole = await ensemble.run(input, j);
      const tiled = await runMemberTiled(ensemble, input, j, { tileSize: 320 });
      assert.equal(tiled.heatmap.length, 2 * 152 * 112);
      assert.equal(tiled.features!.length, 2 * 152 * 112);
      // the fixture's receptive field is one 4×4 cell: tiles on the pooling grid are exact
      const largest = (a: Float32Array, b: Float32Array) =>
        a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0);
      assert.ok(largest(tiled.heatmap, whole.heatmap) < 1e-6, `member ${j} heatmap`);
      assert.ok(largest(tiled.features!, whole.features!) < 1e-6, `member ${j} features`);
    }
  } finally {
    await ensemble.close();
  }
});

test('tiled run: with the documented margin a U-Net with a 40-px receptive field is stitched exactly; a thin margin is not', async () => {
  const loaded = await readBundleFile(CONTEXT);
  const image = {
    width: 200,
    height: 168,
    bitDepth: 8 as const,
    data: texture().slice(0, 200 * 168),
  };
  const input = prepareModelInput(image, loaded.bundle.input);
  const ensemble = await BundleEnsemble.open(loaded, loaded.bundle.members, { features: true });
  try {
    const whole = await ensemble.run(input, 0);
    const largest = (a: Float32Array, b: Float32Array) =>
      a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0);
    // tiles of 96 px: the default margin 8 × padMultiple = 32 px ≥ half the receptive field
    const tiled = await runMemberTiled(ensemble, input, 0, { tileSize: 96 });
    assert.ok(largest(tiled.heatmap, whole.heatmap) < 1e-5, 'heatmap');
    assert.ok(largest(tiled.features!, whole.features!) < 1e-5, 'features');
    // the same tiles with 8 px of context: cells near the seams see zero padding instead of the image
    const thin = await runMemberTiled(ensemble, input, 0, { tileSize: 96, margin: 8 });
    assert.ok(largest(thin.features!, whole.features!) > 1e-3, 'a thin margin shows the seams');
  } finally {
    await ensemble.close();
  }
});

test('tiled run: a group-norm bundle runs the whole frame (its statistics span the input)', () => {
  assert.equal(tilesExactly({ norm: 'group' }), false);
  assert.equal(tilesExactly({ norm: 'instance' }), false);
  assert.equal(tilesExactly({ norm: 'batch' }), true);
  assert.equal(tilesExactly({ norm: 'none' }), true);
});

test('image loop: a frame above the tile size votes exactly as in one piece', async () => {
  const dir = await makeTempDir('loop-tiles');
  const file = join(dir, 'frame.png');
  await sharp(Uint8Array.from(texture()), { raw: { width: 600, height: 440, channels: 1 } })
    .png()
    .toFile(file);
  const loaded = await readBundleFile(TINY);
  const votes = async (tileSize?: number) => {
    const seen: number[][] = [];
    let size = { width: 0, height: 0 };
    await forEachImageStacks(
      {
        loaded,
        members: loaded.bundle.members,
        images: [{ id: 'frame', file }],
        cacheDir: null,
        ...(tileSize ? { tileSize } : {}),
      },
      (_, stacks, image) => {
        seen.push(...stacks.map((stack) => [...stack.set.pixels, ...stack.values]));
        size = image;
      },
    );
    return { seen, size };
  };
  const whole = await votes();
  assert.deepEqual(whole.size, { width: 600, height: 440, scaleFactor: 1 });
  assert.ok(whole.seen[0]!.length > 0, 'some cells are above the floor');
  assert.deepEqual(await votes(320), whole);
});
