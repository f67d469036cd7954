import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import gammaln from '@stdlib/math-base-special-gammaln';
import { DicentraError } from '../../formats/dicentra-error.js';
import { fitConstrainedPoisson, type WeightedRow } from './constrained-poisson-ml.js';
import type { DoseGroup } from '../../formats/count-table.js';
import { coefficientNames, designRow, type CurveModel } from './count-groups.js';
import { fitPoissonIdentity, IrlsFailure, poissonDeviance } from './poisson-irls.js';

export type FamilyChoice = 'automatic' | 'poisson' | 'quasipoisson';
export type Family = 'poisson' | 'quasipoisson';

export interface FitOptions {
  readonly model: CurveModel;
  readonly family: FamilyChoice;
  /** `glm` (default) falls back to `maxlik` when the GLM fails; `maxlik` forces the fallback. */
  readonly algorithm?: 'glm' | 'maxlik';
}

export interface CoefficientRow {
  readonly name: 'C' | 'alpha' | 'beta';
  readonly estimate: number;
  readonly stdError: number;
  /** z (Poisson) or t (quasi-Poisson) statistic. */
  readonly statistic: number;
  readonly pValue: number;
}

export interface CurveFit {
  readonly model: CurveModel;
  readonly family: Family;
  readonly method: 'glm' | 'maxlik';
  readonly coefficients: readonly CoefficientRow[];
  /** p×p in coefficient order. */
  readonly varCov: number[][];
  readonly correlation: number[][];
  /** φ used to scale the covariance (quasi-Poisson), or null (Poisson). */
  readonly dispersion: number | null;
  /** Pearson χ²/(n − p), whichever family was chosen: the basis of the automatic choice. */
  readonly pearsonDispersion: number;
  readonly statistics: {
    readonly logLik: number | null;
    readonly deviance: number;
    readonly df: number;
    readonly aic: number | null;
    readonly bic: number | null;
  };
  readonly iterations: number;
  readonly converged: boolean;
  readonly warnings: readonly string[];
}

function poissonLogLik(y: readonly number[], mu: readonly number[]): number {
  return y.reduce((sum, yi, i) => sum + yi * Math.log(mu[i]!) - mu[i]! - gammaln(yi + 1), 0);
}

function correlationOf(varCov: readonly (readonly number[])[]): number[][] {
  return varCov.map((row, i) =>
    row.map((value, j) => value / Math.sqrt(varCov[i]![i]! * varCov[j]![j]!)),
  );
}

function coefficientTable(
  model: CurveModel,
  estimates: readonly number[],
  varCov: readonly (readonly number[])[],
  family: Family,
  df: number,
): CoefficientRow[] {
  return coefficientNames(model).map((name, j) => {
    const stdError = Math.sqrt(varCov[j]![j]!);
    const statistic = estimates[j]! / stdError;
    const pValue =
      family === 'poisson'
        ? 2 * normalCdf(-Math.abs(statistic), 0, 1)
        : 2 * tCdf(-Math.abs(statistic), df);
    return { name, estimate: estimates[j]!, stdError, statistic, pValue };
  });
}

function checkGroups(groups: readonly DoseGroup[], model: CurveModel): void {
  const p = coefficientNames(model).length;
  const doses = new Set(groups.map((group) => group.doseGy));
  if (doses.size < p) {
    throw new DicentraError(
      'DCN_E_FIT_FAILED',
      `a ${model === 'lq' ? 'linear-quadratic' : 'linear'} curve needs at least ${p} distinct doses, the table has ${doses.size}`,
      { hint: 'add dose points to the calibration table' },
    );
  }
}

/**
 * Fits the dose–effect curve to per-dose totals the way the reference does:
 * Poisson GLM with identity link on (N, N·D[, N·D²]); quasi-Poisson scaling of
 * the covariance when φ > 1 under `automatic`; constrained ML when the GLM fails.
 */
export function fitDoseEffectCurve(groups: readonly DoseGroup[], options: FitOptions): CurveFit {
  const fit = fitWithFallback(groups, options);
  const undefinedError = fit.coefficients.find((c) => !Number.isFinite(c.stdError));
  if (undefinedError) {
    throw new DicentraError(
      'DCN_E_FIT_FAILED',
      `the curve was fitted but the standard error of ${undefinedError.name} is undefined (the estimate sits on its bound ${undefinedError.estimate})`,
      {
        hint: 'the table holds too little information near that coefficient: score more cells, or fit a linear curve',
      },
    );
  }
  return fit;
}

