import type { Split } from '../formats/dataset.js';
import { SeededRandom } from './seeded-random.js';

export interface SplitRatios {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

/**
 * Assigns each item a split, deterministically from `seed`. Items sharing a
 * group (e.g. a sample) always land in the same split. Groups are shuffled,
 * then filled into train, val, test in turn until each reaches its share of
 * items, so the realised ratios are as close as whole groups allow.
 */
export function assignSplits(
  groups: readonly string[],
  ratios: SplitRatios,
  seed: number,
): Split[] {
  const total = ratios.train + ratios.val + ratios.test;
  if (!(total > 0)) throw new RangeError('split ratios must sum to more than 0');
  const sizes = new Map<string, number>();
  for (const group of groups) sizes.set(group, (sizes.get(group) ?? 0) + 1);
  const order = new SeededRandom(seed).shuffle([...sizes.keys()].sort());
  const targets: [Split, number][] = [
    ['train', (ratios.train / total) * groups.length],
    ['val', ((ratios.train + ratios.val) / total) * groups.length],
    ['test', groups.length],
  ];
  const splitOfGroup = new Map<string, Split>();
  let filled = 0;
  let stage = 0;
  for (const group of order) {
    while (stage < targets.length - 1 && filled >= targets[stage]![1] - 1e-9) stage++;
    splitOfGroup.set(group, targets[stage]![0]);
    filled += sizes.get(group)!;
  }
  return groups.map((group) => splitOfGroup.get(group)!);
}
