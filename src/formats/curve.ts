import { z } from 'zod';
import { provenanceSchema } from './provenance.js';
import { curveDetectorSchema } from './curve-detector.js';
import { irradiationConditionsSchema } from './irradiation-conditions.js';

/**
 * curve.json: a fitted dose–effect (calibration) curve and everything needed to
 * use and audit it: the model, coefficients with standard errors, the
 * variance–covariance matrix, the dispersion and family, the fitting method,
 * and the count table it came from. Written by `dicentra curve fit`, read by
 * `dicentra dose`.
 */
export const CURVE_FORMAT_VERSION = '1.1';
export const CURVE_FORMAT_MAJOR = 1;

const finite = z.number().finite();
const coefficientNameSchema = z.enum(['C', 'alpha', 'beta']);

export const curveCoefficientSchema = z
  .object({
    name: coefficientNameSchema,
    estimate: finite,
    stdError: finite.nonnegative(),
    /** z (Poisson) or t (quasi-Poisson). */
    statistic: finite,
    pValue: z.number().min(0).max(1),
  })
  .strict();

export const countRowSchema = z
  .object({
    doseGy: finite.nonnegative(),
    cells: z.number().int().positive(),
    aberrations: z.number().int().nonnegative(),
    /** Cells with 0, 1, 2, … aberrations; absent for an aggregated (D, N, X) table. */
    distribution: z.array(z.number().int().nonnegative()).optional(),
  })
  .strict();
export type CountRow = z.infer<typeof countRowSchema>;

type Issue = { code: 'custom'; path: (string | number)[]; message: string };

/**
 * A dose–effect curve can be read only if it rises with dose somewhere: α or
 * β above 0. (Fits may give C < 0 without a dose-0 group, or β < 0 with α > 0:
 * the curve rises, then falls, and inversion takes the first crossing.)
 */
function coefficientProblems(coefficients: readonly { name: string; estimate: number }[]): Issue[] {
  const slopes = coefficients.slice(1);
  if (slopes.some((c) => c.estimate > 0)) return [];
  return [
    {
      code: 'custom',
      path: ['coefficients'],
      message: `${slopes.map((c) => `${c.name} is ${c.estimate}`).join(' and ')}: the yield never rises with dose, so no dose can be read from it`,
    },
  ];
}

/** A variance–covariance matrix is symmetric with no negative variance. */
function covarianceProblems(varCov: readonly (readonly number[])[], names: string[]): Issue[] {
  const issues: Issue[] = [];
  varCov.forEach((row, i) => {
    if (row[i]! < 0) {
      issues.push({
        code: 'custom',
        path: ['varCov', i, i],
        message: `the variance of ${names[i]} is negative (${row[i]})`,
      });
    }
    for (let j = i + 1; j < row.length; j++) {
      const [upper, lower] = [row[j]!, varCov[j]![i]!];
      // covariances computed by inversion may differ in their last digits
      if (Math.abs(upper - lower) > 1e-6 * Math.max(Math.abs(upper), Math.abs(lower))) {
        issues.push({
          code: 'custom',
          path: ['varCov', i, j],
          message: `varCov must be symmetric: varCov[${i}][${j}] = ${upper} but varCov[${j}][${i}] = ${lower}`,
        });
      }
    }
  });
  return issues;
}

export const curveFileSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/, 'version is "MAJOR.MINOR", e.g. "1.0"'),
    /** The aberration the counts are of. */
    aberration: z.literal('dicentric'),
    /** `lq`: Y = C + αD + βD²; `linear`: Y = C + αD. Doses in Gy, yields per cell. */
    model: z.enum(['lq', 'linear']),
    family: z.enum(['poisson', 'quasipoisson']),
    /** How the family was chosen: `automatic` keeps quasi-Poisson only when φ > 1. */
    familyChoice: z.enum(['automatic', 'poisson', 'quasipoisson']),
    /** `glm`: Poisson IRLS with identity link; `maxlik`: the constrained ML fallback. */
    method: z.enum(['glm', 'maxlik']),
    coefficients: z.array(curveCoefficientSchema).min(2).max(3),
    /** p×p, rows and columns in the order of `coefficients`. */
    varCov: z.array(z.array(finite)),
    correlation: z.array(z.array(z.number().nullable())),
    /** φ that scales the covariance (quasi-Poisson), or null (Poisson). */
    dispersion: finite.positive().nullable(),
    /** Pearson χ²/df of the fit, whatever the family. */
    pearsonDispersion: finite.nonnegative(),
    statistics: z
      .object({
        logLik: finite.nullable(),
        deviance: finite,
        df: z.number().int(),
        aic: finite.nullable(),
        bic: finite.nullable(),
      })
      .strict(),
    countTable: z
      .object({
        layout: z.enum(['distribution', 'aggregated']),
        rows: z.array(countRowSchema).min(1),
      })
      .strict(),
    warnings: z.array(z.string()),
    /** The automated counting rule, when the curve was calibrated from images (`dicentra calibrate`). */
    detector: curveDetectorSchema.optional(),
    provenance: provenanceSchema.optional(),
    /** How the calibration samples were irradiated, as the laboratory gave it (1.1). */
    irradiation: irradiationConditionsSchema.optional(),
  })
  .strict()
  .superRefine((curve, context) => {
    const expected = curve.model === 'lq' ? ['C', 'alpha', 'beta'] : ['C', 'alpha'];
    const names = curve.coefficients.map((c) => c.name);
    if (names.join() !== expected.join()) {
      context.addIssue({
        code: 'custom',
        path: ['coefficients'],
        message: `a ${curve.model} curve has coefficients ${expected.join(', ')} in that order, got ${names.join(', ')}`,
      });
    }
    const p = curve.coefficients.length;
    if (curve.varCov.length !== p || curve.varCov.some((row) => row.length !== p)) {
      context.addIssue({
        code: 'custom',
        path: ['varCov'],
        message: `varCov must be ${p}×${p} (one row and column per coefficient)`,
      });
      return;
    }
    coefficientProblems(curve.coefficients).forEach((issue) => context.addIssue(issue));
    covarianceProblems(curve.varCov, names).forEach((issue) => context.addIssue(issue));
  });
export type CurveFile = z.infer<typeof curveFileSchema>;
