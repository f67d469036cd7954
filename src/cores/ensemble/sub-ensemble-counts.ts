import { countComponents } from './pixel-set.js';
import type { VoteStack } from './vote-stack.js';

/**
 * A detector drawn from one stack of member heatmaps: which members vote
 * (indices into the stack), each member's T_C, and T_A. Many detectors share
 * one stack, so sub-ensembles are recounted without re-running the network.
 */
export interface StackDetector {
  readonly members: readonly number[];
  /** T_C of each member of `members`, in the same order. */
  readonly memberTc: readonly number[];
  readonly ta: number;
}

/**
 * The number of detections (8-connected components of S > T_A, with
 * S = Σ_{j ∈ members} 1[φ_j > T_C,j]) of one class of one image; the same
 * decision as `detectObjects`, without the per-detection statistics.
 */
export function countStackDetections(stack: VoteStack, detector: StackDetector): number {
  const { members, memberTc, ta } = detector;
  if (members.length !== memberTc.length) {
    throw new RangeError(`${members.length} members but ${memberTc.length} thresholds`);
  }
  for (const tc of memberTc) {
    if (tc < stack.floor) {
      throw new RangeError(`T_C ${tc} is below the stack floor ${stack.floor}`);
    }
  }
  const m = stack.memberCount;
  const n = stack.set.pixels.length;
  const selected = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    let votes = 0;
    for (let i = 0; i < members.length; i++) {
      if (stack.values[p * m + members[i]!]! > memberTc[i]!) votes++;
    }
    selected[p] = votes > ta ? 1 : 0;
  }
  return countComponents(stack.set, selected, new Int32Array(n));
}

/**
 * Each member's largest heatmap value in the image (the statistic of the
 * model-adaptive thresholds). A member with no stored pixel is ≤ the stack's
 * floor everywhere; it gets the floor, the largest value it may have.
 */
export function memberMaxima(stack: VoteStack): number[] {
  const m = stack.memberCount;
  const maxima = new Array<number>(m).fill(stack.floor);
  for (let p = 0; p < stack.set.pixels.length; p++) {
    for (let j = 0; j < m; j++) {
      const value = stack.values[p * m + j]!;
      if (value > maxima[j]!) maxima[j] = value;
    }
  }
  return maxima;
}
