import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { cellCounts, cellTruth } from '../src/cores/synth/cell-truth.js';
import { aberrationScore, drawAberrations } from '../src/cores/synth/dose-model.js';
import { generateCell } from '../src/cores/synth/generate-cell.js';
import { imageParameters } from '../src/cores/synth/image-parameters.js';
import { bodyFootprint } from '../src/cores/synth/render-cell.js';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { generateSynthDataset } from '../src/engines/synth/synth-dataset.js';
import { truthSchema } from '../src/formats/truth.js';
import { makeTempDir } from './support/paths.js';

const WIDE = resolveSynthParameters({ width: 1008, height: 888, difficulty: 'wide' });
const SEED = 17;
const id = { id: 'c', path: 'c.png', split: 'none' as const };

function wideCell(index: number, doseGy = 4) {
  const params = imageParameters(SEED, index, WIDE);
  return {
    params,
    cell: generateCell(SEED, { index, doseGy, doseRange: [0, 5], minAberrations: 0 }, params),
  };
}

test('wide images draw frames, chromosome widths 8–22 px, stains and compression per image', () => {
  const drawn = Array.from({ length: 200 }, (_, index) => imageParameters(SEED, index, WIDE));
  const frames = new Set(drawn.map((p) => `${p.width}x${p.height}`));
  assert.equal(frames.size, 7, 'every camera frame');
  for (const p of drawn) {
    const widthPx = 15 * p.scale;
    assert.ok(widthPx >= 8 - 1e-9 && widthPx <= 22 + 1e-9, `width ${widthPx}`);
    const [s0, s1] = p.cell.sisterSeparation!;
    assert.ok(s0 === s1 && s0 >= 0 && s0 <= 1);
    assert.equal(p.wide, undefined, 'an image record is fully drawn');
    assert.equal(p.difficulty, 'wide');
  }
  const widths = drawn.map((p) => 15 * p.scale);
  assert.ok(Math.min(...widths) < 9 && Math.max(...widths) > 20, 'the whole width range');
  const rgb = drawn.filter((p) => p.optics.rgb).length;
  const jpeg = drawn.filter((p) => p.optics.jpegQuality !== null).length;
  assert.ok(rgb > 60 && rgb < 140, `${rgb} colour of 200`);
  assert.ok(jpeg > 80 && jpeg < 160, `${jpeg} JPEG of 200`);
  // Stain contrast 1.5–3.8 and noise σ 0.3–7: down to the references' dim, smoothed captures.
  const contrasts = drawn.map((p) => p.optics.contrast[0]);
  const noises = drawn.map((p) => p.optics.noiseSigma[0]);
  assert.ok(contrasts.every((c) => c >= 1.5 && c <= 3.8));
  assert.ok(noises.every((n) => n >= 0.3 && n <= 7));
  assert.ok(
    Math.min(...contrasts) < 1.7 && Math.max(...contrasts) > 3.6,
    'the whole contrast range',
  );
  assert.ok(Math.min(...noises) < 0.8 && Math.max(...noises) > 6.5, 'the whole noise range');
});

test('a truth.json 1.2 wide record (no contrast or noise range) still draws the medium optics, as it did', () => {
  const older = { ...WIDE.wide! };
  delete older.contrast;
  delete older.noiseSigma;
  const old = { ...WIDE, wide: older };
  for (let index = 0; index < 50; index++) {
    const p = imageParameters(SEED, index, old);
    const now = imageParameters(SEED, index, WIDE);
    assert.ok(p.optics.contrast[0] >= 2 && p.optics.contrast[0] <= 3.4);
    assert.ok(p.optics.noiseSigma[0] >= 3.5 && p.optics.noiseSigma[0] <= 7);
    // Everything else is drawn from the same stream in the same order.
    assert.deepEqual(
      [p.width, p.height, p.scale, p.optics.blurSigmaPx],
      [now.width, now.height, now.scale, now.optics.blurSigmaPx],
    );
  }
});

