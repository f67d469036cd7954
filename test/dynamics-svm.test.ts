import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitSvmOnGrid } from '../src/engines/dynamics/rbf-svm.js';
import { isDicentraError } from '../src/formats/dicentra-error.js';
import { SeededRandom } from '../src/cores/seeded-random.js';

/** Three tight clusters far apart: background at (0,0), dicentric at (6,0), fragment at (0,6). */
function clusters(perClass: number): { points: Float64Array; labels: Uint8Array } {
  const random = new SeededRandom(5);
  const centres = [
    [0, 0],
    [6, 0],
    [0, 6],
  ];
  const points = new Float64Array(perClass * 3 * 2);
  const labels = new Uint8Array(perClass * 3);
  for (let i = 0; i < perClass * 3; i++) {
    const label = i % 3;
    labels[i] = label;
    points[2 * i] = centres[label]![0]! + random.normal(0, 0.4);
    points[2 * i + 1] = centres[label]![1]! + random.normal(0, 0.4);
  }
  return { points, labels };
}

test('the RBF SVM separates separable clusters and its probabilities sum to 1', () => {
  const { points, labels } = clusters(30);
  const cells = new Float64Array([0, 0, 6, 0, 0, 6, 3, 3, -2, 8, 9, -1]);
  const fit = fitSvmOnGrid(points, labels, 3, cells, { cost: 1, gamma: 0.5 });
  assert.equal(fit.accuracy, 1);
  assert.ok(fit.supportVectors > 0 && fit.supportVectors < 90);
  for (let cell = 0; cell < 6; cell++) {
    const p = [0, 1, 2].map((r) => fit.probabilities[cell * 3 + r]!);
    p.forEach((value) => assert.ok(value >= 0 && value <= 1));
    assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-9, `cell ${cell} sums to ${p}`);
  }
  // each cluster centre is its own class with high probability
  for (let label = 0; label < 3; label++) {
    assert.ok(fit.probabilities[label * 3 + label]! > 0.8, `centre of class ${label}`);
  }
});

test('a class absent from an epoch gets probability 0, and one class alone is refused', () => {
  const { points, labels } = clusters(20);
  const keep = [...labels.keys()].filter((i) => labels[i] !== 2);
  const twoPoints = Float64Array.from(keep.flatMap((i) => [points[2 * i]!, points[2 * i + 1]!]));
  const twoLabels = Uint8Array.from(keep.map((i) => labels[i]!));
  const fit = fitSvmOnGrid(twoPoints, twoLabels, 3, new Float64Array([0, 0, 6, 0]), {
    cost: 1,
    gamma: 0.5,
  });
  assert.equal(fit.probabilities[2], 0);
  assert.equal(fit.probabilities[5], 0);
  assert.ok(Math.abs(fit.probabilities[0]! + fit.probabilities[1]! - 1) < 1e-9);
  assert.throws(
    () =>
      fitSvmOnGrid(twoPoints, new Uint8Array(twoLabels.length), 3, new Float64Array([0, 0]), {
        cost: 1,
        gamma: 0.5,
      }),
    (error) => isDicentraError(error) && error.code === 'DCN_E_DYNAMICS_TOO_FEW',
  );
});

test('libsvm probabilities are reproducible: a refit gives identical numbers', () => {
  const { points, labels } = clusters(25);
  // overlapping labels make the probability cross-validation matter
  labels[0] = 1;
  labels[4] = 0;
  const cells = new Float64Array([1, 1, 3, 0, 2, 2]);
  const listeners = process.listenerCount('unhandledRejection');
  const a = fitSvmOnGrid(points, labels, 3, cells, { cost: 1, gamma: 0.5 });
  const b = fitSvmOnGrid(points, labels, 3, cells, { cost: 1, gamma: 0.5 });
  assert.deepEqual(a.probabilities, b.probabilities);
  // the emscripten build's exit-on-rejection handler must not stay installed
  assert.equal(process.listenerCount('unhandledRejection'), listeners);
});
