/**
 * Scale normalisation: a bundle that records the chromosome width it was
 * trained at (input.chromosomeWidthPx) sees every frame at that width. Checked
 * against hand-computed widths and resampling, the generator's own scale, and
 * detections of the hand-set tiny bundle mapped back onto the frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { estimateChromosomeWidth, median } from '../src/cores/qc/chromosome-width.js';
import { toOriginalGrid } from '../src/engines/inference/scale-normalisation.js';
import { readGreyImage } from '../src/imaging/read-image.js';
import { resizeGrey } from '../src/imaging/resample.js';
import { readTruthFile } from '../src/formats/truth-file.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';

/** A white frame with dark w×l bars, their centres returned. */
function barsFrame(width: number, height: number, w: number, l: number) {
  const data = new Float32Array(width * height).fill(240);
  const centres: [number, number][] = [];
  for (let top = 20; top + l < height - 20; top += l + 30) {
    for (let left = 20; left + w < width - 20; left += 40) {
      for (let y = top; y < top + l; y++)
        for (let x = left; x < left + w; x++) data[y * width + x] = 40;
      centres.push([left + w / 2, top + l / 2]);
    }
  }
  return { image: { width, height, bitDepth: 8 as const, data }, centres };
}

test('the width estimate of drawn bars is their ribbon width 2·area/boundary, and doubles with them', () => {
  for (const w of [4, 8]) {
    const { image } = barsFrame(300, 300, w, 40);
    // boundary pixels (a 4-neighbour outside) of a w×40 bar: 2(w + 40) − 4
    const ribbon = (2 * w * 40) / (2 * (w + 40) - 4);
    const estimate = estimateChromosomeWidth(image.data, image.width, image.height)!;
    assert.ok(
      Math.abs(estimate - ribbon) <= 0.1 * ribbon,
      `bars ${w} px: ${estimate} vs ${ribbon}`,
    );
  }
  const blank = new Float32Array(200 * 200).fill(200);
  assert.equal(estimateChromosomeWidth(blank, 200, 200), null);
});

test('on generated frames the estimate follows the generator scale', async () => {
  const dir = await makeTempDir('scale-synth');
  const widths: number[][] = [];
  for (const scale of ['1', '0.7']) {
    const out = join(dir, scale);
    const run = await runCli([
      ...['synth', '--out', out, '--count', '6', '--seed', '9', '--size', '640x560'],
      ...['--scale', scale, '--split', '1,0,0', '--threads', '1', '-q'],
    ]);
    assert.equal(run.code, 0, run.stderr);
    const truth = await readTruthFile(join(out, 'truth.json'));
    const estimates: number[] = [];
    for (const image of truth.images) {
      const grey = await readGreyImage(join(out, image.path));
      estimates.push(estimateChromosomeWidth(grey.data, grey.width, grey.height)!);
    }
    widths.push(estimates);
  }
  const ratio = median(widths[1]!) / median(widths[0]!);
  assert.ok(ratio > 0.6 && ratio < 0.8, `width ratio ${ratio} for a scale ratio of 0.7`);
});

test('resizeGrey maps pixel centres onto pixel centres (a ramp stays the same ramp)', () => {
  const ramp = { width: 8, height: 2, bitDepth: 8 as const, data: new Float32Array(16) };
  for (let y = 0; y < 2; y++) for (let x = 0; x < 8; x++) ramp.data[y * 8 + x] = 10 * x;
  const doubled = resizeGrey(ramp, 2);
  assert.equal(doubled.width, 16);
  assert.equal(doubled.height, 4);
  // output x sits at input (x + 0.5)/2 − 0.5, clamped to [0, 7]: 0, 0, 5, 15, 25, …, 65, 70, 70
  const row = Array.from(doubled.data.subarray(16, 32));
  const expected = Array.from(
    { length: 16 },
    (_, x) => 10 * Math.min(7, Math.max(0, (x + 0.5) / 2 - 0.5)),
  );
  row.forEach((value, x) => assert.ok(Math.abs(value - expected[x]!) < 1e-4, `x ${x}: ${value}`));
});

