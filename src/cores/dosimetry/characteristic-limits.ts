import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { projectYield, type CalibrationCurve } from './calibration-curve.js';
import {
  compareCaseWithControl,
  poissonTestPValue,
  type RateComparison,
} from './exact-poisson-test.js';

/** The background: a control sample (counts) or a known rate per cell. */
export type Background =
  | { readonly kind: 'control'; readonly aberrations: number; readonly cells: number }
  | { readonly kind: 'rate'; readonly perCell: number };

/** The background rate per cell. */
export function backgroundRate(background: Background): number {
  return background.kind === 'control'
    ? background.aberrations / background.cells
    : background.perCell;
}

/**
 * A case against the background: the exact conditional test against a
 * control sample, or the one-sample exact Poisson test against a known rate.
 */
export function compareCaseWithBackground(
  caseCount: { readonly aberrations: number; readonly cells: number },
  background: Background,
): RateComparison {
  if (background.kind === 'control') return compareCaseWithControl(caseCount, background);
  return {
    caseRate: caseCount.aberrations / caseCount.cells,
    controlRate: background.perCell,
    pValue: poissonTestPValue(caseCount.aberrations, caseCount.cells, background.perCell),
  };
}

export interface LimitOptions {
  /** Type I error of the (two-sided) test (0.05). */
  readonly alpha: number;
  /** Type II error for the detection limit (0.1). */
  readonly beta: number;
  /** Largest count tried for the decision threshold (100). */
  readonly maxCount: number;
}

export interface CharacteristicLimits {
  readonly cells: number;
  /** y_d: the largest count not significantly above background; null if none ≤ maxCount is. */
  readonly decisionThreshold: number | null;
  /** y_z = ½χ²_{1−β}(2(y_d + 1)): the Poisson mean with P(Y ≤ y_d) = β. */
  readonly detectionLimit: number | null;
  /** Dose of yield (y_d + 1)/n on the bare curve. */
  readonly minimumResolvableDose: number | null;
  /** Dose of yield y_z/n on the bare curve. */
  readonly doseAtDetectionLimit: number | null;
}

/**
 * ISO 19238 characteristic limits for a case of `cells` cells: the smallest
 * count significantly above background (exact two-sided test) minus one, the
 * detection limit, and — with a curve — their doses.
 */
export function characteristicLimits(
  cells: number,
  background: Background,
  options: LimitOptions,
  curve?: CalibrationCurve,
): CharacteristicLimits {
  const rate = backgroundRate(background);
  const significant = (count: number) =>
    count / cells > rate &&
    compareCaseWithBackground({ aberrations: count, cells }, background).pValue < options.alpha;
  // Above the background the p-value falls as the count grows, so the first
  // significant count is found by bisection: a scan from 1 would test every
  // count below a background mean that can be in the millions.
  let low = Math.max(1, Math.floor(rate * cells));
  while (low > 1 && (low - 1) / cells > rate) low--;
  while (low <= options.maxCount && !(low / cells > rate)) low++;
  let high = options.maxCount + 1;
  while (low < high) {
    const mid = low + Math.floor((high - low) / 2);
    if (significant(mid)) high = mid;
    else low = mid + 1;
  }
  const decisionThreshold = low <= options.maxCount ? low - 1 : null;
  const detectionLimit =
    decisionThreshold === null
      ? null
      : chisquareQuantile(1 - options.beta, 2 * (decisionThreshold + 1)) / 2;
  const bare = { g: 1, confCurve: 0 };
  return {
    cells,
    decisionThreshold,
    detectionLimit,
    minimumResolvableDose:
      curve && decisionThreshold !== null
        ? projectYield(curve, (decisionThreshold + 1) / cells, 'estimate', bare)
        : null,
    doseAtDetectionLimit:
      curve && detectionLimit !== null
        ? projectYield(curve, detectionLimit / cells, 'estimate', bare)
        : null,
  };
}
