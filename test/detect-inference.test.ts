import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { prepareModelInput } from '../src/imaging/model-input.js';
import type { InputRule } from '../src/formats/bundle.js';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { BundleEnsemble } from '../src/engines/inference/bundle-ensemble.js';
import { readDetectionsFile } from '../src/formats/detections-file.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** The fixture's member k: heatmap = sigmoid(20·[a, 1 − a] − (10 + 2(k − 3))), a = 4×4 mean. */
const bias = (epoch: number) => 10 + 2 * (epoch - 3);

function rule(padMode: InputRule['padMode'], normalisation: InputRule['normalisation']): InputRule {
  return { channels: 1, padMultiple: 4, padMode, padValue: 0.25, normalisation };
}

test('model input: min–max normalisation and bottom/right padding by hand', () => {
  // 3 wide × 2 high, values 10..60 → (x − 10)/50
  const image = {
    width: 3,
    height: 2,
    bitDepth: 8 as const,
    data: Float32Array.from([10, 20, 30, 40, 50, 60]),
  };
  const n = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const constant = prepareModelInput(image, rule('constant', { kind: 'minmax' }));
  assert.equal(constant.paddedWidth, 4);
  assert.equal(constant.paddedHeight, 4);
  const c = 0.25;
  const expectConstant = [n[0], n[1], n[2], c, n[3], n[4], n[5], c, c, c, c, c, c, c, c, c];
  Array.from(constant.data).forEach((v, i) =>
    assert.ok(Math.abs(v - expectConstant[i]!) < 1e-6, `constant ${i}`),
  );
  // reflect (numpy/torch): column 3 mirrors column 1; rows 2, 3 mirror rows 0 (=2−2) and … row index 3 → period 2 → row 1
  const reflect = prepareModelInput(image, rule('reflect', { kind: 'minmax' }));
  const r0 = [n[0], n[1], n[2], n[1]];
  const r1 = [n[3], n[4], n[5], n[4]];
  const expectReflect = [...r0, ...r1, ...r0, ...r1];
  Array.from(reflect.data).forEach((v, i) =>
    assert.ok(Math.abs(v - expectReflect[i]!) < 1e-6, `reflect ${i}`),
  );
  const edge = prepareModelInput(image, rule('edge', { kind: 'minmax' }));
  const e0 = [n[0], n[1], n[2], n[2]];
  const e1 = [n[3], n[4], n[5], n[5]];
  const expectEdge = [...e0, ...e1, ...e1, ...e1];
  Array.from(edge.data).forEach((v, i) =>
    assert.ok(Math.abs(v - expectEdge[i]!) < 1e-6, `edge ${i}`),
  );
});

test('model input: percentile normalisation clips, percentiles by linear interpolation', () => {
  // values 0..100 step 20 (n = 6): p10 at 0.5 → 10; p90 at 4.5 → 90
  const image = {
    width: 6,
    height: 1,
    bitDepth: 16 as const,
    data: Float32Array.from([0, 20, 40, 60, 80, 100]),
  };
  const input = prepareModelInput(
    image,
    rule('constant', { kind: 'percentile', low: 10, high: 90 }),
  );
  const expected = [0, 0.125, 0.375, 0.625, 0.875, 1];
  expected.forEach((v, i) => assert.ok(Math.abs(input.data[i]! - v) < 1e-6, `pixel ${i}`));
  assert.equal(input.paddedWidth, 8);
  // a flat image maps to 0, never NaN
  const flat = prepareModelInput(
    { width: 2, height: 2, bitDepth: 8, data: new Float32Array(4).fill(7) },
    rule('edge', { kind: 'minmax' }),
  );
  assert.deepEqual(Array.from(flat.data), Array(16).fill(0));
});

test('inference in the worker matches the hand-computed heatmaps of the fixture members', async () => {
  const loaded = await readBundleFile(TINY);
  const ensemble = await BundleEnsemble.open(loaded, loaded.bundle.members);
  try {
    // 8×8 image: top-left 4×4 block 255, the rest 0 → a = 1 at heatmap (0,0), 0 elsewhere; padded to 16×16
    const data = new Float32Array(64);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[y * 8 + x] = 255;
    const input = prepareModelInput(
      { width: 8, height: 8, bitDepth: 8, data },
      loaded.bundle.input,
    );
    for (const [j, member] of loaded.bundle.members.entries()) {
      // 2 classes × 4 × 4 heatmap cells
      const map = (await ensemble.run(input, j)).heatmap;
      assert.equal(map.length, 2 * 4 * 4);
      // class 0 (dicentric) at (0,0): sigmoid(20·1 − b); at (1,0): sigmoid(−b); class 1 at (1,0): sigmoid(20 − b)
      assert.ok(Math.abs(map[0]! - sigmoid(20 - bias(member.epoch))) < 1e-6);
      assert.ok(Math.abs(map[1]! - sigmoid(-bias(member.epoch))) < 1e-6);
      assert.ok(Math.abs(map[16 + 1]! - sigmoid(20 - bias(member.epoch))) < 1e-6);
      // padding (constant 0) is background: a = 0 at (3,3)
      assert.ok(Math.abs(map[15]! - sigmoid(-bias(member.epoch))) < 1e-6);
    }
  } finally {
    await ensemble.close();
  }
});

