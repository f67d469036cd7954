/**
 * What makes the shipped ensemble cheaper on one machine, each lever measured
 * against the plain ensemble (every member, one session with onnxruntime's
 * default threads) in the same run, on 1008×888 medium synthetic frames and
 * the eight real reference spreads:
 * - two sessions × one thread, each on every other frame, at once; and the
 *   product's own path (forEachImageStacks with its default lane plan,
 *   session-lanes.ts), which reads, decodes and votes as every command does;
 * - batches of two frames per run;
 * - running the members only on the metaphase's region (bench/spread-region.ts):
 *   pixels skipped, chromosomes of the generator's truth left outside, time;
 * - int8: the final weights quantised (bench/make-int8-member.py) against the
 *   same weights in float32, one member: time and heatmap change.
 * `npm run bench -- ensemble-levers [-- --model BUNDLE]`
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { memberPath, readBundleFile } from '../src/formats/bundle-file.js';
import { readTruthFile } from '../src/formats/truth-file.js';
import { EnsembleSession } from '../src/engines/inference/ensemble-session.js';
import { forEachImageStacks } from '../src/engines/inference/member-heatmaps.js';
import { lanePlan } from '../src/engines/inference/session-lanes.js';
import { prepareModelInput, type ModelInput } from '../src/imaging/model-input.js';
import { readGreyImage } from '../src/imaging/read-image.js';
import { findSpreadRegion, type PixelRegion } from './spread-region.js';
import { cpuModel } from './cpu-model.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'ensemble-levers'),
  options: { model: { type: 'string', default: join(root, 'models', 'demo', 'bundle.json') } },
});
const cpu = cpuModel();
const loaded = await readBundleFile(values.model!);
const { bundle } = loaded;
const members = await Promise.all(
  bundle.members.map((member) => readFile(memberPath(loaded, member))),
);
console.log(`CPU: ${cpu}; bundle ${loaded.path}: ${members.length} members`);

const work = await mkdtemp(join(tmpdir(), 'dicentra-levers-'));
const FRAMES = 10;
execFileSync(
  process.execPath,
  [
    join(root, 'dist', 'src', 'cli', 'main.js'),
    'synth',
    '--out',
    join(work, 'synth'),
    '--count',
    String(FRAMES),
    '--seed',
    '17',
    '--split',
    '1,0,0',
    '-q',
  ],
  { stdio: 'inherit' },
);
const truth = await readTruthFile(join(work, 'synth', 'truth.json'));
const synthetic = await Promise.all(
  truth.images.map((image) => readGreyImage(join(work, 'synth', image.path))),
);
const realFolder = join(root, 'test', 'fixtures', 'refs', 'real-metaphases', 'images');
const real = await Promise.all(
  (await readdir(realFolder)).sort().map((name) => readGreyImage(join(realFolder, name))),
);
const inputs = synthetic.map((image) => prepareModelInput(image, bundle.input));
const dimsOf = (input: { paddedWidth: number; paddedHeight: number }) =>
  [1, 1, input.paddedHeight, input.paddedWidth] as [number, number, number, number];

/** Seconds for `session` to run every member on every input, the best of `rounds`. */
async function seconds(
  session: EnsembleSession,
  frames: readonly { data: Float32Array; paddedWidth: number; paddedHeight: number }[],
  rounds = 2,
): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (const frame of frames) await session.run(frame.data, dimsOf(frame));
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

