/**
 * Training throughput of the PyTorch worker on this machine's CPU.
 *
 * First, efficiency: the GFLOP/s of a full training step (forward, loss, backward,
 * optimiser; FLOPs = 3 × the forward's convolution FLOPs, counted from the model for the
 * input size) of the shipped `cpu` preset and of the demo recipe, beside the best rate
 * PyTorch reaches here on a large 3×3 convolution forward + backward, measured in the same
 * run, as a ratio. Settings: 1 process × 2 threads in fp32, with channels-last, with bf16
 * autocast where the CPU computes bf16 natively (avx512_bf16 / amx_bf16), and 2 processes
 * × 1 thread side by side (no gradient all-reduce: an upper bound for `--nproc 2`).
 * Rates are given per wall-second and per process CPU-second (the second stays meaningful
 * when other jobs share the cores).
 *
 * Then the default model (depth 4, base width 16, batch norm) on a whole 896×1008 image
 * (the paper's 888×1008 after padding) and on 256×256 crops in batches of 4, in fp32 and
 * with bf16 autocast: images/s, the bf16 speed-up, and what one epoch of the paper's 4,344
 * training images would take.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findTrainingPython, WORKER_PYTHONPATH } from '../src/engines/train/python-runtime.js';
import { cpuModel } from './cpu-model.js';

const PAPER_TRAIN_IMAGES = 4344;
const PAPER_PIXELS = 896 * 1008;

interface BenchEvent {
  event: 'bench';
  setting: string;
  height: number;
  width: number;
  batch: number;
  precision: string;
  threads: number;
  secondsPerStep: number;
  imagesPerSecond: number;
}

const { python } = await findTrainingPython();
const threads = Number(process.env.DICENTRA_BENCH_THREADS ?? 2);
const workerEnv = { ...process.env, PYTHONPATH: WORKER_PYTHONPATH };

interface Measured {
  flops: number;
  wallSeconds: number;
  cpuSeconds: number;
}
interface StepEvent extends Measured {
  event: 'step';
  recipe: string;
  setting: string;
  precision: string;
  crops: number;
  parameters: number;
}
type EfficiencyEvent =
  | { event: 'cpu'; threads: number; nativeBf16: boolean }
  | (Measured & { event: 'peak'; precision: string })
  | StepEvent;

/** The recipes compared: the shipped preset and the demo ensemble's (models/demo/README.md). */
const RECIPES = {
  'cpu preset': { preset: 'cpu' },
  demo: {
    crop: 256,
    batchSize: 12,
    optimizer: 'adamw',
    learningRate: 1e-3,
    norm: 'group',
    baseWidth: 8,
    stem: 'stride4',
    depth: 4,
    lambda: 0,
  },
};