test('inference runs off the main thread: timers keep firing while members run', async () => {
  const loaded = await readBundleFile(TINY);
  const ensemble = await BundleEnsemble.open(loaded, loaded.bundle.members, { intraOpThreads: 1 });
  try {
    const size = 2048;
    const data = new Float32Array(size * size);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 255;
    let ticks = 0;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    // the main thread itself normalises the image (prepareModelInput); the members run in the worker
    for (let i = 0; i < 3; i++) {
      const input = prepareModelInput(
        { width: size, height: size, bitDepth: 8, data },
        loaded.bundle.input,
      );
      for (let j = 0; j < loaded.bundle.members.length; j++) await ensemble.run(input, j);
    }
    const elapsed = performance.now() - started;
    clearInterval(timer);
    assert.ok(elapsed > 150, `the run is long enough to tell (${elapsed.toFixed(0)} ms)`);
    assert.ok(ticks >= elapsed / 50, `timers fired ${ticks} times in ${elapsed.toFixed(0)} ms`);
    assert.ok(
      maxGap < elapsed / 3,
      `longest main-thread stall ${maxGap.toFixed(0)} ms of ${elapsed.toFixed(0)} ms`,
    );
  } finally {
    await ensemble.close();
  }
});

async function imagesFolder(): Promise<string> {
  const dir = await makeTempDir('detect');
  // 24×20: a 200-grey 4×4 block at x 8..11, y 4..7 → dicentric spot; a 255 block at x 0..3, y 12..15
  const pixels = new Uint8Array(24 * 20);
  for (let y = 4; y < 8; y++) for (let x = 8; x < 12; x++) pixels[y * 24 + x] = 200;
  for (let y = 12; y < 16; y++) for (let x = 0; x < 4; x++) pixels[y * 24 + x] = 255;
  await sharp(pixels, { raw: { width: 24, height: 20, channels: 1 } })
    .png()
    .toFile(join(dir, 'good.png'));
  await writeFile(join(dir, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really a png'));
  return dir;
}

test('detect: a corrupt image exits 3, the others are processed and the failure listed', async () => {
  const dir = await imagesFolder();
  const out = join(dir, 'out', 'detections.json');
  const run = await runCli([
    'detect',
    '--model',
    TINY,
    '--images',
    dir,
    '--members',
    'all',
    '--tc',
    '0.5',
    '--ta',
    '2',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /DCN_E_IMAGES_FAILED/);
  const summary = JSON.parse(run.stdout) as { ok: boolean; errors: { id: string }[] };
  assert.equal(summary.ok, false);
  assert.deepEqual(
    summary.errors.map((e) => e.id),
    ['broken'],
  );
  const detections = await readDetectionsFile(out);
  assert.deepEqual(
    detections.errors.map((e) => e.code),
    ['DCN_E_IMAGE_DECODE'],
  );
  assert.equal(detections.images.length, 1);
  const good = detections.images[0]!;
  // a = 200/255 on the first block: member k votes when sigmoid(20·0.784 − b_k) > 0.5, i.e. 15.69 > b_k: all 5
  // a = 1 on the second block: all 5. S = 5 > T_A = 2 on both; each is one 4×4 input block = one heatmap pixel.
  const spots = good.detections.dicentric!.map((d) => [d.x, d.y, d.area, d.votes]);
  assert.deepEqual(spots, [
    [10, 6, 16, 5],
    [2, 14, 16, 5],
  ]);
  assert.equal(good.counts.dicentric, 2);
  // detect votes on the heatmap cache's 16-bit levels: within 1/131070 of the network's value
  assert.ok(
    Math.abs(good.detections.dicentric![0]!.maxValue - sigmoid(20 * (200 / 255) - 6)) <
      1 / 131070 + 1e-7,
  );
});

test('detect: a member whose bytes differ from its sha256 is refused with exit 4', async () => {
  const dir = await makeTempDir('tamper');
  await cp(join(FIXTURES, 'tiny-bundle'), join(dir, 'bundle'), { recursive: true });
  const member = join(dir, 'bundle', 'members', 'epoch-003.onnx');
  const bytes = await readFile(member);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  await writeFile(member, bytes);
  const images = await imagesFolder();
  const out = join(dir, 'detections.json');
  const run = await runCli([
    'detect',
    '--model',
    join(dir, 'bundle', 'bundle.json'),
    '--images',
    images,
    '--members',
    'all',
    '--out',
    out,
  ]);
  assert.equal(run.code, 4, run.stderr);
  assert.match(run.stderr, /DCN_E_BUNDLE_TAMPERED/);
  assert.match(run.stderr, /epoch 3/);
  await assert.rejects(readFile(out), 'nothing is written');
});

test('detect: a bundle of an unknown major version is refused with a clear message', async () => {
  const dir = await makeTempDir('version');
  await cp(join(FIXTURES, 'tiny-bundle'), join(dir, 'bundle'), { recursive: true });
  const path = join(dir, 'bundle', 'bundle.json');
  const bundle = JSON.parse(await readFile(path, 'utf8')) as { version: string };
  bundle.version = '2.0';
  await writeFile(path, JSON.stringify(bundle));
  const run = await runCli([
    'detect',
    '--model',
    path,
    '--images',
    dir,
    '--out',
    join(dir, 'd.json'),
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /DCN_E_VERSION_UNSUPPORTED/);
  assert.match(run.stderr, /upgrade dicentra/);
});
