/**
 * Training throughput of the PyTorch worker on this machine's CPU: full steps
 * (forward, loss, backward, Adam) of the default model (depth 4, base width 16,
 * batch norm) on a whole 896×1008 image (the paper's 888×1008 after padding)
 * and on 256×256 crops in batches of 4, in fp32 (the baseline) and with bf16
 * autocast. Prints images/s, the bf16 speed-up, and what one epoch of the
 * paper's 4,344 training images would take.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findTrainingPython, WORKER_PYTHONPATH } from '../src/engines/train/python-runtime.js';

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
  { env: { ...process.env, PYTHONPATH: WORKER_PYTHONPATH }, stdio: ['ignore', 'pipe', 'inherit'] },
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
