import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { forEachImageStacks } from '../src/engines/inference/member-heatmaps.js';
import { lanePlan } from '../src/engines/inference/session-lanes.js';
import { FIXTURES, makeTempDir } from './support/paths.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

test('lane plan: one single-thread lane per thread up to four, the rest within lanes', () => {
  assert.deepEqual(lanePlan(0, 2), { lanes: 2, threadsPerLane: 1 });
  assert.deepEqual(lanePlan(1, 2), { lanes: 1, threadsPerLane: 1 });
  assert.deepEqual(lanePlan(3, 2), { lanes: 3, threadsPerLane: 1 });
  assert.deepEqual(lanePlan(0, 16), { lanes: 4, threadsPerLane: 4 });
  assert.deepEqual(lanePlan(10, 16), { lanes: 4, threadsPerLane: 2 });
});

test('lanes: images run side by side are visited in order, each with its own heatmaps', async () => {
  const dir = await makeTempDir('loop-lanes');
  // image k: a 4×4 white block in output cell k of a 16×16 frame (4×4 cells of 4 px),
  // so after min-max normalisation a = 1 in that cell and 0 elsewhere
  const images: { id: string; file: string }[] = [];
  for (let k = 0; k < 9; k++) {
    const file = join(dir, `cell-${k}.png`);
    if (k === 4) {
      await writeFile(file, 'not a png');
    } else {
      const pixels = new Uint8Array(16 * 16);
      const [u, v] = [k % 4, Math.floor(k / 4)];
      for (let y = 4 * v; y < 4 * v + 4; y++)
        for (let x = 4 * u; x < 4 * u + 4; x++) pixels[y * 16 + x] = 255;
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
        .png()
        .toFile(file);
    }
    images.push({ id: `cell-${k}`, file });
  }
  const loaded = await readBundleFile(TINY);
  const members = loaded.bundle.members;
  const run = async (threads: number) => {
    const visits: { index: number; pixels: number[]; values: number[] }[] = [];
    const unreadable: number[] = [];
    await forEachImageStacks(
      {
        loaded,
        members,
        images,
        cacheDir: null,
        threads,
        onUnreadable: (index) => unreadable.push(index),
      },
      async (index, stacks) => {
        // a slow visitor: later images finish meanwhile and must wait their turn
        await new Promise((resolve) => setTimeout(resolve, 5));
        visits.push({
          index,
          pixels: Array.from(stacks[0]!.set.pixels),
          values: Array.from(stacks[0]!.values),
        });
      },
    );
    return { visits, unreadable };
  };
  const one = await run(1);
  const three = await run(3);
  assert.deepEqual(three, one);
  assert.deepEqual(one.unreadable, [4]);
  assert.deepEqual(
    one.visits.map((visit) => visit.index),
    [0, 1, 2, 3, 5, 6, 7, 8],
  );
  // member of epoch e: dicentric = sigmoid(20·a − 10 − 2(e − 3)); only the block's cell is above the floor
  const expected = members.map((member) => 1 / (1 + Math.exp(-(20 - 10 - 2 * (member.epoch - 3)))));
  for (const visit of one.visits) {
    assert.deepEqual(visit.pixels, [visit.index], `image ${visit.index}: its block's cell only`);
    visit.values.forEach((value, j) =>
      assert.ok(
        Math.abs(value - expected[j]!) < 1e-4,
        `image ${visit.index} member ${j}: ${value}`,
      ),
    );
  }
});
