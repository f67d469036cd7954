import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { readBundleFile, verifyBundleMembers, memberPath } from '../src/formats/bundle-file.js';
import { resolveImagePath } from '../src/formats/dataset-file.js';
import { estimateChromosomeWidth, median } from '../src/cores/qc/chromosome-width.js';
import { prepareModelInput } from '../src/imaging/model-input.js';
import { readGreyImage } from '../src/imaging/read-image.js';
import { WORKER_PYTHONPATH } from '../src/engines/train/python-runtime.js';
import { makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';
import { makeTinyTrainingSet } from './support/tiny-training-set.js';

const PYTHON = process.env.DICENTRA_PYTHON ?? '/usr/bin/python3';
const EPOCHS = 12;
const WARMUP = 9;

const folder = await makeTempDir('train-e2e');
// 60×60 images: padded to 64×64 by the input rule (multiple 2^3), so padding is exercised.
const set = await makeTinyTrainingSet(join(folder, 'data'), { count: 9, size: 60, seed: 5 });
const runDir = join(folder, 'run');
const run = await runCli([
  'train',
  '--data',
  set.datasetPath,
  '--out',
  runDir,
  '--depth',
  '3',
  '--base-width',
  '8',
  '--norm',
  'group',
  '--batch-size',
  '2',
  '--lr',
  '0.003',
  '--epochs',
  String(EPOCHS),
  '--warmup',
  String(WARMUP),
  '--threads',
  '1',
  '--json',
]);

function runPython(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-m', 'dicentra_train', ...args], {
      env: { ...process.env, PYTHONPATH: WORKER_PYTHONPATH },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`python exited ${code}: ${stderr}`)),
    );
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

test('dicentra train writes a bundle that the bundle schema accepts, with verified members', async () => {
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { ok: boolean; members: number; epochs: number };
  assert.equal(result.ok, true);
  assert.equal(result.members, EPOCHS - WARMUP);
  const loaded = await readBundleFile(join(runDir, 'bundle.json'));
  const { bundle } = loaded;
  assert.deepEqual(
    bundle.members.map((m) => m.epoch),
    [10, 11, 12],
  );
  assert.deepEqual(bundle.classes, ['dicentric', 'fragment']);
  assert.equal(bundle.outputStride, 4);
  assert.equal(bundle.input.padMultiple, 8);
  assert.equal(bundle.architecture.featureChannels, 32);
  assert.equal(bundle.training.config.lambda, 0.2);
  assert.equal(bundle.training.config.batchSize, 2);
  // the training images' chromosome width, as inference measures frames (scale normalisation)
  assert.equal(bundle.version, '1.2');
  const widths: number[] = [];
  for (const image of set.dataset.images.filter((i) => i.split === 'train')) {
    const grey = await readGreyImage(resolveImagePath(set.datasetPath, image));
    widths.push(estimateChromosomeWidth(grey.data, grey.width, grey.height)!);
  }
  assert.equal(bundle.input.chromosomeWidthPx, Number(median(widths).toFixed(3)));
  await verifyBundleMembers(loaded, bundle.members); // throws on a sha256 mismatch
  const log = await readFile(join(runDir, 'train.log'), 'utf8');
  assert.match(log, /epoch 12\/12/);
});

test('training learns: validation loss falls well below the all-zero prediction', async () => {
  const { bundle } = await readBundleFile(join(runDir, 'bundle.json'));
  const lastEpoch = (JSON.parse(run.stdout) as { lastEpoch: { zeroLoss: number } }).lastEpoch;
  const last = bundle.members.at(-1)!.validation!;
  assert.ok(
    last.loss < 0.75 * lastEpoch.zeroLoss,
    `validation loss ${last.loss} vs all-zero ${lastEpoch.zeroLoss}`,
  );
});

