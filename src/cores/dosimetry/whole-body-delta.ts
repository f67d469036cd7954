import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { effectiveDispersion, type AberrationSummary } from './aberration-table.js';
import { projectYield, type CalibrationCurve } from './calibration-curve.js';
import { clampAtZero, deltaDoseStdError, estimateAic } from './dose-estimate.js';
import type { WholeBodyEstimate } from './whole-body-merkle.js';

export interface DeltaOptions {
  /** Two-sided level of the yield and dose intervals (default 0.95). */
  readonly conf: number;
  readonly g: number;
}

/** z for a two-sided level: qnorm(conf + (1 − conf)/2). */
export const twoSidedZ = (conf: number): number => normalQuantile(conf + (1 - conf) / 2, 0, 1);

/**
 * Whether the case's yield lies below the curve's intercept C, where the
 * delta method (as the reference computes it) reports [0, 0]: an interval
 * with no information, not a dose known to be zero.
 */
export function yieldBelowIntercept(
  curve: CalibrationCurve,
  caseSummary: Pick<AberrationSummary, 'cells' | 'aberrations'>,
): boolean {
  return caseSummary.aberrations / caseSummary.cells < curve.coefficients[0];
}

/**
 * Whole-body dose by the delta method: normal yield interval with the
 * empirical SE (Poisson SE √X/N when under-dispersed), dose SE from the
 * curve's covariance and the yield variance through the analytic gradient of
 * the inverse curve.
 */
export function estimateWholeBodyDelta(
  curve: CalibrationCurve,
  caseSummary: AberrationSummary,
  options: DeltaOptions,
): WholeBodyEstimate {
  const z = twoSidedZ(options.conf);
  const band = { g: options.g, confCurve: 0 };
  const { cells, aberrations } = caseSummary;
  const lambda = aberrations / cells;
  const zero = { lower: 0, estimate: 0, upper: 0 };
  if (yieldBelowIntercept(curve, caseSummary)) {
    // The reference zeroes every output below the background yield.
    return {
      yield: zero,
      dose: zero,
      aic: estimateAic(curve, [{ dose: 0, yield: 0 }], options.g),
      confYield: options.conf,
      confCurve: options.conf,
    };
  }
  const overDispersed = effectiveDispersion(caseSummary) >= 1;
  const yieldSe = overDispersed ? caseSummary.yieldStdError : Math.sqrt(aberrations) / cells;
  const se = yieldSe ?? Math.sqrt(aberrations) / cells;
  const dose = projectYield(curve, lambda, 'estimate', band);
  const doseSe = deltaDoseStdError(curve, lambda, se * se, options.g);
  return {
    yield: clampAtZero({ lower: lambda - z * se, estimate: lambda, upper: lambda + z * se }),
    dose: clampAtZero({ lower: dose - z * doseSe, estimate: dose, upper: dose + z * doseSe }),
    aic: estimateAic(curve, [{ dose, yield: lambda }], options.g),
    confYield: options.conf,
    confCurve: options.conf,
  };
}
