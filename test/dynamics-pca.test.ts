import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitJointPca, projectOnAxes } from '../src/cores/dynamics/joint-pca.js';

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

test('joint PCA of a known matrix: axes, explained variance and projections by hand', () => {
  // Points (3,3), (−3,−3), (1,−1), (−1,1) shifted by (10, 20), split over two "epochs".
  // Centred: covariance = (1/3)·[[20, 16], [16, 20]]: eigenvalues 12 on (1,1)/√2 and 4/3
  // on (1,−1)/√2; explained variance 12 / (12 + 4/3) = 0.9 and 0.1.
  const epochOne = new Float64Array([13, 23, 7, 17]);
  const epochTwo = new Float64Array([11, 19, 9, 21]);
  const pca = fitJointPca([epochOne, epochTwo], 2, 2);
  close(pca.means[0]!, 10, 'mean x');
  close(pca.means[1]!, 20, 'mean y');
  close(pca.explainedVariance[0]!, 0.9, 'PC1 share');
  close(pca.explainedVariance[1]!, 0.1, 'PC2 share');
  const h = Math.SQRT1_2;
  // sign rule: the largest-magnitude entry of each axis is positive (ties: the first)
  close(Math.abs(pca.axes[0][0]!), h, 'PC1 x');
  close(pca.axes[0][0]!, pca.axes[0][1]!, 'PC1 along (1, 1)');
  close(pca.axes[1][0]!, -pca.axes[1][1]!, 'PC2 along (1, −1)');
  const first = projectOnAxes(pca, epochOne, 2, 2);
  // (3, 3) → 3√2 on PC1, 0 on PC2; (−3, −3) → −3√2, 0
  close(Math.abs(first[0]!), 3 * Math.SQRT2, 'row 0 PC1');
  close(first[1]!, 0, 'row 0 PC2');
  close(first[2]!, -first[0]!, 'row 1 PC1');
  const second = projectOnAxes(pca, epochTwo, 2, 2);
  // (1, −1) → 0 on PC1, ±√2 on PC2
  close(second[0]!, 0, 'row 2 PC1');
  close(Math.abs(second[1]!), Math.SQRT2, 'row 2 PC2');
});

test('joint PCA: a 3-D set with variance on one axis only has one component', () => {
  // rows differ only in the third coordinate: PC1 = e3 exactly, 100% of the variance
  const rows = new Float64Array([1, 2, -4, 1, 2, 0, 1, 2, 4]);
  const pca = fitJointPca([rows], 3, 3);
  close(pca.explainedVariance[0]!, 1, 'PC1 share');
  assert.deepEqual(Array.from(pca.axes[0]), [0, 0, 1]);
  const projected = projectOnAxes(pca, rows, 3, 3);
  close(projected[0]!, -4, 'row 0');
  close(projected[2]!, 0, 'row 1');
  close(projected[4]!, 4, 'row 2');
});
