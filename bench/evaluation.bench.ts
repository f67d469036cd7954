/**
 * Evaluation from cached heatmaps: 100 random sub-ensembles of 10 (from 50
 * members) × 20 T_C values × 2 classes on 500 images, limit 60 s — reading the
 * per-image, per-member cache files included. The heatmaps are synthetic
 * (Gaussian spots of member-dependent height on a 252×224 grid, as a trained
 * U-Net gives at 1/4 of 1008×896), written to a temporary cache first.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { voteStackFromSparse } from '../src/cores/ensemble/vote-stack.js';
import { buildPixelSet, countComponents } from '../src/cores/ensemble/pixel-set.js';
import { rasteriseDisks } from '../src/cores/metrics/gt-disks.js';
import { sweepCounts, type SweepItem } from '../src/cores/metrics/threshold-sweep.js';
import { subEnsembles } from '../src/engines/evaluate/evaluate-bundle.js';
import {
  CACHE_FLOOR,
  encodeHeatmap,
  readCachedHeatmap,
  writeCachedHeatmap,
} from '../src/engines/inference/heatmap-cache.js';

const IMAGES = 500;
const MEMBERS = 50;
const CLASSES = 2;
const GRID = { width: 252, height: 224 };
/** The paper's 1008×896 frames at output stride 4. */
const IMAGE = { width: 1008, height: 896 };
const TC_GRID = [...Array.from({ length: 19 }, (_, i) => (i + 1) / 20), 0.99];
const folder = await mkdtemp(join(tmpdir(), 'dicentra-bench-cache-'));

interface Spot {
  x: number;
  y: number;
  real: boolean;
}
const truth: Spot[][][] = [];
let written = 0;
const plane = GRID.width * GRID.height;
const dense = new Float32Array(CLASSES * plane);
for (let i = 0; i < IMAGES; i++) {
  const random = new SeededRandom(1, i);
  const spots = Array.from({ length: CLASSES }, () =>
    Array.from({ length: random.integer(0, 4) }, () => ({
      x: random.between(4, GRID.width - 4),
      y: random.between(4, GRID.height - 4),
      real: random.chance(0.7),
    })),
  );
  truth.push(spots);
  for (let j = 0; j < MEMBERS; j++) {
    const member = new SeededRandom(2, i, j);
    dense.fill(0);
    spots.forEach((list, c) =>
      list.forEach((spot) => {
        const height = Math.min(1, Math.max(0, (spot.real ? 0.75 : 0.45) + member.normal(0, 0.2)));
        for (let v = Math.floor(spot.y) - 5; v <= Math.floor(spot.y) + 5; v++) {
          for (let u = Math.floor(spot.x) - 5; u <= Math.floor(spot.x) + 5; u++) {
            const r2 = (u + 0.5 - spot.x) ** 2 + (v + 0.5 - spot.y) ** 2;
            const index = c * plane + v * GRID.width + u;
            dense[index] = Math.max(dense[index]!, height * Math.exp(-r2 / (2 * 1.5 ** 2)));
          }
        }
      }),
    );
    await writeCachedHeatmap(
      folder,
      `${j}/${i}.dcnh`,
      encodeHeatmap(dense, CLASSES, GRID, GRID, IMAGE),
    );
    written++;
  }
}
console.log(`cache: ${written} files (${IMAGES} images × ${MEMBERS} members) in ${folder}`);

const started = performance.now();
const items: SweepItem[][] = [[], []];
for (let i = 0; i < IMAGES; i++) {
  const cached = await Promise.all(
    Array.from({ length: MEMBERS }, (_, j) => readCachedHeatmap(folder, `${j}/${i}.dcnh`)),
  );
  for (let c = 0; c < CLASSES; c++) {
    const stack = voteStackFromSparse(
      cached.map((entry) => entry!.classes[c]!),
      GRID,
      CACHE_FLOOR,
    );
    const points = truth[i]![c]!.filter((s) => s.real).map(
      (s) => [s.x * 4, s.y * 4] as [number, number],
    );
    const gt = rasteriseDisks(points, GRID, 4, 6);
    const gtPixels = Int32Array.from(Array.from(gt).flatMap((v, index) => (v ? [index] : [])));
    const gtComponents = countComponents(
      buildPixelSet(GRID.width, GRID.height, gtPixels),
      new Uint8Array(gtPixels.length).fill(1),
      new Int32Array(gtPixels.length),
    );
    items[c]!.push({
      stack,
      gtOnSet: Uint8Array.from(stack.set.pixels, (index) => gt[index]!),
      gtComponents,
    });
  }
}
const loaded = performance.now();
const subsets = subEnsembles(MEMBERS, 10, 100, 1);
for (let c = 0; c < CLASSES; c++) sweepCounts(items[c]!, subsets, TC_GRID, [4]);
const oneTa = performance.now();
for (let c = 0; c < CLASSES; c++)
  sweepCounts(
    items[c]!,
    subsets,
    TC_GRID,
    Array.from({ length: 10 }, (_, t) => t),
  );
const allTa = performance.now();
const active =
  items.flat().reduce((sum, item) => sum + item.stack.set.pixels.length, 0) / (IMAGES * CLASSES);
console.log(`mean active pixels per image and class: ${active.toFixed(0)} of ${plane}`);
console.log(
  `reading the cache and building vote stacks: ${((loaded - started) / 1000).toFixed(1)} s`,
);
const total = (oneTa - started) / 1000;
console.log(
  `100 sub-ensembles × ${TC_GRID.length} T_C × ${CLASSES} classes × ${IMAGES} images at one T_A: ` +
    `${total.toFixed(1)} s including the cache (limit 60 s): ${total < 60 ? 'ok' : 'OVER'}`,
);
console.log(
  `the same with every T_A 0..9 (the full surface, as evaluate does): ${((allTa - oneTa) / 1000).toFixed(1)} s more`,
);
