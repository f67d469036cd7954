import { Matrix, QrDecomposition, inverse } from 'ml-matrix';

/**
 * Poisson regression with identity link by iteratively reweighted least
 * squares, following R's `glm.fit` step for step (start μ = y + 0.1; working
 * weights 1/μ; convergence |Δdev|/(|dev| + 0.1) < 1e-8 within 25 iterations;
 * step halving towards the previous coefficients when a mean leaves (0, ∞)),
 * because the reference's numbers are those of that algorithm, converged to
 * that tolerance.
 */
export interface IrlsResult {
  readonly coefficients: number[];
  /** Fitted means of the last iterate. */
  readonly mu: number[];
  /** Working weights of the last least-squares step (1/μ of the iterate before): R's `weights`. */
  readonly workingWeights: number[];
  /** (XᵀWX)⁻¹ with those weights: the unscaled covariance. */
  readonly unscaledCovariance: number[][];
  readonly deviance: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** The GLM could not find valid coefficients; the caller falls back to constrained ML. */
export class IrlsFailure extends Error {
  override readonly name = 'IrlsFailure';
}

export function poissonDeviance(y: readonly number[], mu: readonly number[]): number {
  let deviance = 0;
  y.forEach((yi, i) => {
    const mi = mu[i]!;
    deviance += 2 * ((yi > 0 ? yi * Math.log(yi / mi) : 0) - (yi - mi));
  });
  return deviance;
}

function weightedLeastSquares(
  design: readonly (readonly number[])[],
  z: readonly number[],
  weights: readonly number[],
): { coefficients: number[]; unscaledCovariance: number[][] } {
  const root = weights.map(Math.sqrt);
  const x = new Matrix(design.map((row, i) => row.map((value) => value * root[i]!)));
  const target = Matrix.columnVector(z.map((value, i) => value * root[i]!));
  const coefficients = new QrDecomposition(x).solve(target).getColumn(0);
  const unscaledCovariance = inverse(x.transpose().mmul(x)).to2DArray();
  return { coefficients, unscaledCovariance };
}

const validMeans = (mu: readonly number[]): boolean =>
  mu.every((value) => Number.isFinite(value) && value > 0);

export function fitPoissonIdentity(
  design: readonly (readonly number[])[],
  y: readonly number[],
  control: { epsilon?: number; maxIterations?: number } = {},
): IrlsResult {
  const epsilon = control.epsilon ?? 1e-8;
  const maxIterations = control.maxIterations ?? 25;
  const predict = (beta: readonly number[]): number[] =>
    design.map((row) => row.reduce((sum, value, j) => sum + value * beta[j]!, 0));

  let mu = y.map((value) => value + 0.1);
  let devianceOld = poissonDeviance(y, mu);
  let previous: number[] | null = null;
  let last: ReturnType<typeof weightedLeastSquares> | null = null;
  let weights: number[] = [];
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    // Identity link: the working response is y itself, the working weight 1/μ.
    weights = mu.map((value) => 1 / value);
    last = weightedLeastSquares(design, y, weights);
    let coefficients = last.coefficients;
    let candidate = predict(coefficients);
    let deviance = poissonDeviance(y, candidate);
    if (!Number.isFinite(deviance) || !validMeans(candidate)) {
      if (previous === null) {
        throw new IrlsFailure(
          'no valid set of coefficients: a fitted mean is not positive at the first iteration',
        );
      }
      for (let halving = 1; !Number.isFinite(deviance) || !validMeans(candidate); halving++) {
        if (halving > maxIterations) throw new IrlsFailure('cannot correct the step size');
        coefficients = coefficients.map((value, j) => (value + previous![j]!) / 2);
        candidate = predict(coefficients);
        deviance = poissonDeviance(y, candidate);
      }
    }
    mu = candidate;
    if (Math.abs(deviance - devianceOld) / (Math.abs(deviance) + 0.1) < epsilon) {
      return {
        coefficients,
        mu,
        workingWeights: weights,
        unscaledCovariance: last.unscaledCovariance,
        deviance,
        iterations: iteration,
        converged: true,
      };
    }
    devianceOld = deviance;
    previous = coefficients;
  }
  return {
    coefficients: previous!,
    mu,
    workingWeights: weights,
    unscaledCovariance: last!.unscaledCovariance,
    deviance: devianceOld,
    iterations: maxIterations,
    converged: false,
  };
}
