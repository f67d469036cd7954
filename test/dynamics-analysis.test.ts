import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { fitSvmOnGrid } from '../src/engines/dynamics/rbf-svm.js';
import { analyseDynamics } from '../src/cores/dynamics/analyse-dynamics.js';
import type { FeatureBags } from '../src/cores/dynamics/feature-bags.js';
import { SeededRandom } from '../src/cores/seeded-random.js';

const DIMS = 6;
const CLASSES = ['background', 'dicentric', 'fragment'];

/** 60 background, 15 dicentric, 15 fragment rows around three class means. */
function baseSet(random: SeededRandom): { labels: Uint8Array; data: Float64Array } {
  const labels = new Uint8Array(90).map((_, i) => (i < 60 ? 0 : i < 75 ? 1 : 2));
  const means = [0, 1, 2].map(() => Array.from({ length: DIMS }, () => random.normal(0, 2)));
  const data = new Float64Array(90 * DIMS).map(
    (_, i) => means[labels[Math.floor(i / DIMS)]!]![i % DIMS]! + random.normal(0, 0.7),
  );
  return { labels, data };
}

function randomSimilarity(data: Float64Array, random: SeededRandom): Float64Array {
  const q = new QrDecomposition(
    Matrix.from1DArray(
      DIMS,
      DIMS,
      Array.from({ length: DIMS * DIMS }, () => random.normal()),
    ),
  ).orthogonalMatrix;
  const shift = Array.from({ length: DIMS }, () => random.normal(0, 5));
  const moved = Matrix.from1DArray(90, DIMS, data).mmul(q).mul(random.between(0.5, 3));
  return Float64Array.from(moved.addRowVector(shift).to1DArray());
}

test('epochs that differ only by a rotation, scale and shift embed identically', () => {
  const random = new SeededRandom(21);
  const { labels, data } = baseSet(random);
  const bags: FeatureBags = {
    classes: CLASSES,
    labels,
    dims: DIMS,
    epochs: [1, 2, 3].map((epoch) => ({ epoch, data: randomSimilarity(data, random) })),
  };
  const result = analyseDynamics(bags, fitSvmOnGrid, {
    settings: { gridSize: 12 },
    keepRegionsFor: [2],
  });
  for (const { residual } of result.alignment) assert.ok(residual < 1e-6);
  const [first, ...others] = result.embeddings;
  for (const other of others) {
    other.forEach((value, i) => assert.ok(Math.abs(value - first![i]!) < 1e-6, `coordinate ${i}`));
  }
  // identical embeddings ⇒ identical SVMs ⇒ p̄ equals any single epoch's probabilities
  const epochTwo = result.regions.get(2)!;
  result.meanProbabilities.forEach((value, i) =>
    assert.ok(Math.abs(value - epochTwo[i]!) < 1e-6, `p̄ cell value ${i}`),
  );
  assert.deepEqual([...result.regions.keys()], [2]);
  // every probability row sums to 1 and entropy lies in [0, log 3]
  for (let cell = 0; cell < 144; cell++) {
    const sum = [0, 1, 2].reduce((s, r) => s + result.meanProbabilities[cell * 3 + r]!, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9);
    assert.ok(result.entropy[cell]! >= 0 && result.entropy[cell]! <= Math.log(3) + 1e-12);
  }
  // well-separated classes: the SVMs fit, and centroid tracks stand still and cover every row
  for (const svm of result.svm) assert.ok(svm.accuracy > 0.95);
  const covered = [0, 1, 2].map((c) =>
    result.tracks.filter((t) => t.classIndex === c).reduce((s, t) => s + t.size, 0),
  );
  assert.deepEqual(covered, [60, 15, 15]);
  for (const track of result.tracks) {
    assert.equal(track.path.length, 3);
    assert.ok(Math.abs(track.path[2]![0] - track.path[0]![0]) < 1e-6);
  }
});

test('the same inputs and seed give the same analysis; query locations follow their epochs', () => {
  const random = new SeededRandom(8);
  const { labels, data } = baseSet(random);
  const epochs = [5, 6, 7].map((epoch) => {
    const noisy = data.map((v) => v + random.normal(0, 0.3));
    return { epoch, data: randomSimilarity(noisy, random) };
  });
  const bags: FeatureBags = { classes: CLASSES, labels, dims: DIMS, epochs };
  // two detections: the exact features of row 0 (background) and row 70 (dicentric)
  const queries = {
    items: [
      { imageId: 'i', x: 1, y: 2, classIndex: 1, voteFraction: 0.4 },
      { imageId: 'j', x: 3, y: 4, classIndex: 1, voteFraction: 0.9 },
    ],
    features: epochs.map(({ data: set }) =>
      Float64Array.from([...set.subarray(0, DIMS), ...set.subarray(70 * DIMS, 71 * DIMS)]),
    ),
  };
  const options = { settings: { gridSize: 10, kmeansSeed: 4 }, queries };
  const first = analyseDynamics(bags, fitSvmOnGrid, options);
  const second = analyseDynamics(bags, fitSvmOnGrid, options);
  assert.deepEqual(second, first);
  // a query with the features of a fitted row sits where that row sits: same entropy
  assert.ok(Math.abs(first.queries[0]!.entropy - first.rowEntropy[0]!) < 1e-9);
  assert.ok(Math.abs(first.queries[1]!.entropy - first.rowEntropy[70]!) < 1e-9);
  assert.equal(first.agreement!.detections, 2);
  const otherSeed = analyseDynamics(bags, fitSvmOnGrid, {
    ...options,
    settings: { gridSize: 10, kmeansSeed: 5 },
  });
  assert.deepEqual(otherSeed.embeddings, first.embeddings);
});

test('fewer than two epochs is refused with a catalogued error', () => {
  const random = new SeededRandom(1);
  const { labels, data } = baseSet(random);
  assert.throws(
    () =>
      analyseDynamics(
        { classes: CLASSES, labels, dims: DIMS, epochs: [{ epoch: 1, data }] },
        fitSvmOnGrid,
      ),
    { code: 'DCN_E_DYNAMICS_TOO_FEW' },
  );
});
