import type { VoteStack } from '../ensemble/vote-stack.js';
import { countComponents } from '../ensemble/pixel-set.js';
import { labelComponents } from '../ensemble/pixel-set.js';
import type { DetectionCounts } from './detection-counts.js';

/** One class of one annotated image, ready for sweeps. */
export interface SweepItem {
  readonly stack: VoteStack;
  /** Ground truth at each active pixel of `stack.set`. */
  readonly gtOnSet: Uint8Array;
  /** cc(GT) over the whole grid. */
  readonly gtComponents: number;
}

/** Summed Fig. 2 counts for every (sub-ensemble, T_C, T_A): index [s][k][t] flattened. */
export interface SweepCounts {
  readonly subsets: number;
  readonly tcGrid: readonly number[];
  readonly taValues: readonly number[];
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly fn: Float64Array;
}

export function sweepIndex(counts: SweepCounts, s: number, k: number, t: number): number {
  return (s * counts.tcGrid.length + k) * counts.taValues.length + t;
}

export function countsAt(counts: SweepCounts, s: number, k: number, t: number): DetectionCounts {
  const i = sweepIndex(counts, s, k, t);
  return { tp: counts.tp[i]!, fp: counts.fp[i]!, fn: counts.fn[i]! };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Bit j of word ⌊j/32⌋ set for each member j in `members`. */
function memberMask(members: readonly number[], words: number): Uint32Array {
  const mask = new Uint32Array(words);
  for (const j of members) mask[j >>> 5]! |= 1 << (j & 31);
  return mask;
}

/**
 * Fig. 2 counts summed over `items` for every sub-ensemble (member indices
 * into each stack), every T_C of `tcGrid` and every T_A of `taValues`, with
 * S = Σ_{j∈E} 1[φ_j > T_C] and D = 1[S > T_A]. Each member's votes at each T_C
 * are packed once per item into bit masks, so a sub-ensemble's S is a popcount.
 */
export function sweepCounts(
  items: readonly SweepItem[],
  subsets: readonly (readonly number[])[],
  tcGrid: readonly number[],
  taValues: readonly number[],
): SweepCounts {
  const size = subsets.length * tcGrid.length * taValues.length;
  const result: SweepCounts = {
    subsets: subsets.length,
    tcGrid,
    taValues,
    tp: new Float64Array(size),
    fp: new Float64Array(size),
    fn: new Float64Array(size),
  };
  for (const item of items) {
    const { stack } = item;
    const m = stack.memberCount;
    const words = Math.ceil(m / 32);
    const n = stack.set.pixels.length;
    for (const tc of tcGrid) {
      if (tc < stack.floor)
        throw new RangeError(`T_C ${tc} is below the stack floor ${stack.floor}`);
    }
    const subsetMasks = subsets.map((members) => memberMask(members, words));
    const votes = new Uint16Array(n);
    const decision = new Uint8Array(n);
    const both = new Uint8Array(n);
    const parent = new Int32Array(n);
    const masks = new Uint32Array(n * words);
    for (let k = 0; k < tcGrid.length; k++) {
      const tc = tcGrid[k]!;
      masks.fill(0);
      for (let p = 0; p < n; p++) {
        for (let j = 0; j < m; j++) {
          if (stack.values[p * m + j]! > tc) masks[p * words + (j >>> 5)]! |= 1 << (j & 31);
        }
      }
      for (let s = 0; s < subsets.length; s++) {
        const subsetMask = subsetMasks[s]!;
        let maxVotes = 0;
        for (let p = 0; p < n; p++) {
          let v = 0;
          for (let w = 0; w < words; w++) v += popcount(masks[p * words + w]! & subsetMask[w]!);
          votes[p] = v;
          if (v > maxVotes) maxVotes = v;
        }
        for (let t = 0; t < taValues.length; t++) {
          const ta = taValues[t]!;
          const i = (s * tcGrid.length + k) * taValues.length + t;
          if (maxVotes <= ta) {
            result.fn[i]! += item.gtComponents;
            continue;
          }
          for (let p = 0; p < n; p++) {
            const d = votes[p]! > ta ? 1 : 0;
            decision[p] = d;
            both[p] = d & item.gtOnSet[p]!;
          }
          const tp = countComponents(stack.set, both, parent);
          const predicted = countComponents(stack.set, decision, parent);
          result.tp[i]! += tp;
          result.fp[i]! += Math.max(0, predicted - tp);
          result.fn[i]! += Math.max(0, item.gtComponents - tp);
        }
      }
    }
  }
  return result;
}

/** Detections binned by their votes (1..max), and how many touch a ground-truth disk. */
export interface ReliabilityBins {
  /** Index v: detections whose largest S is v. */
  readonly detections: number[];
  readonly correct: number[];
}

/**
 * Per-detection reliability: for each sub-ensemble, the components of
 * D = 1[S > T_A] at one T_C, each scored correct when it overlaps a ground-
 * truth disk, binned by its votes (max S in the component).
 */
export function reliabilityBins(
  items: readonly SweepItem[],
  subsets: readonly (readonly number[])[],
  tc: number,
  ta: number,
): ReliabilityBins {
  const maxSize = Math.max(...subsets.map((members) => members.length));
  const detections = new Array<number>(maxSize + 1).fill(0);
  const correct = new Array<number>(maxSize + 1).fill(0);
  for (const item of items) {
    const { stack } = item;
    const m = stack.memberCount;
    const n = stack.set.pixels.length;
    const votes = new Uint16Array(n);
    const decision = new Uint8Array(n);
    for (const members of subsets) {
      for (let p = 0; p < n; p++) {
        let v = 0;
        for (const j of members) if (stack.values[p * m + j]! > tc) v++;
        votes[p] = v;
        decision[p] = v > ta ? 1 : 0;
      }
      const { labels, count } = labelComponents(stack.set, decision);
      if (count === 0) continue;
      const best = new Int32Array(count);
      const hit = new Uint8Array(count);
      for (let p = 0; p < n; p++) {
        const label = labels[p]!;
        if (label < 0) continue;
        if (votes[p]! > best[label]!) best[label] = votes[p]!;
        if (item.gtOnSet[p]) hit[label] = 1;
      }
      for (let label = 0; label < count; label++) {
        detections[best[label]!]!++;
        correct[best[label]!]! += hit[label]!;
      }
    }
  }
  return { detections, correct };
}
