/**
 * Ensemble inference speed at the paper's padded size 896×1008: images/s for
 * M = 1 and M = 10 members (run in the worker, as `detect` does), achieved
 * GFLOP/s (FLOPs counted from the ONNX graph's nodes and shapes) against the
 * best throughput onnxruntime reaches on one large convolution in the same
 * run, and the ensemble's cost against M × one member (limit 1.1).
 * Models: bench/make-bench-models.py (the trainer's default U-Net, untrained).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnsembleSession } from '../src/engines/inference/ensemble-session.js';
import { countModelFlops } from '../src/engines/inference/onnx-flops.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = await mkdtemp(join(tmpdir(), 'dicentra-bench-models-'));
execFileSync('/usr/bin/python3', [join(root, 'bench', 'make-bench-models.py'), folder], {
  stdio: 'ignore',
});
const unet = await readFile(join(folder, 'unet.onnx'));

const H = 896;
const W = 1008;
const image = new Float32Array(H * W).map((_, i) => ((i * 2654435761) % 1000) / 1000);

async function secondsPerRun(
  session: EnsembleSession,
  input: Float32Array,
  dims: [number, number, number, number],
  runs: number,
): Promise<number> {
  await session.run(input, dims); // warm-up: first-run allocations
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await session.run(input, dims);
    times.push((performance.now() - started) / 1000);
  }
  return Math.min(...times);
}

const { flops } = await countModelFlops(unet, 'image', [1, 1, H, W]);

/** GFLOP/s of the fastest large convolution, measured now (called around the U-Net runs). */
async function bestConvolution(): Promise<{ gflops: number; label: string }> {
  let best = { gflops: 0, label: '' };
  for (const [channels, height, width] of [
    [32, 448, 512],
    [64, 224, 256],
    [128, 112, 128],
  ] as const) {
    const model = await readFile(join(folder, `conv${channels}.onnx`));
    const dims = [1, channels, height, width] as [number, number, number, number];
    const convFlops = (await countModelFlops(model, 'image', dims)).flops;
    const session = await EnsembleSession.open([model]);
    const seconds = await secondsPerRun(
      session,
      new Float32Array(channels * height * width).fill(0.5),
      dims,
      3,
    );
    await session.close();
    const gflops = convFlops / seconds / 1e9;
    if (gflops > best.gflops)
      best = { gflops, label: `3×3 conv ${channels}→${channels} on ${height}×${width}` };
  }
  return best;
}

const before = await bestConvolution();
const single = await EnsembleSession.open([unet]);
let t1 = await secondsPerRun(single, image, [1, 1, H, W], 5);
await single.close();
const after = await bestConvolution();
const reference = after.gflops > before.gflops ? after : before;
const bestGflops = reference.gflops;
// M = 10 and M = 1 alternate, each keeping its fastest run, so a load change on a shared
// machine does not land on one side of the ratio only
const ten = await EnsembleSession.open(Array.from({ length: 10 }, () => unet));
const again = await EnsembleSession.open([unet]);
let t10 = Infinity;
for (let round = 0; round < 2; round++) {
  t10 = Math.min(t10, await secondsPerRun(ten, image, [1, 1, H, W], 1));
  t1 = Math.min(t1, await secondsPerRun(again, image, [1, 1, H, W], 2));
}
await ten.close();
await again.close();

const achieved = flops / t1 / 1e9;
const ratio = t10 / (10 * t1);
console.log(
  `U-Net: ${(flops / 1e9).toFixed(1)} GFLOP per ${H}×${W} image (counted from the ONNX graph)`,
);
console.log(`M = 1:  ${(1 / t1).toFixed(2)} images/s (${t1.toFixed(3)} s/image)`);
console.log(`M = 10: ${(1 / t10).toFixed(3)} images/s (${t10.toFixed(3)} s/image)`);
console.log(
  `achieved ${achieved.toFixed(0)} GFLOP/s (M = 1) vs ${bestGflops.toFixed(0)} GFLOP/s, the best large convolution ` +
    `(${reference.label}) = ${((100 * achieved) / bestGflops).toFixed(0)}% of the machine's best`,
);
console.log(
  `ensemble cost: M = 10 takes ${ratio.toFixed(3)} × 10 × one member (limit 1.1): ${ratio <= 1.1 ? 'ok' : 'OVER'}`,
);