// 1. plain ensemble, and two one-thread sessions on alternate frames
const plain = await EnsembleSession.open(members);
await plain.run(inputs[0]!.data, dimsOf(inputs[0]!)); // first-run allocations
const plainSeconds = await seconds(plain, inputs);
const pair = await Promise.all(
  [0, 1].map(() => EnsembleSession.open(members, { intraOpThreads: 1 })),
);
await Promise.all(pair.map((session) => session.run(inputs[0]!.data, dimsOf(inputs[0]!))));
let pairSeconds = Infinity;
for (let round = 0; round < 2; round++) {
  const started = performance.now();
  await Promise.all(
    pair.map((session, k) =>
      seconds(
        session,
        inputs.filter((_, i) => i % 2 === k),
        1,
      ),
    ),
  );
  pairSeconds = Math.min(pairSeconds, (performance.now() - started) / 1000);
}
await Promise.all(pair.map((session) => session.close()));
// the product's path on the frame files, no cache: N and 3N frames, so that
// opening the sessions and their first runs (paid once per command) and the
// steady per-frame cost come apart
const plan = lanePlan(0);
const frameFiles = truth.images.map((image) => ({
  id: image.id,
  file: join(work, 'synth', image.path),
}));
async function productSeconds(repeat: number): Promise<number> {
  const started = performance.now();
  await forEachImageStacks(
    {
      loaded,
      members: bundle.members,
      images: Array.from({ length: repeat }, () => frameFiles).flat(),
      cacheDir: null,
    },
    () => undefined,
  );
  return (performance.now() - started) / 1000;
}
const productOnce = await productSeconds(1);
const productThrice = await productSeconds(3);
const productPerFrame = (productThrice - productOnce) / (2 * inputs.length);
const productStartup = productOnce - inputs.length * productPerFrame;
// batches of two frames (the synthetic frames share one size)
const batches = Array.from({ length: inputs.length / 2 }, (_, k) => 2 * k).map((i) => {
  const data = new Float32Array(2 * inputs[i]!.data.length);
  data.set(inputs[i]!.data);
  data.set(inputs[i + 1]!.data, inputs[i]!.data.length);
  return data;
});
let batchSeconds = Infinity;
for (let round = 0; round < 2; round++) {
  const started = performance.now();
  for (const data of batches) {
    await plain.run(data, [2, 1, inputs[0]!.paddedHeight, inputs[0]!.paddedWidth]);
  }
  batchSeconds = Math.min(batchSeconds, (performance.now() - started) / 1000);
}
const perFrame = plainSeconds / inputs.length;
console.log(
  `plain ensemble: ${perFrame.toFixed(2)} s/frame (${members.length} members, one session, default threads); ` +
    `500 cells ${((500 * perFrame) / 60).toFixed(1)} min`,
);
console.log(
  `two sessions × 1 thread on alternate frames: ${(pairSeconds / inputs.length).toFixed(2)} s/frame, ` +
    `${(plainSeconds / pairSeconds).toFixed(2)}× the plain throughput`,
);
console.log(
  `the product's path (${plan.lanes} lanes × ${plan.threadsPerLane} thread; reading, decoding and voting included): ` +
    `${productPerFrame.toFixed(2)} s/frame, ${(perFrame / productPerFrame).toFixed(2)}× the plain throughput, ` +
    `plus ${productStartup.toFixed(1)} s once per command (sessions opened and first runs); ` +
    `500 cells ${((500 * productPerFrame + productStartup) / 60).toFixed(1)} min`,
);
console.log(
  `batches of two frames: ${(batchSeconds / inputs.length).toFixed(2)} s/frame, ` +
    `${(plainSeconds / batchSeconds).toFixed(2)}× the plain throughput`,
);

