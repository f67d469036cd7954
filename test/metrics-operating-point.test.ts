import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPrecision, type FamilyPoint } from '../src/cores/metrics/paper-table.js';

/** A grid point whose family has one member with the given counts. */
function point(tc: number, tp: number, fp: number, fn: number): FamilyPoint {
  const rate = (hits: number, total: number) =>
    total === 0 ? null : { median: hits / total, q05: hits / total, q95: hits / total, n: 1 };
  return {
    tc,
    ta: 1,
    tp: [tp],
    fp: [fp],
    fn: [fn],
    precision: rate(tp, tp + fp),
    recall: rate(tp, tp + fn),
  };
}

test('the operating point matches the reference precision with the highest recall', () => {
  // P/R by hand: 0.5/1, 0.8/0.8, 0.857/0.6
  const points = [point(0.3, 10, 10, 0), point(0.5, 8, 2, 2), point(0.7, 6, 1, 4)];
  const chosen = matchPrecision(points, 0.75)!;
  assert.equal(chosen.matched, true);
  assert.equal(chosen.point.tc, 0.5);
  const unreachable = matchPrecision(points, 0.99)!;
  assert.equal(unreachable.matched, false);
  assert.equal(unreachable.point.tc, 0.7);
});

test('a class with no annotated object has no recall anywhere: no operating point, no crash', () => {
  // false alarms only: precision 0 where something was found, recall undefined everywhere
  const points = [point(0.3, 0, 4, 0), point(0.5, 0, 1, 0), point(0.7, 0, 0, 0)];
  assert.equal(matchPrecision(points, 0), null);
});