test('outputs of a resized frame come back on the frame grid at the cell centres', () => {
  const stride = 4;
  const original = { width: 64, height: 32 };
  const resized = { width: 128, height: 64 };
  // a plane on the resized grid (32 × 16 cells) whose value is its cell's centre x in resized pixels
  const from = { width: 32, height: 16 };
  const plane = new Float32Array(from.width * from.height);
  for (let v = 0; v < from.height; v++)
    for (let u = 0; u < from.width; u++) plane[v * from.width + u] = u * stride + 1.5;
  const back = toOriginalGrid(plane, stride, 16, original, resized);
  assert.equal(back.length, 16 * 8);
  // original cell u has its centre at 4u + 1.5, i.e. at 2(4u + 2) − 0.5 = 8u + 3.5 in the resized frame
  for (let u = 1; u < 15; u++)
    assert.ok(Math.abs(back[2 * 16 + u]! - (8 * u + 3.5)) < 1e-4, `cell ${u}: ${back[2 * 16 + u]}`);
  // the same size in and out: unchanged
  const same = toOriginalGrid(plane, stride, 16, resized, resized);
  assert.deepEqual(Array.from(same), Array.from(plane));
});

test("detect resizes a frame to the bundle's chromosome width and maps detections back onto it", async () => {
  const dir = await makeTempDir('scale-detect');
  const frames = join(dir, 'frames');
  await mkdir(frames);
  const { image, centres } = barsFrame(160, 128, 4, 24);
  const bytes = Uint8Array.from(image.data, (v) => Math.round(v));
  await sharp(bytes, { raw: { width: 160, height: 128, channels: 1 } })
    .png()
    .toFile(join(frames, 'bars.png'));
  const estimate = estimateChromosomeWidth(image.data, 160, 128)!;
  // trained at the frame's width (no resizing), at twice it (frame doubled), at half it (halved)
  const widths = { same: estimate, double: 2 * estimate, half: estimate / 2 };
  const found: Record<string, [number, number][]> = {};
  for (const [name, width] of Object.entries(widths)) {
    const folder = join(dir, name);
    await cp(join(FIXTURES, 'tiny-bundle'), folder, { recursive: true });
    const path = join(folder, 'bundle.json');
    const bundle = JSON.parse(await readFile(path, 'utf8'));
    bundle.version = '1.2';
    bundle.input.chromosomeWidthPx = width;
    await writeFile(path, JSON.stringify(bundle));
    const out = join(dir, `${name}.json`);
    const cache = join(dir, `${name}-cache`);
    const detect = () =>
      runCli([
        ...['detect', '--model', folder, '--images', frames, '--out', out, '--cache', cache],
        ...['--members', 'all', '--tc', '0.5', '--ta', '4'],
      ]);
    const run = await detect();
    assert.equal(run.code, 0, run.stderr);
    const detections = JSON.parse(await readFile(out, 'utf8'));
    assert.deepEqual([detections.images[0].width, detections.images[0].height], [160, 128]);
    // the factor is recorded (the frame's width estimate is what the bundle's is divided by)
    assert.equal(detections.images[0].scaleFactor, { same: undefined, double: 2, half: 0.5 }[name]);
    if (name !== 'same') assert.match(run.stderr, /1 of 1 frames resized/);
    // a second run reads every heatmap from the cache and writes the same detections and factor
    const again = await detect();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /0 member heatmaps computed/);
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')).images, detections.images);
    // the tiny members' fragment channel fires where the frame is dark: on the bars
    found[name] = detections.images[0].detections.fragment.map(
      (d: { x: number; y: number }) => [d.x, d.y] as [number, number],
    );
  }
  for (const name of ['same', 'double']) {
    assert.equal(found[name]!.length, centres.length, `${name}: ${JSON.stringify(found[name])}`);
    for (const [x, y] of centres) {
      const nearest = Math.min(...found[name]!.map(([dx, dy]) => Math.hypot(dx - x, dy - y)));
      assert.ok(nearest <= 3, `${name}: no detection within 3 px of the bar at (${x}, ${y})`);
    }
  }
  // Halved, a bar is 2 px wide and darkens half of a 4×4 cell: the members' fragment values are
  // sigmoid(20 · 0.5 − bias_k) = 0.98, 0.88, 0.5, 0.12, 0.02, too few votes for T_A 4.
  assert.deepEqual(found.half, []);
});