// 2. the spread region
const align = bundle.input.padMultiple;
function cropToRegion(input: ModelInput, region: PixelRegion) {
  const x0 = Math.floor(region.x0 / align) * align;
  const y0 = Math.floor(region.y0 / align) * align;
  const x1 = Math.min(input.paddedWidth, Math.ceil(region.x1 / align) * align);
  const y1 = Math.min(input.paddedHeight, Math.ceil(region.y1 / align) * align);
  const data = new Float32Array((x1 - x0) * (y1 - y0));
  for (let y = y0; y < y1; y++) {
    data.set(
      input.data.subarray(y * input.paddedWidth + x0, y * input.paddedWidth + x1),
      (y - y0) * (x1 - x0),
    );
  }
  return { data, paddedWidth: x1 - x0, paddedHeight: y1 - y0, x0, y0 };
}
const MARGIN = 32;
const share = (images: typeof synthetic) => {
  let kept = 0;
  let total = 0;
  for (const image of images) {
    const r = findSpreadRegion(image, MARGIN);
    kept += (r.x1 - r.x0) * (r.y1 - r.y0);
    total += image.width * image.height;
  }
  return kept / total;
};
let chromosomes = 0;
let outside = 0;
truth.images.forEach((image, i) => {
  const r = findSpreadRegion(synthetic[i]!, MARGIN);
  for (const object of image.objects) {
    if (!['monocentric', 'dicentric', 'tricentric', 'ring', 'fragment'].includes(object.type))
      continue;
    chromosomes++;
    const [x0, y0, x1, y1] = object.bbox;
    if (x0 < r.x0 || y0 < r.y0 || x1 > r.x1 || y1 > r.y1) outside++;
  }
});
const crops = inputs.map((input, i) =>
  cropToRegion(input, findSpreadRegion(synthetic[i]!, MARGIN)),
);
const cropSeconds = await seconds(plain, crops);
await plain.close();
console.log(
  `spread region (margin ${MARGIN} px): skips ${(100 * (1 - share(synthetic))).toFixed(1)}% of the synthetic ` +
    `pixels and ${(100 * (1 - share(real))).toFixed(1)}% of the real ones; ${outside} of ${chromosomes} ` +
    `chromosomes of the truth outside; members on the regions: ${(plainSeconds / cropSeconds).toFixed(2)}× the plain throughput`,
);

// 3. int8: the final weights (the last member's epoch) quantised, against the same weights in float32
const last = bundle.members.at(-1)!;
const calibration = join(work, 'calibration.f32');
const calibrationFrames = inputs.slice(0, 3);
await writeFile(
  calibration,
  Buffer.concat(calibrationFrames.map((frame) => Buffer.from(frame.data.buffer))),
);
const quantised = join(work, 'int8.onnx');
execFileSync(
  '/usr/bin/python3',
  [
    join(root, 'bench', 'make-int8-member.py'),
    join(loaded.folder, 'weights.pt'),
    quantised,
    calibration,
    String(inputs[0]!.paddedHeight),
    String(inputs[0]!.paddedWidth),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const float = await EnsembleSession.open([members.at(-1)!]);
const int8 = await EnsembleSession.open([await readFile(quantised)]);
await int8.run(inputs[0]!.data, dimsOf(inputs[0]!));
await float.run(inputs[0]!.data, dimsOf(inputs[0]!));
let floatSeconds = Infinity;
let int8Seconds = Infinity;
for (let round = 0; round < 2; round++) {
  floatSeconds = Math.min(floatSeconds, await seconds(float, inputs, 1));
  int8Seconds = Math.min(int8Seconds, await seconds(int8, inputs, 1));
}
let largest = 0;
let flipped = 0;
let above = 0;
for (const input of inputs.slice(3)) {
  const a = (await float.run(input.data, dimsOf(input))).outputs[0]![0]!;
  const b = (await int8.run(input.data, dimsOf(input))).outputs[0]![0]!;
  for (let k = 0; k < a.length; k++) {
    largest = Math.max(largest, Math.abs(a[k]! - b[k]!));
    if (a[k]! >= 0.5) above++;
    if (a[k]! >= 0.5 !== b[k]! >= 0.5) flipped++;
  }
}
await float.close();
await int8.close();
console.log(
  `int8 (QDQ, epoch ${last.epoch} weights, calibrated on 3 frames, judged on the other ${inputs.length - 3}): ` +
    `${(floatSeconds / int8Seconds).toFixed(2)}× the float member's throughput; heatmap change up to ` +
    `${largest.toFixed(3)}, ${flipped} cells cross 0.5 (of ${above} above it in float)`,
);
