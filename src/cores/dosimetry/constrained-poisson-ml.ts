import numeric from 'numeric';
import { Matrix, inverse } from 'ml-matrix';

/**
 * The reference's fallback when the GLM fails (Oliveira et al. 2016):
 * maximise the Poisson log-likelihood of y ~ Pois(xᵀθ) subject to every
 * fitted mean being positive. Rows may carry a multiplicity (cells with the
 * same dose and count), which gives the same likelihood as one row per cell.
 *
 * The optimiser is numeric's `uncmin` (BFGS with a backtracking line search
 * that halves the step when the objective is NaN): returning NaN outside the
 * feasible region keeps it inside. Parameters are scaled by their start
 * values so that C (~1e-3) and β (~1e-1) converge alike.
 */
export interface WeightedRow {
  readonly x: readonly number[];
  readonly y: number;
  /** How many identical rows this one stands for. */
  readonly multiplicity: number;
}

export interface ConstrainedMlResult {
  readonly coefficients: number[];
  /** (−Hessian)⁻¹ of the log-likelihood at the optimum (analytic). */
  readonly covariance: number[][];
  /** Pearson χ² / (rows − p), rows counted with multiplicity. */
  readonly dispersion: number;
  readonly converged: boolean;
  readonly message: string;
}

/** Least squares of y on the design (no intercept), weighted by multiplicity: the start. */
function leastSquaresStart(rows: readonly WeightedRow[]): number[] {
  const p = rows[0]!.x.length;
  const xtx = Matrix.zeros(p, p);
  const xty = Matrix.zeros(p, 1);
  for (const row of rows) {
    for (let i = 0; i < p; i++) {
      xty.set(i, 0, xty.get(i, 0) + row.multiplicity * row.x[i]! * row.y);
      for (let j = 0; j < p; j++) {
        xtx.set(i, j, xtx.get(i, j) + row.multiplicity * row.x[i]! * row.x[j]!);
      }
    }
  }
  return inverse(xtx).mmul(xty).getColumn(0);
}

export function fitConstrainedPoisson(rows: readonly WeightedRow[]): ConstrainedMlResult {
  const p = rows[0]!.x.length;
  const mean = (theta: readonly number[], row: WeightedRow): number =>
    row.x.reduce((sum, value, j) => sum + value * theta[j]!, 0);
  const feasible = (theta: readonly number[]): boolean => rows.every((row) => mean(theta, row) > 0);

  let start = leastSquaresStart(rows);
  if (start[0]! <= 0) start[0] = 0.001;
  if (!feasible(start)) {
    // Constant-yield start: always inside the region when C > 0.
    const total = rows.reduce((sum, row) => sum + row.multiplicity * row.y, 0);
    const exposure = rows.reduce((sum, row) => sum + row.multiplicity * row.x[0]!, 0);
    start = [Math.max(total / exposure, 0.001), ...Array<number>(p - 1).fill(0)];
  }
  const scale = start.map((value) => (value !== 0 ? Math.abs(value) : 1e-3));
  const unscale = (u: readonly number[]): number[] => u.map((value, j) => value * scale[j]!);

  const negativeLogLik = (u: number[]): number => {
    const theta = unscale(u);
    let total = 0;
    for (const row of rows) {
      const mu = mean(theta, row);
      if (!(mu > 0)) return NaN;
      total -= row.multiplicity * (row.y * Math.log(mu) - mu);
    }
    return total;
  };
  const gradient = (u: number[]): number[] => {
    const theta = unscale(u);
    const g = Array<number>(p).fill(0);
    for (const row of rows) {
      const factor = row.multiplicity * (row.y / mean(theta, row) - 1);
      for (let j = 0; j < p; j++) g[j]! -= factor * row.x[j]! * scale[j]!;
    }
    return g;
  };
  const result = numeric.uncmin(
    negativeLogLik,
    start.map((value, j) => value / scale[j]!),
    1e-12,
    gradient,
    2000,
  );
  const coefficients = unscale(result.solution);

  const information = Matrix.zeros(p, p);
  let pearson = 0;
  let rowCount = 0;
  for (const row of rows) {
    const mu = mean(coefficients, row);
    pearson += (row.multiplicity * (row.y - mu) ** 2) / mu;
    rowCount += row.multiplicity;
    const weight = (row.multiplicity * row.y) / (mu * mu);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        information.set(i, j, information.get(i, j) + weight * row.x[i]! * row.x[j]!);
      }
    }
  }
  return {
    coefficients,
    covariance: inverse(information).to2DArray(),
    dispersion: pearson / (rowCount - p),
    converged: /smaller than tol/.test(result.message),
    message: result.message,
  };
}
