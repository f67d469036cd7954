import type { LoadedBundle } from '../../formats/bundle-file.js';
import type { CurveFile } from '../../formats/curve.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import {
  summariseDistribution,
  type AberrationSummary,
} from '../../cores/dosimetry/aberration-table.js';
import { generaliseCurve, projectYield } from '../../cores/dosimetry/calibration-curve.js';
import { cellDistribution } from '../../cores/dosimetry/cell-counts.js';
import type { Interval } from '../../cores/dosimetry/dose-estimate.js';
import {
  combineWithDetectorSpread,
  detectorSpread,
  type DetectorSpread,
} from '../../cores/dosimetry/detector-uncertainty.js';
import { estimateWholeBodyDelta } from '../../cores/dosimetry/whole-body-delta.js';
import {
  estimateWholeBodyMerkle,
  type WholeBodyEstimate,
} from '../../cores/dosimetry/whole-body-merkle.js';
import { calibrationCurveOf } from './curve-record.js';
import { familyOfCurve, imageCellCounts } from '../detect/image-detectors.js';
import { forEachImageStacks, type HeatmapImage } from '../inference/member-heatmaps.js';

/** One person: the images of their scored cells. */
export interface ImageCase {
  readonly id: string;
  readonly images: readonly HeatmapImage[];
}

export type WholeBodyMethod =
  | { readonly kind: 'merkle'; readonly confYield: number; readonly confCurve: number }
  | { readonly kind: 'delta'; readonly conf: number };

export interface ImageDoseRequest {
  readonly loaded: LoadedBundle;
  readonly curve: CurveFile;
  readonly curvePath: string;
  readonly cases: readonly ImageCase[];
  readonly method: WholeBodyMethod;
  /** Lea–Catcheside G (1 = acute). */
  readonly g: number;
  /** Level at which the detector spread is added (the statistical interval's own overall level). */
  readonly conf: number;
  readonly cacheDir: string | null;
  readonly signal?: AbortSignal;
  onProgress?(caseIndex: number, done: number, total: number): void;
}

export interface ImageDoseResult {
  readonly id: string;
  readonly cells: number;
  /** Per-cell counts of the primary ensemble: cells with 0, 1, … aberrations. */
  readonly distribution: number[];
  readonly table: AberrationSummary;
  /** The primary ensemble's estimate with its statistical interval (Poisson + curve). */
  readonly statistical: WholeBodyEstimate;
  /** The dose of each sub-ensemble with its own curve (null: its curve cannot reach its yield). */
  readonly subEnsembleDoses: (number | null)[];
  readonly detector: DetectorSpread;
  /** The statistical interval widened by the detector spread. */
  readonly dose: Interval;
}

/** The statistical estimate of one count table on one curve. */
export function wholeBodyEstimate(
  curve: ReturnType<typeof calibrationCurveOf>,
  summary: AberrationSummary,
  method: WholeBodyMethod,
  g: number,
): WholeBodyEstimate {
  return method.kind === 'merkle'
    ? estimateWholeBodyMerkle(curve, summary, {
        confYield: method.confYield,
        confCurve: method.confCurve,
        g,
      })
    : estimateWholeBodyDelta(curve, summary, { conf: method.conf, g });
}

/**
 * The dose of each case from its images: counted by the primary ensemble of
 * the calibrated curve with its statistical interval, and by each
 * sub-ensemble with its own curve, whose spread widens the interval.
 */
export async function estimateDosesFromImages(
  request: ImageDoseRequest,
): Promise<ImageDoseResult[]> {
  const { curve: curveFile, loaded } = request;
  const detector = curveFile.detector;
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
  const curve = calibrationCurveOf(curveFile);
  const subCurves = detector.subEnsembles.curves.map((sub) =>
    generaliseCurve(sub.estimates, sub.varCov),
  );
  const results: ImageDoseResult[] = [];
  for (let c = 0; c < request.cases.length; c++) {
    const imageCase = request.cases[c]!;
    const perCell = family.detectors.map(() => new Array<number>(imageCase.images.length));
    await forEachImageStacks(
      {
        loaded,
        members: family.members,
        images: imageCase.images,
        cacheDir: request.cacheDir,
        ...(request.signal ? { signal: request.signal } : {}),
        onProgress: (done, total) => request.onProgress?.(c, done, total),
      },
      (i, stacks) => {
        imageCellCounts(family, stacks).forEach((count, d) => (perCell[d]![i] = count));
      },
    );
    const distribution = cellDistribution(perCell[0]!);
    const table = summariseDistribution(distribution);
    let statistical: WholeBodyEstimate;
    try {
      statistical = wholeBodyEstimate(curve, table, request.method, request.g);
    } catch (error) {
      if (error instanceof DicentraError) {
        throw new DicentraError(error.code, `case "${imageCase.id}": ${error.message}`, {
          file: request.curvePath,
          field: `case ${imageCase.id}`,
          ...(error.hint ? { hint: error.hint } : {}),
        });
      }
      throw error;
    }
    const subEnsembleDoses = subCurves.map((subCurve, k) => {
      const counts = perCell[k + 1]!;
      const observed = counts.reduce((sum, n) => sum + n, 0) / counts.length;
      try {
        return projectYield(subCurve, observed, 'estimate', { g: request.g, confCurve: 0 });
      } catch (error) {
        if (error instanceof DicentraError) return null;
        throw error;
      }
    });
    const spread = detectorSpread(subEnsembleDoses.filter((d): d is number => d !== null));
    results.push({
      id: imageCase.id,
      cells: imageCase.images.length,
      distribution,
      table,
      statistical,
      subEnsembleDoses,
      detector: spread,
      dose: combineWithDetectorSpread(statistical.dose, spread.sd, request.conf),
    });
  }
  return results;
}
