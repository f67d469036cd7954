import gammaQuantile from '@stdlib/stats-base-dists-gamma-quantile';
import { effectiveDispersion, type AberrationSummary } from './aberration-table.js';
import {
  bandFactor,
  correctConfidenceLevels,
  projectYield,
  type CalibrationCurve,
} from './calibration-curve.js';
import { estimateAic, type Interval } from './dose-estimate.js';

export interface MerkleOptions {
  /** Two-sided level of the exact Poisson interval on the yield (default 0.83). */
  readonly confYield: number;
  /** Level of the curve's simultaneous band (default 0.83). */
  readonly confCurve: number;
  /** Protraction factor G (1 = acute). */
  readonly g: number;
}

export interface WholeBodyEstimate {
  readonly yield: Interval;
  readonly dose: Interval;
  readonly aic: number;
  readonly confYield: number;
  readonly confCurve: number;
}

/** Exact (Garwood) Poisson limits on a count, as R's `poisson.test`. */
export function exactPoissonLimits(count: number, conf: number): [number, number] {
  const tail = (1 - conf) / 2;
  const lower = count === 0 ? 0 : gammaQuantile(tail, count, 1);
  return [lower, gammaQuantile(1 - tail, count + 1, 1)];
}

/**
 * Whole-body dose by Merkle's method: exact Poisson limits on the yield
 * (widened for over-dispersion by (X_B/X)^√DI), each projected on the far edge
 * of the curve's simultaneous band. 83%–83% gives about a 95% dose interval.
 */
export function estimateWholeBodyMerkle(
  curve: CalibrationCurve,
  caseSummary: AberrationSummary,
  options: MerkleOptions,
): WholeBodyEstimate {
  const { confYield, confCurve } = correctConfidenceLevels(curve, options, options.g);
  const band = { g: options.g, confCurve };
  const { cells, aberrations } = caseSummary;
  let estimate = aberrations / cells;
  const [countLow, countHigh] = exactPoissonLimits(aberrations, confYield);
  const dispersion = effectiveDispersion(caseSummary);
  const widen = (bound: number): number =>
    Number.isFinite(dispersion) && dispersion >= 1
      ? (bound / cells) * (bound / aberrations) ** Math.sqrt(dispersion)
      : bound / cells;
  let lower = widen(countLow);
  let upper = widen(countHigh);
  const [c] = curve.coefficients;
  if (estimate < c) {
    estimate = 0;
    lower = 0;
  }
  if (upper < c - bandFactor(curve, confCurve) * Math.sqrt(curve.varCov[0]![0]!)) upper = 0;
  const dose: Interval = {
    lower: projectYield(curve, lower, 'lower', band),
    estimate: projectYield(curve, estimate, 'estimate', band),
    upper: projectYield(curve, upper, 'upper', band),
  };
  return {
    yield: { lower, estimate, upper },
    dose,
    aic: estimateAic(curve, [{ dose: dose.estimate, yield: estimate }], options.g),
    confYield,
    confCurve,
  };
}
