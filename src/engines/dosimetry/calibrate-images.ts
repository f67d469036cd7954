import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import type { CurveDetector, SubEnsembleCurve } from '../../formats/curve-detector.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { adaptiveThresholds } from '../../cores/ensemble/adaptive-threshold.js';
import { memberMaxima } from '../../cores/ensemble/sub-ensemble-counts.js';
import { cellDistribution, type CountingRule } from '../../cores/dosimetry/cell-counts.js';
import type { CurveModel } from '../../cores/dosimetry/count-groups.js';
import type { DoseGroup } from '../../formats/count-table.js';
import {
  fitDoseEffectCurve,
  type CurveFit,
  type FamilyChoice,
} from '../../cores/dosimetry/curve-fit.js';
import { CACHE_FLOOR } from '../inference/heatmap-cache.js';
import {
  drawSubEnsembles,
  imageCellCounts,
  indexOfEpochs,
  unionOfMembers,
  type DetectorFamily,
} from '../detect/image-detectors.js';
import { forEachImageStacks, type HeatmapImage } from '../inference/member-heatmaps.js';

/** A calibration image: one cell at a known dose. */
export interface CalibrationImage extends HeatmapImage {
  readonly doseGy: number;
}

/** T_C of a class: one value for every member, or each member's q-quantile (model-adaptive). */
export type ThresholdChoice =
  | { readonly kind: 'fixed'; readonly tc: Readonly<Record<string, number>> }
  | { readonly kind: 'adaptive'; readonly quantile: number };

export interface CalibrateRequest {
  readonly loaded: LoadedBundle;
  readonly images: readonly CalibrationImage[];
  readonly primary: readonly BundleMember[];
  /** The members the sub-ensembles are drawn from. */
  readonly pool: readonly BundleMember[];
  readonly thresholds: ThresholdChoice;
  readonly ta: Readonly<Record<string, number>>;
  readonly subEnsembles: { readonly count: number; readonly size: number; readonly seed: number };
  readonly rule: CountingRule;
  readonly model: CurveModel;
  readonly family: FamilyChoice;
  readonly cacheDir: string | null;
  readonly signal?: AbortSignal;
  onProgress?(stage: 'thresholds' | 'counting', done: number, total: number): void;
}

export interface CalibrateResult {
  /** The primary ensemble's count table, per dose (ascending). */
  readonly groups: DoseGroup[];
  readonly fit: CurveFit;
  readonly detector: CurveDetector;
  /** Sub-ensembles whose curve could not be fitted (left out of `detector`). */
  readonly failedSubEnsembles: number;
  readonly computedHeatmaps: number;
}

/** Per-dose count tables of every detector, from per-cell counts. */
function doseGroups(doses: readonly number[], perCell: readonly number[]): DoseGroup[] {
  const byDose = new Map<number, number[]>();
  doses.forEach((dose, i) => {
    const list = byDose.get(dose) ?? [];
    list.push(perCell[i]!);
    byDose.set(dose, list);
  });
  return [...byDose.entries()]
    .sort(([a], [b]) => a - b)
    .map(([doseGy, counts]) => {
      const distribution = cellDistribution(counts);
      return {
        doseGy,
        cells: counts.length,
        aberrations: counts.reduce((sum, k) => sum + k, 0),
        distribution,
      };
    });
}

/**
 * Model-adaptive T_C (the paper's Fig. 9): each member's q-quantile of its
 * per-image maximum heatmap value, per class, over the images of the highest
 * calibration dose. Kept at or above the heatmap floor, below which nothing
 * was stored.
 */
async function adaptiveMemberTc(
  request: CalibrateRequest,
  members: readonly BundleMember[],
  quantile: number,
): Promise<{
  memberTc: Record<string, number[]>;
  doseGy: number;
  images: number;
  computed: number;
}> {
  const classes = request.loaded.bundle.classes;
  const doseGy = Math.max(...request.images.map((image) => image.doseGy));
  const top = request.images.filter((image) => image.doseGy === doseGy);
  const maxima = classes.map(() => members.map(() => [] as number[]));
  const computed = await forEachImageStacks(
    {
      loaded: request.loaded,
      members,
      images: top,
      cacheDir: request.cacheDir,
      ...(request.signal ? { signal: request.signal } : {}),
      onProgress: (done, total) => request.onProgress?.('thresholds', done, total),
    },
    (_, stacks) => {
      stacks.forEach((stack, c) => {
        memberMaxima(stack).forEach((value, j) => maxima[c]![j]!.push(value));
      });
    },
  );
  const memberTc = Object.fromEntries(
    classes.map((name, c) => [
      name,
      adaptiveThresholds(maxima[c]!, quantile).map((tc) => Math.min(1, Math.max(CACHE_FLOOR, tc))),
    ]),
  );
  return { memberTc, doseGy, images: top.length, computed };
}

