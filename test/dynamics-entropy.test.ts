import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageProbabilities, entropyPerCell } from '../src/cores/dynamics/averaged-classifier.js';
import { cellCentres, gridAround, interpolateGrid } from '../src/cores/dynamics/embedding-grid.js';

test('entropy is 0 on a one-hot grid and log 3 on a uniform one (eq. 9)', () => {
  const oneHot = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(entropyPerCell(oneHot, 3)), [0, 0, 0]);
  const uniform = new Float64Array(6).fill(1 / 3);
  entropyPerCell(uniform, 3).forEach((h) => assert.ok(Math.abs(h - Math.log(3)) < 1e-12));
});

test('the averaged classifier (eq. 8) of two disagreeing one-hot epochs has entropy log 2', () => {
  const first = new Float64Array([1, 0, 0, 0, 0, 1]);
  const second = new Float64Array([0, 1, 0, 0, 0, 1]);
  const mean = averageProbabilities([first, second]);
  assert.deepEqual(Array.from(mean), [0.5, 0.5, 0, 0, 0, 1]);
  const [disagree, agree] = entropyPerCell(mean, 3);
  assert.ok(Math.abs(disagree! - Math.log(2)) < 1e-12);
  assert.equal(agree, 0);
});

test('the grid covers every epoch with its margin; interpolation is exact on a linear field', () => {
  const grid = gridAround(
    [new Float64Array([0, 0, 10, 5]), new Float64Array([-10, 1, 2, 2])],
    4,
    0.1,
  );
  assert.deepEqual(
    [grid.xMin, grid.xMax, grid.yMin, grid.yMax].map((v) => Math.round(v * 1e9) / 1e9),
    [-12, 12, -0.5, 5.5],
  );
  const centres = cellCentres(grid);
  assert.equal(centres.length, 4 * 4 * 2);
  assert.deepEqual([centres[0], centres[1]], [-9, 0.25]);
  // f(x, y) = 2x − y sampled at the centres interpolates exactly between them
  const values = new Float64Array(16).map((_, i) => 2 * centres[2 * i]! - centres[2 * i + 1]!);
  assert.ok(Math.abs(interpolateGrid(grid, values, 1.5, 2) - (3 - 2)) < 1e-9);
  // beyond the outer centres: the edge value
  assert.ok(Math.abs(interpolateGrid(grid, values, -11.9, 0.25) - (-18 - 0.25)) < 1e-9);
});

test('an axis without spread gets the extent of the other axis', () => {
  const grid = gridAround([new Float64Array([0, 1, 4, 1 + 1e-17])], 4, 0);
  assert.deepEqual([grid.xMin, grid.xMax, grid.yMin, grid.yMax], [0, 4, -1, 3]);
});

test('trimming keeps a far outlier out of the grid box', () => {
  // 101 x values 0..100 plus one at 10,000: the 1%–99% quantiles by linear interpolation
  const points = new Float64Array(2 * 102);
  for (let i = 0; i <= 100; i++) points[2 * i] = i;
  points[2 * 101] = 10000;
  const grid = gridAround([points], 4, 0, 0.01);
  // sorted positions 0.01·101 = 1.01 and 0.99·101 = 99.99 fall between 1, 2 and 99, 100
  assert.ok(Math.abs(grid.xMin - 1.01) < 1e-9);
  assert.ok(Math.abs(grid.xMax - 99.99) < 1e-9);
});