test('wide cells keep the exact truth: drawn aberrations realised, 46 centromeres, two on each dicentric body, none on fragments', () => {
  let dicentrics = 0;
  let fragments = 0;
  for (let index = 0; index < 14; index++) {
    const { cell } = wideCell(index);
    const draw = drawAberrations(new SeededRandom(SEED, index, 0), 4, WIDE.yields);
    const score = aberrationScore(draw);
    const counts = cellCounts(cell);
    assert.equal(counts.dicentric, score.dicentric, `cell ${index}: dose-model dicentrics`);
    // a drawn ring (and its fragment) is left out when no chromosome is long enough to close
    const droppedRings = draw.rings - counts.ring;
    if (droppedRings === 0) {
      assert.equal(counts.fragment, score.fragment, `cell ${index}: dose-model fragments`);
    } else {
      assert.ok(counts.fragment >= score.fragment - droppedRings, `cell ${index}: fragments`);
    }
    assert.equal(counts.centromeres, 46);
    const truth = cellTruth(cell, id);
    cell.bodies.forEach((body, k) => {
      const object = truth.objects[k] as { centromeres: [number, number][] };
      if (body.spec.type === 'fragment') {
        fragments++;
        assert.equal(object.centromeres.length, 0);
      }
      if (body.spec.type !== 'dicentric') return;
      dicentrics++;
      assert.equal(object.centromeres.length, 2);
      const footprint = bodyFootprint(cell, k);
      for (const [x, y] of object.centromeres) {
        const stain = footprint[Math.floor(y) * cell.width + Math.floor(x)]!;
        assert.ok(stain >= 0.4, `cell ${index}: centromere (${x}, ${y}) off its dicentric`);
      }
    });
  }
  assert.ok(dicentrics >= 8 && fragments >= 8, `${dicentrics} dicentrics, ${fragments} fragments`);
});

test("an image's recorded parameters alone regenerate it, and aberrations meet normals", () => {
  let contacts = 0;
  for (let index = 0; index < 30; index++) {
    const { params, cell } = wideCell(index, 3);
    contacts += cell.bodies.filter(
      (b) => b.target && (b.tags.has('crossing') || b.tags.has('touching-end-to-end')),
    ).length;
    if (index >= 6) continue;
    const again = generateCell(
      SEED,
      { index, doseGy: 3, doseRange: [0, 5], minAberrations: 0 },
      JSON.parse(JSON.stringify(params)),
    );
    assert.deepEqual(cellTruth(again, id), cellTruth(cell, id));
  }
  assert.ok(contacts >= 1, 'some dicentric or fragment touches or crosses a chromosome');
});

test('a wide set is byte-identical with 1 and 2 threads and records each image in truth.json', async () => {
  const outputs: Map<string, Buffer>[] = [];
  for (const threads of [1, 2]) {
    const dir = await makeTempDir(`wide${threads}`);
    await generateSynthDataset({
      outDir: dir,
      seed: 5,
      params: WIDE,
      mode: 'train',
      count: 3,
      doseRange: [0, 5],
      minAberrations: 1,
      labels: false,
      splitRatios: { train: 1, val: 0, test: 0 },
      threads,
      toolVersion: 'test',
    });
    const files = new Map<string, Buffer>();
    for (const name of ['truth.json', 'dataset.json']) {
      files.set(name, await readFile(join(dir, name)));
    }
    for (const name of await readdir(join(dir, 'images'))) {
      files.set(name, await readFile(join(dir, 'images', name)));
    }
    outputs.push(files);
    const truth = truthSchema.parse(JSON.parse(files.get('truth.json')!.toString()));
    for (const image of truth.images) {
      const meta = await sharp(join(dir, image.path)).metadata();
      assert.equal(meta.width, image.parameters!.width);
      assert.equal(meta.height, image.parameters!.height);
      assert.equal(meta.channels, image.parameters!.optics.rgb ? 3 : 1);
    }
  }
  const [a, b] = outputs;
  assert.deepEqual([...a!.keys()].sort(), [...b!.keys()].sort());
  for (const [name, bytes] of a!) assert.ok(bytes.equals(b!.get(name)!), `${name} differs`);
});
