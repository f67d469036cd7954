import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readBundleFile } from '../src/formats/bundle-file.js';
import {
  CACHE_FLOOR,
  decodeHeatmap,
  encodeHeatmap,
  readCachedHeatmap,
} from '../src/engines/inference/heatmap-cache.js';
import { forEachImageStacks } from '../src/engines/inference/member-heatmaps.js';
import { FIXTURES, makeTempDir } from './support/paths.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

test('heatmap cache: sparse uint16 levels of the cropped grid, by hand', () => {
  // 2 classes on a padded 3×2 grid, cropped to 2×2 (the right column is padding)
  const dense = Float32Array.from([
    // class 0: rows [0.5, 0.005, 0.9], [0.02, 1.5, 0.7]
    0.5, 0.005, 0.9, 0.02, 1.5, 0.7,
    // class 1: nothing above the floor inside the crop
    0, 0.01, 0.8, 0, 0, 0.6,
  ]);
  const bytes = encodeHeatmap(
    dense,
    2,
    { width: 3, height: 2 },
    { width: 2, height: 2 },
    { width: 8, height: 8 },
  );
  const decoded = decodeHeatmap(bytes)!;
  assert.equal(decoded.gridWidth, 2);
  assert.equal(decoded.gridHeight, 2);
  assert.equal(decoded.floor, CACHE_FLOOR);
  // class 0 keeps crop pixels 0 (0.5), 2 (0.02) and 3 (1.5 clipped to 1); 0.005 ≤ floor is dropped
  assert.deepEqual(Array.from(decoded.classes[0]!.pixels), [0, 2, 3]);
  const expected = [Math.round(0.5 * 65535) / 65535, Math.round(0.02 * 65535) / 65535, 1];
  decoded.classes[0]!.values.forEach((value, i) =>
    assert.ok(Math.abs(value - expected[i]!) < 1e-7, `value ${i}: ${value}`),
  );
  // 0.01 is not above the floor; 0.8 and 0.6 lie in the padding
  assert.equal(decoded.classes[1]!.pixels.length, 0);
});

test('heatmap cache: torn or foreign entries decode as missing, not as data', () => {
  const dense = Float32Array.from([0.5, 0.9, 0.3, 0.7]);
  const bytes = encodeHeatmap(
    dense,
    1,
    { width: 2, height: 2 },
    { width: 2, height: 2 },
    { width: 8, height: 8 },
  );
  assert.ok(decodeHeatmap(bytes));
  assert.equal(decodeHeatmap(new Uint8Array(0)), null, 'empty file');
  assert.equal(decodeHeatmap(bytes.subarray(0, bytes.length - 1)), null, 'truncated');
  assert.equal(decodeHeatmap(Buffer.concat([bytes, Buffer.from([0])])), null, 'trailing bytes');
  const foreign = Uint8Array.from(bytes);
  foreign[0] = 'X'.charCodeAt(0);
  assert.equal(decodeHeatmap(foreign), null, 'bad magic');
});

test('member heatmaps: a damaged cache entry is recomputed and rewritten; counts match an uncached run', async () => {
  const dir = await makeTempDir('heatmap-cache');
  const images: { id: string; file: string }[] = [];
  for (let k = 0; k < 3; k++) {
    // 16×16 with a bright 4×4 block whose place moves with k → a dicentric spot in a different cell
    const pixels = new Uint8Array(16 * 16);
    for (let y = 4 * k; y < 4 * k + 4; y++) for (let x = 4; x < 8; x++) pixels[y * 16 + x] = 220;
    const file = join(dir, `image-${k}.png`);
    await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
      .png()
      .toFile(file);
    images.push({ id: `image-${k}`, file });
  }
  const loaded = await readBundleFile(TINY);
  const members = loaded.bundle.members;
  const cacheDir = join(dir, 'cache');
  const collect = async (cache: string | null) => {
    const seen: number[][] = [];
    const computed = await forEachImageStacks(
      { loaded, members, images, cacheDir: cache },
      (index, stacks) => {
        seen[index] = stacks.flatMap((stack) => Array.from(stack.values));
      },
    );
    return { seen, computed };
  };
  const uncached = await collect(null);
  const first = await collect(cacheDir);
  assert.equal(first.computed, images.length * members.length);
  assert.deepEqual(first.seen, uncached.seen);
  assert.ok(
    uncached.seen.some((values) => values.some((v) => v > 0.5)),
    'the spot votes',
  );

  const memberFolder = join(cacheDir, (await readdir(cacheDir))[0]!);
  const entries = (await readdir(memberFolder)).sort();
  assert.equal(entries.length, images.length);
  const damaged = join(memberFolder, entries[0]!);
  await writeFile(damaged, Buffer.alloc(0));
  const second = await collect(cacheDir);
  assert.equal(second.computed, 1, 'only the damaged entry is recomputed');
  assert.deepEqual(second.seen, uncached.seen);
  assert.ok(decodeHeatmap(await readFile(damaged)), 'the entry was rewritten');
  assert.ok(await readCachedHeatmap(memberFolder, entries[0]!));
});
