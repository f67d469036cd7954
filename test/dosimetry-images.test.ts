import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellAberrations, cellDistribution } from '../src/cores/dosimetry/cell-counts.js';
import {
  combineWithDetectorSpread,
  detectorSpread,
} from '../src/cores/dosimetry/detector-uncertainty.js';
import { countStackDetections, memberMaxima } from '../src/cores/ensemble/sub-ensemble-counts.js';
import { voteStackFromSparse } from '../src/cores/ensemble/vote-stack.js';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { detectionsSchema, type Detections } from '../src/formats/detections.js';

/** A detections.json written by hand: five cells, counts per class chosen to exercise the gate. */
function handDetections(): Detections {
  const detection = {
    x: 10,
    y: 10,
    area: 16,
    votes: 5,
    voteFraction: 1,
    meanValue: 0.9,
    maxValue: 0.95,
    spread: 0.01,
  };
  const image = (id: string, dicentric: number, fragment: number) => ({
    id,
    path: `${id}.png`,
    width: 32,
    height: 32,
    detections: {
      dicentric: Array.from({ length: dicentric }, () => detection),
      fragment: Array.from({ length: fragment }, () => detection),
    },
    counts: { dicentric, fragment },
  });
  return detectionsSchema.parse({
    version: '1.0',
    classes: ['dicentric', 'fragment'],
    bundle: {
      path: 'bundle.json',
      sha256: 'a'.repeat(64),
      memberEpochs: [1, 2, 3],
      selection: { mode: 'all' },
    },
    thresholds: {
      dicentric: { tc: 0.5, adaptive: false, memberTc: [0.5, 0.5, 0.5], ta: 1 },
      fragment: { tc: 0.5, adaptive: false, memberTc: [0.5, 0.5, 0.5], ta: 1 },
    },
    connectivity: 8,
    outputStride: 4,
    images: [
      image('a', 0, 0),
      image('b', 1, 0), // a dicentric without any fragment: dropped by the gate
      image('c', 2, 1),
      image('d', 0, 3),
      image('e', 1, 2),
    ],
    errors: [],
  });
}

test('counts per cell from a hand-built detections.json, with and without the fragment gate', () => {
  const detections = handDetections();
  const counts = (requireClass: string | null) =>
    detections.images.map((image) =>
      cellAberrations(image.counts, { aberration: 'dicentric', requireClass }),
    );
  assert.deepEqual(counts(null), [0, 1, 2, 0, 1]);
  assert.deepEqual(counts('fragment'), [0, 0, 2, 0, 1]);
  // cells with 0, 1, 2 dicentrics
  assert.deepEqual(cellDistribution(counts(null)), [2, 2, 1]);
  assert.deepEqual(cellDistribution(counts('fragment')), [3, 1, 1]);
  assert.deepEqual(cellDistribution([]), [0]);
  assert.throws(() => cellDistribution([1, -1]), RangeError);
  // a class missing from the record counts 0 (and gates the cell out)
  assert.equal(
    cellAberrations({ dicentric: 2 }, { aberration: 'dicentric', requireClass: 'fragment' }),
    0,
  );
});

test('sub-ensemble counting: votes of chosen members, their own T_C, strict T_A, 8-connectivity', () => {
  // a 4×3 grid; three members; values at four pixels (row-major index)
  //   pixel 0 (0,0): members 0.9 0.2 0.6    pixel 5 (1,1): 0.8 0.8 0.1 (diagonal to 0)
  //   pixel 3 (3,0): 0.7 0.7 0.7            pixel 11 (3,2): 0.3 0.95 0.05
  const members = [
    { pixels: [0, 3, 5, 11], values: [0.9, 0.7, 0.8, 0.3] },
    { pixels: [0, 3, 5, 11], values: [0.2, 0.7, 0.8, 0.95] },
    { pixels: [0, 3, 5, 11], values: [0.6, 0.7, 0.1, 0.05] },
  ];
  const stack = voteStackFromSparse(members, { width: 4, height: 3 }, 0.01);
  // all three at T_C 0.5, T_A 1 (S ≥ 2): pixel 0 (2 votes), 3 (3), 5 (2) → {0,5} joined diagonally, {3}
  assert.equal(
    countStackDetections(stack, { members: [0, 1, 2], memberTc: [0.5, 0.5, 0.5], ta: 1 }),
    2,
  );
  // members 1 and 2 only, T_A 0: pixel 0 (member 2), 3, 5 (member 1), 11 (member 1) → {0,5}, {3}, {11}
  assert.equal(countStackDetections(stack, { members: [1, 2], memberTc: [0.5, 0.5], ta: 0 }), 3);
  // member 1 with its own high T_C 0.9: only pixel 11
  assert.equal(countStackDetections(stack, { members: [1], memberTc: [0.9], ta: 0 }), 1);
  // strict: a value equal to T_C does not vote
  assert.equal(
    countStackDetections(stack, { members: [0, 1, 2], memberTc: [0.7, 0.7, 0.7], ta: 0 }),
    2,
  );
  assert.deepEqual(
    memberMaxima(stack).map((v) => Math.round(v * 100) / 100),
    [0.9, 0.95, 0.7],
  );
  assert.throws(
    () => countStackDetections(stack, { members: [0], memberTc: [0.001], ta: 0 }),
    RangeError,
  );
});

