/**
 * Training-dynamics analysis at the size the requirement names: 50 epochs ×
 * 2,000 feature vectors × 64 and 128 dims (80% background, 10% each aberration
 * class, as N_b = 20 per image with ~1 aberration of each class per 10 images
 * gives), against the limit of 2 minutes per run on this machine.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { fitSvmOnGrid } from '../src/engines/dynamics/rbf-svm.js';
import { analyseDynamics } from '../src/cores/dynamics/analyse-dynamics.js';
import type { FeatureBags } from '../src/cores/dynamics/feature-bags.js';
import { SeededRandom } from '../src/cores/seeded-random.js';

const EPOCHS = 50;
const ROWS = 2000;
const LIMIT_SECONDS = 120;

/**
 * Feature sets that move like a network's during training: fixed class means
 * and per-location offsets, a slow drift, noise, and a fresh random rotation
 * and scale per epoch (what Procrustes must undo).
 */
function syntheticBags(dims: number, seed: number): FeatureBags {
  const random = new SeededRandom(seed);
  const labels = new Uint8Array(ROWS).map((_, i) => (i < 0.8 * ROWS ? 0 : i < 0.9 * ROWS ? 1 : 2));
  // class means ~3 noise SDs apart: overlapping classes, as in the paper's Fig. 5
  const means = [0, 1, 2].map(() =>
    Array.from({ length: dims }, () => random.normal(0, 3 / Math.sqrt(dims))),
  );
  const base = new Float64Array(ROWS * dims).map(
    (_, i) => means[labels[Math.floor(i / dims)]!]![i % dims]! + random.normal(0, 1),
  );
  const epochs = Array.from({ length: EPOCHS }, (_, e) => {
    const noisy = new Matrix(ROWS, dims);
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < dims; c++) {
        noisy.set(r, c, base[r * dims + c]! * (1 + 0.01 * e) + random.normal(0, 0.3));
      }
    }
    const rotation = new QrDecomposition(
      Matrix.from1DArray(
        dims,
        dims,
        Array.from({ length: dims * dims }, () => random.normal()),
      ),
    ).orthogonalMatrix;
    const moved = noisy.mmul(rotation).mul(random.between(0.5, 2));
    return { epoch: 51 + e, data: Float64Array.from(moved.to1DArray()) };
  });
  return { classes: ['background', 'dicentric', 'fragment'], labels, dims, epochs };
}

for (const dims of [64, 128]) {
  const bags = syntheticBags(dims, 7);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const stageStart = new Map<string, number>();
  const stageSeconds = new Map<string, number>();
  const result = analyseDynamics(bags, fitSvmOnGrid, {
    onProgress: (stage, done, total) => {
      if (done === 0 || (done === 1 && !stageStart.has(stage))) {
        stageStart.set(stage, performance.now());
      }
      if (done === total) {
        stageSeconds.set(stage, (performance.now() - stageStart.get(stage)!) / 1000);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const accuracy = result.svm.reduce((sum, s) => sum + s.accuracy, 0) / result.svm.length;
  console.log(
    `dynamics ${EPOCHS} epochs × ${ROWS} vectors × ${dims} dims: ${seconds.toFixed(1)} s wall, ` +
      `${cpuSeconds.toFixed(1)} s CPU ` +
      `(limit ${LIMIT_SECONDS} s; ${seconds <= LIMIT_SECONDS ? 'within' : 'OVER'}) — ` +
      [...stageSeconds].map(([stage, s]) => `${stage} ${s.toFixed(1)} s`).join(', ') +
      `; mean SVM accuracy ${accuracy.toFixed(3)}, PC1+PC2 ${(
        100 *
        (result.explainedVariance[0]! + result.explainedVariance[1]!)
      ).toFixed(1)}% of variance`,
  );
}
