import gammaln from '@stdlib/math-base-special-gammaln';
import { nonZeroCoefficients, yieldAtDose, type CalibrationCurve } from './calibration-curve.js';

/** [lower, estimate, upper]. */
export interface Interval {
  readonly lower: number;
  readonly estimate: number;
  readonly upper: number;
}

export const clampAtZero = (interval: Interval): Interval => ({
  lower: Math.max(0, interval.lower),
  estimate: Math.max(0, interval.estimate),
  upper: Math.max(0, interval.upper),
});

/**
 * The reference's goodness-of-fit label of an estimate: a continuous Poisson
 * pseudo-likelihood of the per-cell yield at the projected dose,
 * AIC = 2k − 2Σ[−Y(D̂) + ŷ·log Y(D̂) − lgamma(ŷ + 1)], k = non-zero coefficients.
 */
export function estimateAic(
  curve: CalibrationCurve,
  pairs: readonly { readonly dose: number; readonly yield: number }[],
  g = 1,
): number {
  const logLik = pairs.reduce((sum, { dose, yield: y }) => {
    const expected = yieldAtDose(curve, dose, g);
    return sum - expected + y * Math.log(expected) - gammaln(y + 1);
  }, 0);
  return 2 * nonZeroCoefficients(curve) - 2 * logLik;
}

/**
 * ∂D/∂(C, α, β, λ) of the closed-form inverse of the curve at yield λ:
 * D = [−α + √(α² + 4βG(λ−C))]/(2βG), or (λ − C)/α when βG = 0.
 */
export function doseGradient(curve: CalibrationCurve, lambda: number, g = 1): number[] {
  const [c, alpha, beta] = curve.coefficients;
  if (beta * g === 0) {
    return [-1 / alpha, -(lambda - c) / (alpha * alpha), 0, 1 / alpha];
  }
  const s = Math.sqrt(alpha * alpha + 4 * beta * g * (lambda - c));
  return [
    -1 / s,
    (alpha / s - 1) / (2 * beta * g),
    (lambda - c) / (beta * s) - (s - alpha) / (2 * beta * beta * g),
    1 / s,
  ];
}

/** The closed-form dose D(C, α, β, λ) the delta method differentiates. */
export function closedFormDose(curve: CalibrationCurve, lambda: number, g = 1): number {
  const [c, alpha, beta] = curve.coefficients;
  if (beta * g === 0) return (lambda - c) / alpha;
  return (-alpha + Math.sqrt(alpha * alpha + 4 * beta * g * (lambda - c))) / (2 * beta * g);
}

/** gᵀ V g for a gradient g and covariance V. */
export function quadraticForm(
  gradient: readonly number[],
  covariance: readonly (readonly number[])[],
): number {
  let total = 0;
  gradient.forEach((gi, i) =>
    gradient.forEach((gj, j) => {
      total += gi * covariance[i]![j]! * gj;
    }),
  );
  return total;
}

/** Block-diagonal covariance of the curve's (C, α, β) and further independent parameters. */
export function blockDiagonal(
  curveCov: readonly (readonly number[])[],
  extra: readonly (readonly number[])[],
): number[][] {
  const size = 3 + extra.length;
  return Array.from({ length: size }, (_, i) =>
    Array.from({ length: size }, (_, j) => {
      if (i < 3 && j < 3) return curveCov[i]![j]!;
      if (i >= 3 && j >= 3) return extra[i - 3]![j - 3]!;
      return 0;
    }),
  );
}

/** SE of the projected dose by the delta method with the yield's own variance. */
export function deltaDoseStdError(
  curve: CalibrationCurve,
  lambda: number,
  yieldVariance: number,
  g = 1,
): number {
  const covariance = blockDiagonal(curve.varCov, [[yieldVariance]]);
  return Math.sqrt(quadraticForm(doseGradient(curve, lambda, g), covariance));
}