test('the trainer and TypeScript inference prepare inputs identically (normalisation, reflect padding)', async () => {
  const { bundle } = await readBundleFile(join(runDir, 'bundle.json'));
  const cacheFile = (await readdir(join(runDir, 'cache'))).find((name) => name.startsWith('val-'));
  assert.ok(cacheFile, 'validation cache written by the trainer');
  const cache = new Float32Array(
    (await readFile(join(runDir, 'cache', cacheFile))).buffer.slice(0),
  );
  const val = set.dataset.images.filter((image) => image.split === 'val');
  let offset = 0;
  for (const image of val) {
    const prepared = prepareModelInput(
      await readGreyImage(resolveImagePath(set.datasetPath, image)),
      bundle.input,
    );
    assert.equal(prepared.paddedWidth, 64);
    const size = prepared.paddedWidth * prepared.paddedHeight;
    assert.ok(maxAbsDiff(prepared.data, cache.subarray(offset, offset + size)) <= 1e-6);
    offset += size;
  }
  assert.equal(offset, cache.length);
});

test('a member run by onnxruntime-node equals the PyTorch model on the same input', async () => {
  const loaded = await readBundleFile(join(runDir, 'bundle.json'));
  const last = loaded.bundle.members.at(-1)!; // the saved training state is this epoch
  const [n, h, w] = [2, 40, 56]; // another size than training: dynamic axes
  const random = new SeededRandom(11);
  const input = Float32Array.from({ length: n * h * w }, () => random.uniform());
  const inputPath = join(folder, 'parity-input.f32');
  await writeFile(inputPath, new Uint8Array(input.buffer));
  const prefix = join(folder, 'parity');
  await runPython([
    'torch-forward',
    '--run',
    runDir,
    '--input',
    inputPath,
    '--shape',
    `${n},1,${h},${w}`,
    '--out-prefix',
    prefix,
  ]);
  const session = await ort.InferenceSession.create(memberPath(loaded, last));
  const outputs = await session.run({ image: new ort.Tensor('float32', input, [n, 1, h, w]) });
  const heatmap = outputs.heatmap!;
  const features = outputs.features!;
  assert.deepEqual(heatmap.dims, [n, 2, h / 4, w / 4]);
  assert.deepEqual(features.dims, [n, 32, h / 4, w / 4]);
  const read = async (name: string) =>
    new Float32Array((await readFile(`${prefix}.${name}.f32`)).buffer.slice(0));
  const heatmapDiff = maxAbsDiff(heatmap.data as Float32Array, await read('heatmap'));
  const featuresDiff = maxAbsDiff(features.data as Float32Array, await read('features'));
  console.log(`# parity: heatmap max |Δ| ${heatmapDiff}, features max |Δ| ${featuresDiff}`);
  assert.ok(heatmapDiff <= 1e-5, `heatmap differs by ${heatmapDiff}`);
  assert.ok(featuresDiff <= 1e-4, `features differ by ${featuresDiff}`);
});

test("members' heatmaps peak on annotated objects more than on unannotated chromosomes", async () => {
  const loaded = await readBundleFile(join(runDir, 'bundle.json'));
  const { bundle } = loaded;
  const sessions = await Promise.all(
    bundle.members.map((m) => ort.InferenceSession.create(memberPath(loaded, m))),
  );
  const val = set.dataset.images.filter((image) => image.split === 'val');
  const onObjects: number[] = [];
  const onBars: number[] = [];
  for (const image of val) {
    const prepared = prepareModelInput(
      await readGreyImage(resolveImagePath(set.datasetPath, image)),
      bundle.input,
    );
    const [hh, hw] = [prepared.paddedHeight / 4, prepared.paddedWidth / 4];
    const at = (data: Float32Array, channel: number, [x, y]: readonly [number, number]) =>
      data[channel * hh * hw + Math.floor(y / 4) * hw + Math.floor(x / 4)]!;
    for (const session of sessions) {
      const { heatmap } = await session.run({
        image: new ort.Tensor('float32', prepared.data, [
          1,
          1,
          prepared.paddedHeight,
          prepared.paddedWidth,
        ]),
      });
      const data = heatmap!.data as Float32Array;
      bundle.classes.forEach((name, channel) => {
        for (const point of image.points![name]!) onObjects.push(at(data, channel, point));
        for (const bar of set.distractors.get(image.id)!) onBars.push(at(data, channel, bar));
      });
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(
    mean(onObjects) > 5 * mean(onBars),
    `mean heat on objects ${mean(onObjects)}, on bars ${mean(onBars)}`,
  );
});
