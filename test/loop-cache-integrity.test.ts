import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { decodeHeatmap, encodeHeatmap } from '../src/engines/inference/heatmap-cache.js';
import { forEachImageStacks } from '../src/engines/inference/member-heatmaps.js';
import { FIXTURES, makeTempDir } from './support/paths.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

test('heatmap cache: a change of any single byte of an entry makes it undecodable', () => {
  // 2 classes on a 3×2 grid, four values above the floor
  const dense = Float32Array.from([0.5, 0.005, 0.9, 0.02, 0, 0, 0, 0.3, 0, 0, 0, 0]);
  const grid = { width: 3, height: 2 };
  const bytes = encodeHeatmap(dense, 2, grid, grid, { width: 12, height: 8 });
  const intact = decodeHeatmap(bytes)!;
  assert.deepEqual([intact.width, intact.height, intact.gridWidth], [12, 8, 3]);
  assert.deepEqual(Array.from(intact.classes[1]!.pixels), [1]);
  for (let i = 0; i < bytes.length; i++) {
    for (const flip of [0x01, 0x80]) {
      const damaged = Uint8Array.from(bytes);
      damaged[i] = damaged[i]! ^ flip;
      assert.equal(decodeHeatmap(damaged), null, `byte ${i} of ${bytes.length} ^ ${flip}`);
    }
  }
});

test('heatmap cache: an entry with one flipped byte is a miss, recomputed, and votes are unchanged', async () => {
  const dir = await makeTempDir('loop-integrity');
  // 16×16, a 4×4 block of grey 220 at x 4..7, y 0..3: one heatmap pixel with a = 220/255
  const pixels = new Uint8Array(16 * 16);
  for (let y = 0; y < 4; y++) for (let x = 4; x < 8; x++) pixels[y * 16 + x] = 220;
  const file = join(dir, 'spot.png');
  await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
    .png()
    .toFile(file);
  const loaded = await readBundleFile(TINY);
  const members = loaded.bundle.members;
  const cacheDir = join(dir, 'cache');
  const collect = async (cache: string | null) => {
    let values: number[] = [];
    const computed = await forEachImageStacks(
      { loaded, members, images: [{ id: 'spot', file }], cacheDir: cache },
      (_, stacks) => {
        values = stacks.flatMap((stack) => Array.from(stack.values));
      },
    );
    return { values, computed };
  };
  const fresh = await collect(null);
  assert.ok(
    fresh.values.some((v) => v > 0.5),
    'the spot is above the floor for some member',
  );
  assert.equal((await collect(cacheDir)).computed, members.length);

  // the last byte of an entry is the high byte of its last stored level: flipping it
  // changes that heatmap value by a large step while every length still adds up
  const folder = join(cacheDir, (await readdir(cacheDir)).sort()[0]!);
  const entry = join(folder, (await readdir(folder))[0]!);
  const bytes = await readFile(entry);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x40;
  await writeFile(entry, bytes);

  const again = await collect(cacheDir);
  assert.equal(again.computed, 1, 'the damaged entry is recomputed, the others are read');
  assert.deepEqual(again.values, fresh.values);
});
