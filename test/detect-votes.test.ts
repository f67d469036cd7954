import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectObjects } from '../src/cores/ensemble/detect-objects.js';
import { countVotes, decide, voteStackFromSparse } from '../src/cores/ensemble/vote-stack.js';
import { selectMembers, randomSubset } from '../src/cores/ensemble/member-selection.js';
import { adaptiveThresholds } from '../src/cores/ensemble/adaptive-threshold.js';
import type { BundleMember } from '../src/formats/bundle.js';

/** Three members, one class, a 4×3 heatmap grid (row-major). */
const members = [
  Float32Array.from([0.9, 0.2, 0.0, 0.0, 0.7, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6]),
  Float32Array.from([0.8, 0.6, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4]),
  Float32Array.from([0.95, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.55]),
];
const grid = { width: 4, height: 3 };

/** The stack of `members` as the heatmap cache stores them: each member's pixels above `floor`. */
function stackAbove(floor: number) {
  const sparse = members.map((dense) => {
    const pixels = [...dense.keys()].filter((index) => dense[index]! > floor);
    return { pixels, values: pixels.map((index) => dense[index]!) };
  });
  return voteStackFromSparse(sparse, grid, floor);
}

test('votes S count members strictly above T_C; D = S > T_A is strict', () => {
  const stack = stackAbove(0.05);
  // active pixels: every pixel where some member exceeds 0.05 → indices 0, 1, 4, 5, 11
  assert.deepEqual(Array.from(stack.set.pixels), [0, 1, 4, 5, 11]);
  const votes = countVotes(stack, [0.5, 0.5, 0.5]);
  // pixel 0: 0.9, 0.8, 0.95 → 3; pixel 1: 0.2, 0.6, 0.1 → 1; pixel 4: 0.7 → 1;
  // pixel 5: 0.5 is not > 0.5 → 0; pixel 11: 0.6, 0.55 → 2
  assert.deepEqual(Array.from(votes), [3, 1, 1, 0, 2]);
  assert.deepEqual(Array.from(decide(votes, 1)), [1, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(decide(votes, 2)), [1, 0, 0, 0, 0]);
  // per-member thresholds (model-adaptive): member 0 needs > 0.95
  assert.deepEqual(Array.from(countVotes(stack, [0.95, 0.5, 0.5])), [2, 1, 0, 0, 1]);
});

test('detections: 8-connected components of D with centroid, area, votes and member statistics', () => {
  const stack = stackAbove(0.05);
  const detections = detectObjects(stack, [0.5, 0.5, 0.5], 0, 4);
  // D (T_A = 0): pixels 0, 1, 4 (one component: 1 is right of 0, 4 below 0) and 11
  assert.equal(detections.length, 2);
  const [first, second] = detections;
  // centroid of heatmap pixels (0,0), (1,0), (0,1): centres ((0.5+1.5+0.5)/3, (0.5+0.5+1.5)/3)·4
  assert.ok(Math.abs(first!.x - (2.5 / 3) * 4) < 1e-9);
  assert.ok(Math.abs(first!.y - (2.5 / 3) * 4) < 1e-9);
  assert.equal(first!.area, 3 * 16);
  assert.equal(first!.votes, 3);
  assert.equal(first!.voteFraction, 1);
  // mean over 3 pixels × 3 members
  const sum = 0.9 + 0.2 + 0.7 + 0.8 + 0.6 + 0.1 + 0.95 + 0.1 + 0.0;
  assert.ok(Math.abs(first!.meanValue - sum / 9) < 1e-6);
  assert.ok(Math.abs(first!.maxValue - 0.95) < 1e-6);
  // member peaks 0.9, 0.8, 0.95: mean 0.88333, population sd
  const peaks = [0.9, 0.8, 0.95];
  const mean = peaks.reduce((a, b) => a + b) / 3;
  const sd = Math.sqrt(peaks.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
  assert.ok(Math.abs(first!.spread - sd) < 1e-6);
  assert.equal(second!.x, 3.5 * 4);
  assert.equal(second!.y, 2.5 * 4);
  assert.equal(second!.votes, 2);
  assert.ok(Math.abs(second!.voteFraction - 2 / 3) < 1e-12);
  // with T_A = 2 only the three-vote pixel remains
  const strict = detectObjects(stack, [0.5, 0.5, 0.5], 2, 4);
  assert.equal(strict.length, 1);
  assert.equal(strict[0]!.area, 16);
});

test('the vote stack refuses T_C below its floor', () => {
  const stack = stackAbove(0.3);
  // some member exceeds 0.3 at pixels 0, 1, 4, 5 and 11
  assert.deepEqual(Array.from(stack.set.pixels), [0, 1, 4, 5, 11]);
  assert.throws(() => countVotes(stack, [0.2, 0.5, 0.5]), /below the stack floor/);
});

const bundleMembers: BundleMember[] = [5, 1, 3, 2, 4].map((epoch) => ({
  epoch,
  file: `members/epoch-${epoch}.onnx`,
  sha256: '0'.repeat(64),
}));

test('member selection: all, last K, explicit epochs, K random with a seed', () => {
  const epochs = (list: BundleMember[]) => list.map((m) => m.epoch);
  assert.deepEqual(epochs(selectMembers(bundleMembers, { mode: 'all' })), [1, 2, 3, 4, 5]);
  assert.deepEqual(epochs(selectMembers(bundleMembers, { mode: 'last', count: 2 })), [4, 5]);
  assert.deepEqual(
    epochs(selectMembers(bundleMembers, { mode: 'epochs', epochs: [4, 1] })),
    [1, 4],
  );
  assert.throws(
    () => selectMembers(bundleMembers, { mode: 'epochs', epochs: [9] }),
    /no member for epoch 9/,
  );
  assert.throws(() => selectMembers(bundleMembers, { mode: 'last', count: 6 }), /has 5/);
  const a = selectMembers(bundleMembers, { mode: 'random', count: 3, seed: 7 });
  const b = selectMembers(bundleMembers, { mode: 'random', count: 3, seed: 7 });
  assert.deepEqual(epochs(a), epochs(b));
  assert.equal(new Set(epochs(a)).size, 3);
  const subsets = Array.from({ length: 50 }, (_, k) => randomSubset(10, 4, 1, k).join(','));
  assert.ok(new Set(subsets).size > 30, 'sub-ensembles differ from one draw to the next');
  assert.deepEqual(randomSubset(10, 4, 1, 3), randomSubset(10, 4, 1, 3));
});

test('model-adaptive T_C is a quantile of each member’s per-image maxima', () => {
  // member 0 maxima 0.1..0.5 → q0.5 = 0.3; member 1 maxima 0.6, 0.8 → q0.5 = 0.7
  const tc = adaptiveThresholds(
    [
      [0.5, 0.1, 0.3, 0.2, 0.4],
      [0.8, 0.6],
    ],
    0.5,
  );
  assert.ok(Math.abs(tc[0]! - 0.3) < 1e-12);
  assert.ok(Math.abs(tc[1]! - 0.7) < 1e-12);
});