/**
 * Counts every calibration image with the primary ensemble and each seeded
 * sub-ensemble (from cached member heatmaps), and fits one curve per detector.
 */
export async function calibrateFromImages(request: CalibrateRequest): Promise<CalibrateResult> {
  const { loaded, rule } = request;
  const classes = loaded.bundle.classes;
  for (const name of [rule.aberration, rule.requireClass]) {
    if (name !== null && !classes.includes(name)) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `the counting rule uses class "${name}", which bundle ${loaded.path} does not have (${classes.join(', ')})`,
        { file: loaded.path, hint: 'calibrate with a bundle trained on dicentrics and fragments' },
      );
    }
  }
  const members = unionOfMembers(request.primary, request.pool);
  const subEpochs = drawSubEnsembles(
    request.pool,
    request.subEnsembles.size,
    request.subEnsembles.count,
    request.subEnsembles.seed,
  );
  let computed = 0;
  let memberTc: Record<string, number[]>;
  let thresholdRule: CurveDetector['thresholdRule'];
  if (request.thresholds.kind === 'adaptive') {
    const adaptive = await adaptiveMemberTc(request, members, request.thresholds.quantile);
    memberTc = adaptive.memberTc;
    computed += adaptive.computed;
    thresholdRule = {
      kind: 'adaptive',
      quantile: request.thresholds.quantile,
      doseGy: adaptive.doseGy,
      images: adaptive.images,
    };
  } else {
    const fixed = request.thresholds.tc;
    memberTc = Object.fromEntries(classes.map((name) => [name, members.map(() => fixed[name]!)]));
    thresholdRule = { kind: 'fixed', tc: { ...fixed } };
  }
  const subTa = Object.fromEntries(
    classes.map((name) => [
      name,
      Math.min(request.ta[name]!, Math.max(0, request.subEnsembles.size - 1)),
    ]),
  );
  const family: DetectorFamily = {
    classes,
    members,
    memberTc,
    detectors: [
      {
        members: indexOfEpochs(
          members,
          request.primary.map((m) => m.epoch),
        ),
        ta: request.ta,
      },
      ...subEpochs.map((epochs) => ({ members: indexOfEpochs(members, epochs), ta: subTa })),
    ],
    rule,
  };
  const perCell = family.detectors.map(() => new Array<number>(request.images.length));
  computed += await forEachImageStacks(
    {
      loaded,
      members,
      images: request.images,
      cacheDir: request.cacheDir,
      ...(request.signal ? { signal: request.signal } : {}),
      onProgress: (done, total) => request.onProgress?.('counting', done, total),
    },
    (i, stacks) => {
      imageCellCounts(family, stacks).forEach((count, d) => (perCell[d]![i] = count));
    },
  );
  const doses = request.images.map((image) => image.doseGy);
  const options = { model: request.model, family: request.family };
  const groups = doseGroups(doses, perCell[0]!);
  const fit = fitDoseEffectCurve(groups, options);
  const curves: SubEnsembleCurve[] = [];
  let failed = 0;
  subEpochs.forEach((epochs, k) => {
    try {
      const subFit = fitDoseEffectCurve(doseGroups(doses, perCell[k + 1]!), options);
      curves.push({
        epochs,
        estimates: subFit.coefficients.map((row) => row.estimate),
        varCov: subFit.varCov,
      });
    } catch (error) {
      if (!(error instanceof DicentraError)) throw error;
      failed++;
    }
  });
  const tcOf = (j: number) =>
    Object.fromEntries(classes.map((name) => [name, memberTc[name]![j]!]));
  return {
    groups,
    fit,
    failedSubEnsembles: failed,
    computedHeatmaps: computed,
    detector: {
      bundle: { path: loaded.path, sha256: loaded.sha256 },
      classes: [...classes],
      thresholdRule,
      members: members.map((member, j) => ({ epoch: member.epoch, tc: tcOf(j) })),
      ta: { ...request.ta },
      primary: request.primary.map((member) => member.epoch),
      counting: { aberration: rule.aberration, requireClass: rule.requireClass },
      subEnsembles: {
        seed: request.subEnsembles.seed,
        size: request.subEnsembles.size,
        ta: subTa,
        drawn: request.subEnsembles.count,
        curves,
      },
    },
  };
}
