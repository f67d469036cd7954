import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { bisect } from 'simple-statistics';
import { DicentraError } from '../../formats/dicentra-error.js';

/**
 * A dose–effect curve Y(D) = C + αD + βG·D² as the estimators use it: always
 * three coefficients (β = 0 for a linear curve) and a 3×3 variance–covariance
 * matrix (zero-padded), so every method has one code path.
 */
export interface CalibrationCurve {
  /** (C, α, β). */
  readonly coefficients: readonly [number, number, number];
  /** 3×3 variance–covariance of (C, α, β). */
  readonly varCov: readonly (readonly number[])[];
}

/** Which curve a yield is projected on: the fit, or one side of its confidence band. */
export type CurveBound = 'estimate' | 'lower' | 'upper';

export interface BandOptions {
  /** Lea–Catcheside protraction factor multiplying β (1 = acute). */
  readonly g: number;
  /** Confidence level of the curve band (0 = no band). */
  readonly confCurve: number;
}

/** The reference's search interval for doses, in Gy. */
export const DOSE_SEARCH_INTERVAL: readonly [number, number] = [1e-16, 100];

export function yieldAtDose(curve: CalibrationCurve, dose: number, g = 1): number {
  const [c, alpha, beta] = curve.coefficients;
  return c + alpha * dose + beta * g * dose * dose;
}

/** Var[Ŷ(D)] = gᵀΣg with g = (1, D, G·D²); may be slightly negative by rounding. */
export function yieldVarianceAtDose(curve: CalibrationCurve, dose: number, g = 1): number {
  const gradient = [1, dose, g * dose * dose];
  let variance = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) variance += gradient[i]! * curve.varCov[i]![j]! * gradient[j]!;
  }
  return variance;
}

/** Coefficients that are not zero (2 for a linear curve): the χ² degrees of freedom of the band. */
export function nonZeroCoefficients(curve: CalibrationCurve): number {
  return curve.coefficients.filter((value) => value !== 0).length;
}

/** R = √χ²_conf(p): the half-width of the simultaneous (Merkle 1983) band in units of SE. */
export function bandFactor(curve: CalibrationCurve, confCurve: number): number {
  return confCurve > 0 ? Math.sqrt(chisquareQuantile(confCurve, nonZeroCoefficients(curve))) : 0;
}

/**
 * The yield of a bounding curve at `dose`. The *upper* edge of the band gives
 * the *lower* dose, hence `lower` adds R·σ and `upper` subtracts it.
 */
export function boundingYield(
  curve: CalibrationCurve,
  dose: number,
  bound: CurveBound,
  band: BandOptions,
): number {
  const estimate = yieldAtDose(curve, dose, band.g);
  if (bound === 'estimate') return estimate;
  const sigma = Math.sqrt(Math.max(0, yieldVarianceAtDose(curve, dose, band.g)));
  const r = bandFactor(curve, band.confCurve);
  return bound === 'lower' ? estimate + r * sigma : estimate - r * sigma;
}

/**
 * The dose at which a (bounding) curve reaches `observedYield`; 0 when the
 * yield is at or below the curve's value at D = 0. Root finding on
 * [1e-16, 100] Gy, as the reference. Throws DCN_E_CURVE_NOT_INVERTIBLE when the
 * curve does not cross the yield in that interval.
 */
export function projectYield(
  curve: CalibrationCurve,
  observedYield: number,
  bound: CurveBound,
  band: BandOptions,
): number {
  const infimum = boundingYield(curve, 0, bound, band);
  if (!(observedYield > infimum)) return 0;
  const excess = (dose: number): number => boundingYield(curve, dose, bound, band) - observedYield;
  const [searchLow, high] = DOSE_SEARCH_INTERVAL;
  // The first crossing: a fitted curve with β < 0 rises, then falls back below the yield
  // before 100 Gy, so the ends of the interval alone can show no sign change. A monotone
  // curve crosses once and gets the same root as a search over the whole interval.
  const [low, upper] = firstCrossing(excess, searchLow, high);
  const atLow = excess(low);
  const atHigh = excess(upper);
  if (!(Number.isFinite(atLow) && Number.isFinite(atHigh)) || atLow * atHigh > 0) {
    throw new DicentraError(
      'DCN_E_CURVE_NOT_INVERTIBLE',
      `the ${bound === 'estimate' ? 'calibration curve' : `${bound}-dose edge of the curve's band`} does not reach the yield ${observedYield.toPrecision(4)} between 0 and ${high} Gy`,
      {
        hint:
          bound === 'estimate'
            ? 'check that the case was scored like the calibration (same aberration, same criteria) and that the curve covers this yield'
            : 'the curve is too uncertain at this yield: lower the curve confidence level (--ci) or use a curve fitted on more cells',
      },
    );
  }
  if (atLow === 0) return low;
  // Bisection to 1e-12 Gy: exact at the reference's 3-decimal rounding.
  return bisect(excess, low, upper, 200, 1e-12);
}

/** Steps of 0.05 Gy from `low` to `high`: the first bracket where `f` changes sign, else the whole interval. */
function firstCrossing(f: (dose: number) => number, low: number, high: number): [number, number] {
  const step = 0.05;
  let previous = low;
  let atPrevious = f(previous);
  for (let dose = step; dose < high; dose += step) {
    const value = f(dose);
    if (atPrevious * value <= 0) return [previous, dose];
    previous = dose;
    atPrevious = value;
  }
  return [low, high];
}

/**
 * The reference's `correct_conf_int`: a curve without usable uncertainties
 * (σ² ≤ 0 at two or more of the doses 0, 0.2, …, 10 Gy) gets no curve band,
 * and its yield interval falls back to 95%.
 */
export function correctConfidenceLevels(
  curve: CalibrationCurve,
  levels: { readonly confYield: number; readonly confCurve: number },
  g = 1,
): { confYield: number; confCurve: number } {
  let nonPositive = 0;
  for (let step = 0; step <= 50; step++) {
    if (yieldVarianceAtDose(curve, step * 0.2, g) <= 0) nonPositive++;
  }
  return nonPositive >= 2 ? { confYield: 0.95, confCurve: 0 } : { ...levels };
}

/**
 * The reference's "generalised" curve: coefficients (C, α[, β]) and their
 * p×p covariance padded with zeros to three terms.
 */
export function generaliseCurve(
  estimates: readonly number[],
  varCov: readonly (readonly number[])[],
): CalibrationCurve {
  const padded = [0, 1, 2].map((i) => estimates[i] ?? 0) as [number, number, number];
  return {
    coefficients: padded,
    varCov: [0, 1, 2].map((i) => [0, 1, 2].map((j) => varCov[i]?.[j] ?? 0)),
  };
}
