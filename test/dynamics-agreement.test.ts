import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spearman, voteAgreement } from '../src/cores/dynamics/vote-agreement.js';

test('Spearman ρ by hand, with ties sharing their average rank', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks a = 1, 2.5, 2.5, 4 and b = 1, 2, 3, 4: ρ = 4.5 / √(4.5 · 5)
  assert.ok(Math.abs(spearman([1, 5, 5, 9], [1, 2, 3, 4])! - 4.5 / Math.sqrt(4.5 * 5)) < 1e-12);
  assert.equal(spearman([1, 1, 1], [1, 2, 3]), null);
});

test('vote agreement splits detections at the entropy threshold', () => {
  const agreement = voteAgreement(
    [
      { entropy: 0.9, voteFraction: 0.5 },
      { entropy: 0.7, voteFraction: 0.6 },
      { entropy: 0.1, voteFraction: 1 },
      { entropy: 0.2, voteFraction: 0.9 },
    ],
    0.55,
  );
  assert.equal(agreement.detections, 4);
  assert.equal(agreement.spearman, -1);
  assert.deepEqual(agreement.highEntropy, { count: 2, meanVoteFraction: 0.55 });
  assert.deepEqual(agreement.lowEntropy, { count: 2, meanVoteFraction: 0.95 });
});