test('detector spread: mean, sample sd and the 5–95% range of the sub-ensemble doses', () => {
  const spread = detectorSpread([1, 2, 3, 4, NaN]);
  assert.equal(spread.count, 4);
  assert.equal(spread.mean, 2.5);
  assert.ok(Math.abs(spread.sd - Math.sqrt(5 / 3)) < 1e-12);
  assert.ok(Math.abs(spread.q05 - 1.15) < 1e-12);
  assert.ok(Math.abs(spread.q95 - 3.85) < 1e-12);
  assert.equal(detectorSpread([2]).sd, 0);
});

test('combining the statistical interval with the detector spread, by hand', () => {
  // z(0.95) = 1.959964; lower half-width √(0.3² + (1.959964·0.2)²), upper √(0.4² + …)
  const z = 1.959963984540054;
  const combined = combineWithDetectorSpread({ lower: 0.7, estimate: 1, upper: 1.4 }, 0.2, 0.95);
  assert.ok(Math.abs(combined.lower - (1 - Math.sqrt(0.09 + (z * 0.2) ** 2))) < 1e-12);
  assert.ok(Math.abs(combined.upper - (1 + Math.sqrt(0.16 + (z * 0.2) ** 2))) < 1e-12);
  assert.equal(combined.estimate, 1);
  // no detector spread: the statistical interval unchanged; a low dose stays ≥ 0
  assert.deepEqual(combineWithDetectorSpread({ lower: 0.7, estimate: 1, upper: 1.4 }, 0, 0.95), {
    lower: 0.7,
    estimate: 1,
    upper: 1.4,
  });
  assert.equal(
    combineWithDetectorSpread({ lower: 0, estimate: 0.05, upper: 0.3 }, 0.2, 0.95).lower,
    0,
  );
  assert.throws(() => combineWithDetectorSpread({ lower: 0, estimate: 1, upper: 2 }, -1, 0.95));
});

test('combined interval covers at the nominal rate when both variance components are known', () => {
  // Model: the primary detector's dose is D + b₀ + e, with counting noise e ~ N(0, σ²) (its 95%
  // interval ±1.96σ) and a detector effect b₀ ~ N(0, τ²); each of K sub-ensembles shares e and
  // has its own b_k ~ N(0, τ²). True coverage of ±1.96√(σ² + τ²) is 95%.
  const random = new SeededRandom(2024);
  const sigma = 0.1;
  const tau = 0.15;
  const trials = 4000;
  const z = 1.959963984540054;
  let covered = 0;
  let statisticalOnly = 0;
  for (let t = 0; t < trials; t++) {
    const dose = 2;
    const e = random.normal(0, sigma);
    const estimate = dose + random.normal(0, tau) + e;
    const subDoses = Array.from({ length: 100 }, () => dose + random.normal(0, tau) + e);
    const statistical = { lower: estimate - z * sigma, estimate, upper: estimate + z * sigma };
    const combined = combineWithDetectorSpread(statistical, detectorSpread(subDoses).sd, 0.95);
    if (combined.lower <= dose && dose <= combined.upper) covered++;
    if (statistical.lower <= dose && dose <= statistical.upper) statisticalOnly++;
  }
  // binomial SE at 95% over 4000 trials: 0.0034; ±0.012 is 3.5 SE
  assert.ok(Math.abs(covered / trials - 0.95) < 0.012, `combined coverage ${covered / trials}`);
  // counting error alone: P(|N(0, σ² + τ²)| < 1.96σ) = 2Φ(1.96·0.1/0.18) − 1 ≈ 0.72
  assert.ok(
    Math.abs(statisticalOnly / trials - 0.724) < 0.025,
    `statistical only ${statisticalOnly / trials}`,
  );
});
