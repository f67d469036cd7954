import { bisect } from 'simple-statistics';
import { Matrix, inverse } from 'ml-matrix';
import { DicentraError } from '../../formats/dicentra-error.js';
import { DOSE_SEARCH_INTERVAL, projectYield, type CalibrationCurve } from './calibration-curve.js';
import {
  blockDiagonal,
  clampAtZero,
  closedFormDose,
  deltaDoseStdError,
  doseGradient,
  estimateAic,
  quadraticForm,
  type Interval,
} from './dose-estimate.js';
import { twoSidedZ } from './whole-body-delta.js';

export interface DolphinOptions {
  readonly conf: number;
  readonly g: number;
  /** D₀, the dose that leaves 37% of irradiated lymphocytes able to reach metaphase (2.7 Gy). */
  readonly d0: number;
}

export interface PartialBodyEstimate {
  /** Yield among cells from the irradiated fraction. */
  readonly yield: Interval;
  readonly dose: Interval;
  /** Fraction of the body irradiated, F. */
  readonly bodyFraction: Interval;
  /** Fraction of scored cells that came from the irradiated part, π, and its SE. */
  readonly irradiatedCellFraction: { readonly estimate: number; readonly stdError: number };
  readonly aic: number;
}

/**
 * Partial-body exposure by Dolphin's method (zero-inflated Poisson): the
 * yield λ among irradiated cells solves λ/(1 − e^{−λ}) = X/(N − n₀); the
 * scored fraction from irradiated cells is π = X/(λN); the irradiated body
 * fraction F = πe^{D/D₀}/(1 − π + πe^{D/D₀}) corrects for cell killing.
 * Interval SEs come from the ZIP Fisher information and the delta method.
 */
export function estimatePartialBodyDolphin(
  curve: CalibrationCurve,
  distribution: readonly number[],
  options: DolphinOptions,
): PartialBodyEstimate {
  const cells = distribution.reduce((sum, n) => sum + n, 0);
  const aberrations = distribution.reduce((sum, n, k) => sum + k * n, 0);
  const n0 = distribution[0] ?? 0;
  const n1 = distribution[1] ?? 0;
  if (cells - n0 - n1 === 0) {
    throw new DicentraError(
      'DCN_E_METHOD_NOT_APPLICABLE',
      'Dolphin partial-body estimation needs cells with two or more aberrations (C2+); this case has none',
      { hint: 'use --method merkle or --method delta (whole body), or score more cells' },
    );
  }
  const target = aberrations / (cells - n0);
  const [low, high] = DOSE_SEARCH_INTERVAL;
  // λ/(1 − e^{−λ}) is increasing from 1 at λ → 0; the target is > 1 when C2+ cells exist.
  const lambda = bisect(
    (value: number) => value / -Math.expm1(-value) - target,
    low,
    high,
    200,
    1e-13,
  );
  const pi = aberrations / (lambda * cells);

  const a = pi + (1 - pi) * Math.exp(lambda);
  const information = new Matrix([
    [cells * pi * ((pi - 1) / a + 1 / lambda), cells / a],
    [cells / a, (cells * Math.expm1(lambda)) / (pi * a)],
  ]);
  const zipCov = inverse(information).to2DArray();
  const lambdaVariance = zipCov[0]![0]!;
  const z = twoSidedZ(options.conf);

  const band = { g: options.g, confCurve: 0 };
  const dose = projectYield(curve, lambda, 'estimate', band);
  const doseSe = deltaDoseStdError(curve, lambda, lambdaVariance, options.g);
  const lambdaSe = Math.sqrt(lambdaVariance);

  // F through the closed-form dose (without G, as the reference), delta method on (C, α, β, λ, π).
  const survival = Math.exp(dose / options.d0);
  const fraction = (pi * survival) / (1 - pi + pi * survival);
  const closedSurvival = Math.exp(closedFormDose(curve, lambda) / options.d0);
  const denominator = (1 - pi + pi * closedSurvival) ** 2;
  const dFdDose = ((pi * (1 - pi)) / denominator) * (closedSurvival / options.d0);
  const dFdPi = closedSurvival / denominator;
  const gradient = [...doseGradient(curve, lambda).map((value) => value * dFdDose), dFdPi];
  const fractionSe = Math.sqrt(quadraticForm(gradient, blockDiagonal(curve.varCov, zipCov)));

  return {
    yield: clampAtZero({
      lower: lambda - z * lambdaSe,
      estimate: lambda,
      upper: lambda + z * lambdaSe,
    }),
    dose: clampAtZero({ lower: dose - z * doseSe, estimate: dose, upper: dose + z * doseSe }),
    bodyFraction: {
      lower: Math.min(1, Math.max(0, fraction - z * fractionSe)),
      estimate: Math.min(1, Math.max(0, fraction)),
      upper: Math.min(1, Math.max(0, fraction + z * fractionSe)),
    },
    irradiatedCellFraction: { estimate: pi, stdError: Math.sqrt(zipCov[1]![1]!) },
    aic: estimateAic(curve, [{ dose, yield: lambda }], options.g),
  };
}
