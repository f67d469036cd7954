import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countDetectionsDense, precisionRecall } from '../src/cores/metrics/detection-counts.js';
import { interval, quantile } from '../src/cores/metrics/quantile.js';
import { rasteriseDisks } from '../src/cores/metrics/gt-disks.js';

/** A mask from rows of '.' and '#'. */
function mask(rows: string[]): { width: number; height: number; data: Uint8Array } {
  const width = rows[0]!.length;
  return {
    width,
    height: rows.length,
    data: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0)),
  };
}

test("the paper's Fig. 2 toy example: 2 TP, 1 FP, 1 FN, P = R = 2/3", () => {
  // three ground-truth disks; the prediction touches two of them (one by a
  // single pixel, the smallest overlap the paper allows) and adds one spot elsewhere
  const gt = mask([
    '.##.......',
    '.##....##.',
    '.......##.',
    '..........',
    '...##.....',
    '...##.....',
  ]);
  const prediction = mask([
    '##........',
    '##........',
    '.......#..',
    '.........#',
    '.........#',
    '..........',
  ]);
  // third GT disk (rows 4–5, cols 3–4) is missed; spot at col 9 is a false alarm
  const counts = countDetectionsDense(gt.width, gt.height, prediction.data, gt.data);
  assert.deepEqual(counts, { tp: 2, fp: 1, fn: 1 });
  const pr = precisionRecall(counts);
  assert.equal(pr.precision, 2 / 3);
  assert.equal(pr.recall, 2 / 3);
});

test('one prediction spanning two GT disks: two TP components only if the intersection splits', () => {
  const gt = mask(['##.##', '##.##']);
  const wide = mask(['#####', '.....']);
  // I = GT ∧ D has two components → TP 2; cc(D) = 1 → FP = max(0, 1 − 2) = 0
  assert.deepEqual(countDetectionsDense(5, 2, wide.data, gt.data), { tp: 2, fp: 0, fn: 0 });
});

test('diagonal pixels join (8-connectivity); an empty prediction gives FN only', () => {
  const gt = mask(['#...', '.#..', '....', '...#']);
  const empty = new Uint8Array(16);
  assert.deepEqual(countDetectionsDense(4, 4, empty, gt.data), { tp: 0, fp: 0, fn: 2 });
  assert.deepEqual(precisionRecall({ tp: 0, fp: 0, fn: 2 }), { precision: null, recall: 0 });
  const diagonal = mask(['#...', '.#..', '..#.', '....']);
  assert.deepEqual(countDetectionsDense(4, 4, diagonal.data, gt.data), { tp: 1, fp: 0, fn: 1 });
});

test('quantiles follow type 7 (linear between order statistics), checked by hand', () => {
  const sample = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  // n = 21: q·(n−1) = 20q → q5 at position 1 (value 2), q95 at position 19 (value 20)
  assert.equal(quantile(sample, 0.05), 2);
  assert.equal(quantile(sample, 0.95), 20);
  // n = 4, values 10, 20, 30, 40: q5 at 0.15 → 11.5; q95 at 2.85 → 38.5; median 25
  const result = interval([40, null, 10, 30, 20]);
  assert.ok(result);
  assert.ok(Math.abs(result.q05 - 11.5) < 1e-12);
  assert.ok(Math.abs(result.q95 - 38.5) < 1e-12);
  assert.equal(result.median, 25);
  assert.equal(result.n, 4);
  assert.equal(interval([null, null]), null);
});

test('ground-truth disks are rasterised on the heatmap grid by pixel centres', () => {
  // stride 4, radius 4: point (10, 10) → centres (6|10|14, …); |dx|,|dy| ∈ {0, 4}
  const disk = rasteriseDisks([[10, 10]], { width: 5, height: 5 }, 4, 4);
  const expected = mask(['.....', '..#..', '.###.', '..#..', '.....']);
  // centre pixel (2,2) has centre (10,10); (1,2),(3,2),(2,1),(2,3) are 4 px away; diagonals 5.66 > 4
  assert.deepEqual(Array.from(disk), Array.from(expected.data));
  // radius below the stride still marks the pixel holding the point
  const tiny = rasteriseDisks([[1, 1]], { width: 3, height: 3 }, 4, 0.5);
  assert.deepEqual(Array.from(tiny), [1, 0, 0, 0, 0, 0, 0, 0, 0]);
});
