import { test } from 'node:test';
import assert from 'node:assert/strict';
import { voteStackFromSparse } from '../src/cores/ensemble/vote-stack.js';
import {
  countsAt,
  reliabilityBins,
  sweepCounts,
  type SweepItem,
} from '../src/cores/metrics/threshold-sweep.js';
import { countComponents, densePixelSet } from '../src/cores/ensemble/pixel-set.js';

/**
 * A 6×1 strip, two members. GT objects at x = 0 and x = 3 (cc(GT) = 2).
 * member 0: 0.9 at x=0, 0.7 at x=5            (a hit and a false alarm)
 * member 1: 0.8 at x=0, 0.6 at x=3, 0.4 at x=5
 */
function item(): SweepItem {
  const members = [
    { pixels: [0, 5], values: [0.9, 0.7] },
    { pixels: [0, 3, 5], values: [0.8, 0.6, 0.4] },
  ];
  const stack = voteStackFromSparse(members, { width: 6, height: 1 }, 0.05);
  const gt = Uint8Array.from([1, 0, 0, 1, 0, 0]);
  const gtOnSet = Uint8Array.from(stack.set.pixels, (index) => gt[index]!);
  const gtComponents = countComponents(densePixelSet(6, 1), gt, new Int32Array(6));
  return { stack, gtOnSet, gtComponents };
}

test('sweep counts match hand counts for every sub-ensemble, T_C and T_A', () => {
  const result = sweepCounts([item()], [[0], [1], [0, 1]], [0.5, 0.75], [0, 1]);
  // member 0 alone, T_C 0.5, T_A 0: x=0 (TP), x=5 (FP); x=3 missed
  assert.deepEqual(countsAt(result, 0, 0, 0), { tp: 1, fp: 1, fn: 1 });
  // member 0, T_C 0.75: only x=0
  assert.deepEqual(countsAt(result, 0, 1, 0), { tp: 1, fp: 0, fn: 1 });
  // member 1, T_C 0.5: x=0 and x=3, both TP
  assert.deepEqual(countsAt(result, 1, 0, 0), { tp: 2, fp: 0, fn: 0 });
  // member 1 with T_A 1: one member can never give S > 1
  assert.deepEqual(countsAt(result, 1, 0, 1), { tp: 0, fp: 0, fn: 2 });
  // both, T_C 0.5, T_A 0: x=0, x=3, x=5 → TP 2, FP 1
  assert.deepEqual(countsAt(result, 2, 0, 0), { tp: 2, fp: 1, fn: 0 });
  // both, T_C 0.5, T_A 1 (S ≥ 2): only x=0
  assert.deepEqual(countsAt(result, 2, 0, 1), { tp: 1, fp: 0, fn: 1 });
  // both, T_C 0.75, T_A 0: x=0 (0.9, 0.8)
  assert.deepEqual(countsAt(result, 2, 1, 0), { tp: 1, fp: 0, fn: 1 });
});

test('sums over images and more than 32 members (two mask words)', () => {
  // 40 members: member j has value j/40 at the single GT pixel (member 0 is below the floor)
  const members = Array.from({ length: 40 }, (_, j) =>
    j === 0 ? { pixels: [], values: [] } : { pixels: [0], values: [j / 40] },
  );
  const stack = voteStackFromSparse(members, { width: 2, height: 1 }, 0.01);
  const single: SweepItem = { stack, gtOnSet: Uint8Array.from([1]), gtComponents: 1 };
  const all = Array.from({ length: 40 }, (_, j) => j);
  // T_C 0.5: members 21..39 vote (j/40 > 0.5) → S = 19; T_A 18 detects, T_A 19 does not
  const result = sweepCounts([single, single], [all], [0.5], [18, 19]);
  assert.deepEqual(countsAt(result, 0, 0, 0), { tp: 2, fp: 0, fn: 0 });
  assert.deepEqual(countsAt(result, 0, 0, 1), { tp: 0, fp: 0, fn: 2 });
});

test('reliability bins detections by their votes and scores overlap with ground truth', () => {
  const bins = reliabilityBins([item()], [[0, 1]], 0.5, 0);
  // x=0: S=2, correct; x=3: S=1, correct; x=5: S=1, wrong
  assert.deepEqual(bins.detections, [0, 2, 1]);
  assert.deepEqual(bins.correct, [0, 1, 1]);
});
