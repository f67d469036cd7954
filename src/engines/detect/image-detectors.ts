import type { Bundle, BundleMember } from '../../formats/bundle.js';
import type { CurveDetector } from '../../formats/curve-detector.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { cellAberrations, type CountingRule } from '../../cores/dosimetry/cell-counts.js';
import { randomSubset } from '../../cores/ensemble/member-selection.js';
import {
  countStackDetections,
  type StackDetector,
} from '../../cores/ensemble/sub-ensemble-counts.js';
import type { VoteStack } from '../../cores/ensemble/vote-stack.js';

/**
 * The detectors an image-based calibration or dose counts with: the primary
 * ensemble and K seeded sub-ensembles, all drawn from one list of members
 * (`members`, ascending epochs) whose heatmaps are computed once per image.
 */
export interface DetectorFamily {
  readonly classes: readonly string[];
  readonly members: readonly BundleMember[];
  /** Per class, T_C of each of `members`. */
  readonly memberTc: Readonly<Record<string, readonly number[]>>;
  /** Index 0: the primary ensemble; 1..K: the sub-ensembles. Member indices into `members`. */
  readonly detectors: readonly {
    readonly members: readonly number[];
    readonly ta: Readonly<Record<string, number>>;
  }[];
  readonly rule: CountingRule;
}

/** The members voting in the primary ensemble or in any of `subsets` (pool indices). */
export function unionOfMembers(
  primary: readonly BundleMember[],
  pool: readonly BundleMember[],
): BundleMember[] {
  const byEpoch = new Map<number, BundleMember>();
  for (const member of [...primary, ...pool]) byEpoch.set(member.epoch, member);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** `count` seeded sub-ensembles of `size` members of `pool`, as epochs. */
export function drawSubEnsembles(
  pool: readonly BundleMember[],
  size: number,
  count: number,
  seed: number,
): number[][] {
  return Array.from({ length: count }, (_, k) =>
    randomSubset(pool.length, size, seed, k).map((index) => pool[index]!.epoch),
  );
}

/** Indices in `members` of the given epochs. */
export function indexOfEpochs(
  members: readonly BundleMember[],
  epochs: readonly number[],
): number[] {
  return epochs.map((epoch) => {
    const index = members.findIndex((member) => member.epoch === epoch);
    if (index < 0) throw new RangeError(`no member for epoch ${epoch}`);
    return index;
  });
}

/**
 * The detections per class of one image for every detector of the family
 * (index 0: primary), for the classes the counting rule reads. Seeded draws
 * repeat subsets (a pool of 6 has only 6 subsets of 5), so each distinct
 * (members, T_A) detector is counted once per image.
 */
export function imageClassCounts(
  family: DetectorFamily,
  stacks: readonly VoteStack[],
): Record<string, number>[] {
  const counted = new Map<string, Record<string, number>>();
  const needed = family.classes.flatMap((name, c) =>
    name === family.rule.aberration || name === family.rule.requireClass ? [{ name, c }] : [],
  );
  return family.detectors.map((detector) => {
    const key = [
      [...detector.members].sort((a, b) => a - b).join(','),
      ...needed.map(({ name }) => detector.ta[name]),
    ].join('|');
    const known = counted.get(key);
    if (known !== undefined) return known;
    const counts: Record<string, number> = {};
    for (const { name, c } of needed) {
      const stackDetector: StackDetector = {
        members: detector.members,
        memberTc: detector.members.map((j) => family.memberTc[name]![j]!),
        ta: detector.ta[name]!,
      };
      counts[name] = countStackDetections(stacks[c]!, stackDetector);
    }
    counted.set(key, counts);
    return counts;
  });
}

/** Per-cell counts of one image under the family's rule, for every detector (index 0: primary). */
export function imageCellCounts(family: DetectorFamily, stacks: readonly VoteStack[]): number[] {
  return imageClassCounts(family, stacks).map((counts) => cellAberrations(counts, family.rule));
}

/**
 * The detector family a calibrated curve prescribes, resolved against the
 * bundle: every recorded epoch must be a member, and the bundle must be the
 * one the curve was calibrated with.
 */
export function familyOfCurve(
  detector: CurveDetector,
  bundle: Bundle,
  bundleSha256: string,
  paths: { curve: string; bundle: string },
): DetectorFamily {
  if (bundleSha256 !== detector.bundle.sha256) {
    throw new DicentraError(
      'DCN_E_CURVE_MISMATCH',
      `curve ${paths.curve} was calibrated with another bundle (${detector.bundle.path}, sha256 ${detector.bundle.sha256.slice(0, 12)}…); ${paths.bundle} hashes to ${bundleSha256.slice(0, 12)}…`,
      {
        file: paths.curve,
        field: 'detector.bundle.sha256',
        hint: 'count a case with the bundle its curve was calibrated with, or run `dicentra calibrate` with this bundle',
      },
    );
  }
  const members = detector.members.map((entry) => {
    const member = bundle.members.find((m) => m.epoch === entry.epoch);
    if (!member) {
      throw new DicentraError(
        'DCN_E_CURVE_MISMATCH',
        `curve ${paths.curve} counts with member epoch ${entry.epoch}, which bundle ${paths.bundle} does not have`,
        { file: paths.curve, field: 'detector.members', hint: 'use the calibrated bundle' },
      );
    }
    return member;
  });
  const memberTc = Object.fromEntries(
    detector.classes.map((name) => [name, detector.members.map((entry) => entry.tc[name]!)]),
  );
  return {
    classes: bundle.classes,
    members,
    memberTc,
    detectors: [
      { members: indexOfEpochs(members, detector.primary), ta: detector.ta },
      ...detector.subEnsembles.curves.map((curve) => ({
        members: indexOfEpochs(members, curve.epochs),
        ta: detector.subEnsembles.ta,
      })),
    ],
    rule: detector.counting,
  };
}

/**
 * The primary ensemble of a calibrated curve as a detector to run on images:
 * its members (ascending epochs), each one's T_C per class, and T_A — so that
 * `detect` finds exactly what `dose` counts.
 */
export function primaryDetectorOfCurve(
  detector: CurveDetector,
  bundle: Bundle,
  bundleSha256: string,
  paths: { curve: string; bundle: string },
): {
  members: BundleMember[];
  memberTc: Record<string, number[]>;
  ta: Record<string, number>;
} {
  const family = familyOfCurve(detector, bundle, bundleSha256, paths);
  const primary = [...family.detectors[0]!.members].sort(
    (a, b) => family.members[a]!.epoch - family.members[b]!.epoch,
  );
  return {
    members: primary.map((j) => family.members[j]!),
    memberTc: Object.fromEntries(
      family.classes.map((name) => [name, primary.map((j) => family.memberTc[name]![j]!)]),
    ),
    ta: { ...detector.ta },
  };
}
