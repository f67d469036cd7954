import type { LoadedBundle } from '../../formats/bundle-file.js';
import type { CurveFile } from '../../formats/curve.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { generaliseCurve, projectYield } from '../../cores/dosimetry/calibration-curve.js';
import type { Interval } from '../../cores/dosimetry/dose-estimate.js';
import {
  combineWithDetectorSpread,
  detectorSpread,
  type DetectorSpread,
} from '../../cores/dosimetry/detector-uncertainty.js';
import {
  caseDistributions,
  cellAberrations,
  type CellDetections,
  type CountingRule,
} from '../../cores/dosimetry/cell-counts.js';
import { familyOfCurve, imageClassCounts } from '../detect/image-detectors.js';
import { forEachImageStacks } from '../inference/member-heatmaps.js';
import type { ImageCase } from '../import/case-images.js';
import type { WholeBodyEstimate } from '../../cores/dosimetry/whole-body-merkle.js';
import { calibrationCurveOf } from './curve-record.js';
import { estimateCaseDose, type CaseDose, type DoseMethod } from './case-dose.js';

export interface ImageCountRequest {
  readonly loaded: LoadedBundle;
  readonly curve: CurveFile;
  readonly curvePath: string;
  readonly cases: readonly ImageCase[];
  readonly cacheDir: string | null;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/** What detection on the fly gives a dose from images. */
export interface ImageCounts {
  /** The curve's counting rule. */
  readonly rule: CountingRule;
  /** The primary ensemble's detections per cell: the cells `dicentra counts` would count. */
  readonly cells: CellDetections[];
  /** Per case, each sub-ensemble's yield (aberrations per cell) under the rule. */
  readonly subEnsembleYields: ReadonlyMap<string, number[]>;
}

/**
 * Detects every cell of the cases with the detectors the calibrated curve
 * prescribes: the primary ensemble (whose detections are counted as
 * `dicentra counts` counts a detections.json) and each sub-ensemble, whose
 * yield carries the detector's uncertainty into the dose.
 */
export async function detectImageCases(request: ImageCountRequest): Promise<ImageCounts> {
  const { curve, loaded } = request;
  const detector = curve.detector;
  if (!detector) {
    throw new DicentraError(
      'DCN_E_CURVE_MISMATCH',
      `curve ${request.curvePath} was not calibrated from images, so it does not say how to count them`,
      {
        file: request.curvePath,
        field: 'detector',
        hint: 'use a curve from `dicentra calibrate`, or give counts with --counts',
      },
    );
  }
  const family = familyOfCurve(detector, loaded.bundle, loaded.sha256, {
    curve: request.curvePath,
    bundle: loaded.path,
  });
  const total = request.cases.reduce((sum, c) => sum + c.images.length, 0);
  const cells: CellDetections[] = [];
  const subEnsembleYields = new Map<string, number[]>();
  let before = 0;
  for (const imageCase of request.cases) {
    const subTotals = family.detectors.slice(1).map(() => 0);
    await forEachImageStacks(
      {
        loaded,
        members: family.members,
        images: imageCase.images,
        cacheDir: request.cacheDir,
        ...(request.signal ? { signal: request.signal } : {}),
        onProgress: (done) => request.onProgress?.(before + done, total),
      },
      (i, stacks) => {
        const [primary, ...subs] = imageClassCounts(family, stacks);
        const image = imageCase.images[i]!;
        cells[before + i] = { caseId: imageCase.id, imageId: image.id, counts: primary! };
        subs.forEach((counts, k) => (subTotals[k]! += cellAberrations(counts, family.rule)));
      },
    );
    subEnsembleYields.set(
      imageCase.id,
      subTotals.map((sum) => sum / imageCase.images.length),
    );
    before += imageCase.images.length;
  }
  return { rule: family.rule, cells, subEnsembleYields };
}

/** A statistical dose interval widened by the spread of the sub-ensembles' doses. */
export interface DetectorWidening {
  /** The dose of each sub-ensemble on its own curve (null: its curve cannot reach its yield). */
  readonly subEnsembleDoses: (number | null)[];
  readonly detector: DetectorSpread;
  readonly dose: Interval;
}

/**
 * Each sub-ensemble's yield read off its own curve; the spread of those doses
 * widens the statistical interval at level `conf` (docs/dosimetry.md).
 */
export function widenByDetector(
  curve: CurveFile,
  subEnsembleYields: readonly number[],
  statistical: Interval,
  g: number,
  conf: number,
): DetectorWidening {
  const subCurves = (curve.detector?.subEnsembles.curves ?? []).map((sub) =>
    generaliseCurve(sub.estimates, sub.varCov),
  );
  const subEnsembleDoses = subCurves.map((subCurve, k) => {
    try {
      return projectYield(subCurve, subEnsembleYields[k]!, 'estimate', { g, confCurve: 0 });
    } catch (error) {
      if (error instanceof DicentraError) return null;
      throw error;
    }
  });
  const spread = detectorSpread(subEnsembleDoses.filter((d): d is number => d !== null));
  return {
    subEnsembleDoses,
    detector: spread,
    dose: combineWithDetectorSpread(statistical, spread.sd, conf),
  };
}

/** The whole-body methods, the ones the detector's spread is carried for. */
export type WholeBodyMethod = Extract<DoseMethod, { kind: 'merkle' | 'delta' }>;

/** The dose of a case from its images: its statistical estimate, widened by the detector. */
export type ImageDose = CaseDose<WholeBodyEstimate> & DetectorWidening;

/**
 * The dose of each case from its images, by the one counting path: detections
 * per cell → per-cell counts under the curve's rule → the case's count table →
 * the method's estimate (as from a case table), then widened by the spread of
 * the sub-ensembles' doses at level `conf`.
 */
export async function estimateImageDoses(
  request: ImageCountRequest & {
    readonly method: WholeBodyMethod;
    /** Lea–Catcheside G (1 = acute). */
    readonly g: number;
    readonly conf: number;
  },
): Promise<ImageDose[]> {
  const counts = await detectImageCases(request);
  const curve = calibrationCurveOf(request.curve);
  return caseDistributions(counts.cells, counts.rule).map((row) => {
    const dose = estimateCaseDose(curve, row, request.method, request.g, request.curvePath);
    const widening = widenByDetector(
      request.curve,
      counts.subEnsembleYields.get(row.id)!,
      dose.estimate.dose,
      request.g,
      request.conf,
    );
    return { ...dose, ...widening };
  });
}