function fitWithFallback(groups: readonly DoseGroup[], options: FitOptions): CurveFit {
  checkGroups(groups, options.model);
  try {
    if ((options.algorithm ?? 'glm') === 'glm') {
      try {
        return fitByGlm(groups, options);
      } catch (error) {
        if (!(error instanceof IrlsFailure)) throw error;
        return fitByMaxLik(groups, options, [
          `the Poisson GLM failed (${error.message}); constrained maximum likelihood was used instead`,
        ]);
      }
    }
    return fitByMaxLik(groups, options, []);
  } catch (error) {
    if (error instanceof DicentraError) throw error;
    // e.g. a singular information matrix: too few aberrations to pin every coefficient
    throw new DicentraError(
      'DCN_E_FIT_FAILED',
      `the curve could not be fitted: ${(error as Error).message}`,
      {
        hint: 'the table holds too little information (few aberrations at few doses): score more cells, or fit a linear curve',
      },
    );
  }
}

function fitByGlm(groups: readonly DoseGroup[], options: FitOptions): CurveFit {
  const design = groups.map((group) => designRow(options.model, group.doseGy, group.cells));
  const y = groups.map((group) => group.aberrations);
  const irls = fitPoissonIdentity(design, y);
  const n = groups.length;
  const p = design[0]!.length;
  const df = n - p;
  // R's summary.glm: Pearson residuals with the working weights of the last step.
  const pearson = y.reduce(
    (sum, yi, i) => sum + irls.workingWeights[i]! * (yi - irls.mu[i]!) ** 2,
    0,
  );
  const pearsonDispersion = pearson / df;
  const family: Family =
    options.family === 'automatic'
      ? pearsonDispersion > 1
        ? 'quasipoisson'
        : 'poisson'
      : options.family;
  const scale = family === 'quasipoisson' ? pearsonDispersion : 1;
  const varCov = irls.unscaledCovariance.map((row) => row.map((value) => value * scale));
  const logLik = family === 'poisson' ? poissonLogLik(y, irls.mu) : null;
  const warnings = irls.converged ? [] : ['the GLM did not converge in 25 iterations'];
  return {
    model: options.model,
    family,
    method: 'glm',
    coefficients: coefficientTable(options.model, irls.coefficients, varCov, family, df),
    varCov,
    correlation: correlationOf(varCov),
    dispersion: family === 'quasipoisson' ? pearsonDispersion : null,
    pearsonDispersion,
    statistics: {
      logLik,
      deviance: irls.deviance,
      df,
      aic: logLik === null ? null : -2 * logLik + 2 * p,
      bic: logLik === null ? null : -2 * logLik + p * Math.log(n),
    },
    iterations: irls.iterations,
    converged: irls.converged,
    warnings,
  };
}

/** Per-cell rows (with multiplicity) from distributions, else one row per dose with exposure N. */
function likelihoodRows(groups: readonly DoseGroup[], model: CurveModel): WeightedRow[] {
  if (groups.every((group) => group.distribution !== undefined)) {
    return groups.flatMap((group) =>
      group
        .distribution!.map((cells, k) => ({
          x: designRow(model, group.doseGy, 1),
          y: k,
          multiplicity: cells,
        }))
        .filter((row) => row.multiplicity > 0),
    );
  }
  return groups.map((group) => ({
    x: designRow(model, group.doseGy, group.cells),
    y: group.aberrations,
    multiplicity: 1,
  }));
}

function fitByMaxLik(
  groups: readonly DoseGroup[],
  options: FitOptions,
  warnings: string[],
): CurveFit {
  const ml = fitConstrainedPoisson(likelihoodRows(groups, options.model));
  const p = ml.coefficients.length;
  const n = groups.length;
  const family: Family =
    options.family === 'poisson' || ml.dispersion <= 1 ? 'poisson' : 'quasipoisson';
  const scale = family === 'quasipoisson' ? ml.dispersion : 1;
  const varCov = ml.covariance.map((row) => row.map((value) => value * scale));
  const y = groups.map((group) => group.aberrations);
  const mu = groups.map((group) =>
    designRow(options.model, group.doseGy, group.cells).reduce(
      (sum, value, j) => sum + value * ml.coefficients[j]!,
      0,
    ),
  );
  const df = n - ml.coefficients.filter((value) => value !== 0).length;
  const logLik = family === 'poisson' ? poissonLogLik(y, mu) : null;
  if (!ml.converged) warnings.push(`the constrained ML search stopped early (${ml.message})`);
  return {
    model: options.model,
    family,
    method: 'maxlik',
    coefficients: coefficientTable(options.model, ml.coefficients, varCov, family, df),
    varCov,
    correlation: correlationOf(varCov),
    dispersion: family === 'quasipoisson' ? ml.dispersion : null,
    pearsonDispersion: ml.dispersion,
    statistics: {
      logLik,
      deviance: poissonDeviance(y, mu),
      df,
      aic: logLik === null ? null : -2 * logLik + 2 * p,
      bic: logLik === null ? null : -2 * logLik + p * Math.log(n),
    },
    iterations: 0,
    converged: ml.converged,
    warnings,
  };
}