async function efficiencyEvents(threadCount: number, settings: string): Promise<EfficiencyEvent[]> {
  const child = spawn(
    python,
    [
      '-m',
      'dicentra_train',
      'bench-efficiency',
      '--recipes-json',
      JSON.stringify(RECIPES),
      '--threads',
      String(threadCount),
      '--settings',
      settings,
      '--steps',
      process.env.DICENTRA_BENCH_STEPS ?? '3',
    ],
    { env: workerEnv, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const events: EfficiencyEvent[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    events.push(JSON.parse(line) as EfficiencyEvent);
  }
  return events;
}

const cpu = cpuModel();
const single = await efficiencyEvents(threads, 'fp32,fp32 channels-last,bf16 channels-last,bf16');
// Two single-thread processes at once, each with the whole batch: their summed rate.
const pair = await Promise.all([efficiencyEvents(1, 'fp32'), efficiencyEvents(1, 'fp32')]);
const cpuInfo = single.find((e) => e.event === 'cpu');
console.log(
  `CPU: ${cpu}; native bf16: ${cpuInfo?.event === 'cpu' && cpuInfo.nativeBf16 ? 'yes' : 'no'}; ${threads} threads`,
);
const gflops = (m: Measured, seconds: number) => m.flops / seconds / 1e9;
const peaks = new Map<string, Measured>();
for (const event of single) {
  if (event.event !== 'peak') continue;
  peaks.set(event.precision, event);
  console.log(
    `peak (best large 3×3 conv, fwd + bwd) ${event.precision}: ${gflops(event, event.wallSeconds).toFixed(1)} GFLOP/s wall, ` +
      `${gflops(event, event.cpuSeconds).toFixed(1)} GFLOP/s per CPU-second`,
  );
}
const steps = single.filter((e): e is StepEvent => e.event === 'step');
for (const [index, runs] of pair.entries()) {
  for (const event of runs) {
    if (event.event === 'step')
      steps.push({ ...event, setting: `2 processes × 1 thread (#${index + 1})` });
  }
}
for (const step of steps) {
  const peak = peaks.get(step.precision) ?? peaks.get('fp32');
  if (!peak) throw new Error('the efficiency bench printed no peak');
  const ratio = (seconds: number, peakSeconds: number) =>
    `${((100 * gflops(step, seconds)) / gflops(peak, peakSeconds)).toFixed(0)}%`;
  console.log(
    `${step.recipe.padEnd(10)} ${step.setting.padEnd(30)} ${(step.flops / step.crops / 1e9).toFixed(2)} GFLOP/crop (step, 3× fwd): ` +
      `${(step.crops / step.wallSeconds).toFixed(2)} crops/s, ${gflops(step, step.wallSeconds).toFixed(1)} GFLOP/s wall ` +
      `(${ratio(step.wallSeconds, peak.wallSeconds)} of peak), ${gflops(step, step.cpuSeconds).toFixed(1)} GFLOP/s per CPU-s ` +
      `(${ratio(step.cpuSeconds, peak.cpuSeconds)} of peak ${step.precision})`,
  );
}
for (const recipe of Object.keys(RECIPES)) {
  const both = steps.filter((s) => s.recipe === recipe && s.setting.startsWith('2 processes'));
  if (both.length !== 2) continue;
  const crops = both.reduce((sum, s) => sum + s.crops / s.wallSeconds, 0);
  console.log(`${recipe}: 2 processes × 1 thread together: ${crops.toFixed(2)} crops/s (wall)`);
}
const config = { crop: 256, batchSize: 4, threads };
const child = spawn(
  python,
  [
    '-m',
    'dicentra_train',
    'bench',
    '--config-json',
    JSON.stringify(config),
    '--size',
    '896x1008',
    '--batch',
    '1',
    '--steps',
    process.env.DICENTRA_BENCH_STEPS ?? '3',
  ],
  { env: workerEnv, stdio: ['ignore', 'pipe', 'inherit'] },
);
const results: BenchEvent[] = [];
for await (const line of createInterface({ input: child.stdout })) {
  const event = JSON.parse(line) as BenchEvent;
  if (event.event !== 'bench') continue;
  results.push(event);
  console.log(
    `${event.setting.padEnd(12)} ${event.height}×${event.width} batch ${event.batch} ${event.precision.padEnd(4)} ` +
      `${event.threads} threads: ${event.imagesPerSecond.toFixed(3)} images/s (${event.secondsPerStep.toFixed(2)} s/step)`,
  );
}
for (const setting of new Set(results.map((r) => r.setting))) {
  const fp32 = results.find((r) => r.setting === setting && r.precision === 'fp32');
  const bf16 = results.find((r) => r.setting === setting && r.precision === 'bf16');
  if (!fp32 || !bf16) continue;
  const pixelsPerImage = fp32.height * fp32.width;
  const epochSeconds = (r: BenchEvent) =>
    (PAPER_TRAIN_IMAGES * PAPER_PIXELS) / (r.imagesPerSecond * pixelsPerImage);
  console.log(
    `${setting}: bf16 ${(bf16.imagesPerSecond / fp32.imagesPerSecond).toFixed(2)}× the fp32 baseline; ` +
      `an epoch of the paper's ${PAPER_TRAIN_IMAGES} images (same pixel count) ≈ ` +
      `${(epochSeconds(fp32) / 3600).toFixed(1)} h fp32, ${(epochSeconds(bf16) / 3600).toFixed(1)} h bf16`,
  );
}
