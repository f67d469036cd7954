import type { BundleMember } from '../../formats/bundle.js';
import { SeededRandom } from '../seeded-random.js';

/** Which checkpoints of a bundle vote. */
export type MemberSelection =
  | { readonly mode: 'all' }
  /** The K latest epochs. */
  | { readonly mode: 'last'; readonly count: number }
  | { readonly mode: 'epochs'; readonly epochs: readonly number[] }
  /** K distinct members drawn uniformly with a seed. */
  | { readonly mode: 'random'; readonly count: number; readonly seed: number };

/**
 * Applies a selection and returns the chosen members in ascending epoch order
 * (the vote order recorded in detections.json). Throws RangeError naming the
 * problem when the selection cannot be met.
 */
export function selectMembers(
  members: readonly BundleMember[],
  selection: MemberSelection,
): BundleMember[] {
  const byEpoch = [...members].sort((a, b) => a.epoch - b.epoch);
  switch (selection.mode) {
    case 'all':
      return byEpoch;
    case 'last':
      if (selection.count > byEpoch.length) {
        throw new RangeError(
          `asked for the last ${selection.count} members but the bundle has ${byEpoch.length}`,
        );
      }
      return byEpoch.slice(byEpoch.length - selection.count);
    case 'epochs': {
      const missing = selection.epochs.filter((e) => !byEpoch.some((m) => m.epoch === e));
      if (missing.length > 0) {
        throw new RangeError(
          `the bundle has no member for epoch ${missing.join(', ')} (it has ${byEpoch
            .map((m) => m.epoch)
            .join(', ')})`,
        );
      }
      const wanted = new Set(selection.epochs);
      return byEpoch.filter((m) => wanted.has(m.epoch));
    }
    case 'random': {
      if (selection.count > byEpoch.length) {
        throw new RangeError(
          `asked for ${selection.count} random members but the bundle has ${byEpoch.length}`,
        );
      }
      const chosen = new SeededRandom(selection.seed).shuffle(byEpoch).slice(0, selection.count);
      return chosen.sort((a, b) => a.epoch - b.epoch);
    }
  }
}

/**
 * `count` distinct indices out of `0..size-1`, ascending: the k-th random
 * sub-ensemble of a seeded family (stream k), the same whatever else is drawn.
 */
export function randomSubset(size: number, count: number, seed: number, k: number): number[] {
  if (count > size) throw new RangeError(`cannot draw ${count} of ${size}`);
  const indices = Array.from({ length: size }, (_, i) => i);
  return new SeededRandom(seed, k)
    .shuffle(indices)
    .slice(0, count)
    .sort((a, b) => a - b);
}
