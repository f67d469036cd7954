import numeric from 'numeric';
import { inverse, Matrix } from 'ml-matrix';
import poissonPmf from '@stdlib/stats-base-dists-poisson-pmf';
import { projectYield, type CalibrationCurve } from './calibration-curve.js';
import { clampAtZero, deltaDoseStdError, estimateAic, type Interval } from './dose-estimate.js';
import { twoSidedZ } from './whole-body-delta.js';

export interface MixedPoissonOptions {
  readonly conf: number;
  readonly g: number;
  /** Survival coefficient γ = 1/D₀ and its standard error. */
  readonly gamma: number;
  readonly gammaStdError: number;
}

export interface MixedComponent {
  readonly yield: Interval;
  readonly dose: Interval;
  /** Mixing proportion of scored cells in this component, and its SE. */
  readonly cellFraction: { readonly estimate: number; readonly stdError: number };
  /** Fraction of irradiated blood (body) at this component's dose, and its SE. */
  readonly bodyFraction: { readonly estimate: number; readonly stdError: number };
}

export interface HeterogeneousEstimate {
  /** Component 1 has the larger yield. */
  readonly components: readonly [MixedComponent, MixedComponent];
  readonly logLik: number;
  readonly aic: number;
}

/** The reference's box: f ∈ [0.01, 0.99], λ₁, λ₂ ≥ 0.01. */
const LOWER = [0.01, 0.01, 0.01] as const;
const UPPER = [0.99, Infinity, Infinity] as const;
/** Step of the finite-difference Hessian (R optim's default ndeps). */
const HESSIAN_STEP = 1e-3;

function negativeLogLik(distribution: readonly number[], [f, l1, l2]: readonly number[]): number {
  let total = 0;
  distribution.forEach((cells, k) => {
    if (cells > 0)
      total -= cells * Math.log(f! * poissonPmf(k, l1!) + (1 - f!) * poissonPmf(k, l2!));
  });
  return total;
}

function negativeLogLikGradient(
  distribution: readonly number[],
  [f, l1, l2]: readonly number[],
): number[] {
  const gradient = [0, 0, 0];
  distribution.forEach((cells, k) => {
    if (cells === 0) return;
    const p1 = poissonPmf(k, l1!);
    const p2 = poissonPmf(k, l2!);
    const mixture = f! * p1 + (1 - f!) * p2;
    gradient[0]! -= (cells * (p1 - p2)) / mixture;
    gradient[1]! -= (cells * f! * p1 * (k / l1! - 1)) / mixture;
    gradient[2]! -= (cells * (1 - f!) * p2 * (k / l2! - 1)) / mixture;
  });
  return gradient;
}

/**
 * Minimises over the box by trying every face: each parameter is free or held
 * at one of its bounds, the free ones are optimised by numeric's BFGS (NaN
 * outside the box makes its line search back off), and the best point over all
 * faces and starts is the box minimum, bounds hit exactly (as L-BFGS-B does).
 */
function minimiseOverBox(distribution: readonly number[], starts: readonly number[][]): number[] {
  const choices = [0, 1, 2].map((j) =>
    Number.isFinite(UPPER[j]!) ? ['free', LOWER[j]!, UPPER[j]!] : ['free', LOWER[j]!],
  );
  let best: { point: number[]; value: number } | null = null;
  for (const a of choices[0]!)
    for (const b of choices[1]!)
      for (const c of choices[2]!) {
        const face = [a, b, c];
        const free = face.flatMap((choice, j) => (choice === 'free' ? [j] : []));
        const assemble = (u: readonly number[]): number[] =>
          face.map((choice, j) => (choice === 'free' ? u[free.indexOf(j)]! : (choice as number)));
        const inside = (point: readonly number[]): boolean =>
          point.every((value, j) => value >= LOWER[j]! && value <= UPPER[j]!);
        for (const start of starts) {
          let point = assemble(free.map((j) => start[j]!));
          if (free.length > 0) {
            const solution = numeric.uncmin(
              (u: number[]) => {
                const candidate = assemble(u);
                return inside(candidate) ? negativeLogLik(distribution, candidate) : NaN;
              },
              free.map((j) => start[j]!),
              1e-10,
              (u: number[]) => {
                const gradient = negativeLogLikGradient(distribution, assemble(u));
                return free.map((j) => gradient[j]!);
              },
              1000,
            );
            point = assemble(solution.solution);
          }
          const value = negativeLogLik(distribution, point);
          if (Number.isFinite(value) && (best === null || value < best.value))
            best = { point, value };
        }
      }
  return best!.point;
}

/** R optim's Hessian: central differences of central-difference gradients, symmetrised. */
function finiteDifferenceHessian(fn: (x: number[]) => number, x: readonly number[]): number[][] {
  const h = HESSIAN_STEP;
  const gradient = (point: readonly number[]): number[] =>
    point.map((_, j) => {
      const up = [...point];
      const down = [...point];
      up[j]! += h;
      down[j]! -= h;
      return (fn(up) - fn(down)) / (2 * h);
    });
  const rows = x.map((_, i) => {
    const up = [...x];
    const down = [...x];
    up[i]! += h;
    down[i]! -= h;
    const gUp = gradient(up);
    const gDown = gradient(down);
    return gUp.map((value, j) => (value - gDown[j]!) / (2 * h));
  });
  return rows.map((row, i) => row.map((value, j) => (value + rows[j]![i]!) / 2));
}

/**
 * Heterogeneous exposure (Pujol et al. 2016): per-cell counts as the mixture
 * f·Pois(λ₁) + (1 − f)·Pois(λ₂) fitted by maximum likelihood on the
 * reference's box, covariance from the finite-difference Hessian; each
 * component projected on the curve with delta-method SEs; the irradiated
 * fraction F₁ = f/(f + (1 − f)e^{γ(D₂ − D₁)}) with D₂ = 0 when λ₂ sits on
 * its lower bound.
 */
export function estimateHeterogeneousMixedPoisson(
  curve: CalibrationCurve,
  distribution: readonly number[],
  options: MixedPoissonOptions,
): HeterogeneousEstimate {
  const cells = distribution.reduce((sum, n) => sum + n, 0);
  const mean = distribution.reduce((sum, n, k) => sum + k * n, 0) / cells;
  const base = Math.max(mean, 0.05);
  const starts = [0.2, 0.5, 0.8].flatMap((f) => [
    [f, 2 * base, 0.5 * base],
    [f, 1.5 * base, 0.05],
  ]);
  let [f, l1, l2] = minimiseOverBox(distribution, starts) as [number, number, number];
  const logLik = -negativeLogLik(distribution, [f, l1, l2]);
  let covariance = inverse(
    new Matrix(finiteDifferenceHessian((x) => negativeLogLik(distribution, x), [f, l1, l2])),
  ).to2DArray();
  if (l2 > l1) {
    // Relabel so that component 1 has the larger yield: f ↔ 1 − f (its variance is unchanged).
    [f, l1, l2] = [1 - f, l2, l1];
    const order = [0, 2, 1];
    covariance = order.map((i) =>
      order.map((j) => covariance[i]![j]! * ((i === 0) !== (j === 0) ? -1 : 1)),
    );
  }
  const z = twoSidedZ(options.conf);
  const band = { g: options.g, confCurve: 0 };
  const project = (lambda: number, variance: number) => {
    const dose = projectYield(curve, lambda, 'estimate', band);
    const se = dose > 0 ? deltaDoseStdError(curve, lambda, variance, options.g) : 0;
    const lambdaSe = Math.sqrt(variance);
    return {
      yield: clampAtZero({
        lower: lambda - z * lambdaSe,
        estimate: lambda,
        upper: lambda + z * lambdaSe,
      }),
      dose: clampAtZero({ lower: dose - z * se, estimate: dose, upper: dose + z * se }),
      doseSe: se,
    };
  };
  const first = project(l1, covariance[1]![1]!);
  const second = project(l2, covariance[2]![2]!);

  const fVariance = covariance[0]![0]!;
  const d1 = first.dose.estimate;
  const d2Projected = second.dose.estimate;
  const d2 = l2 <= LOWER[2] ? 0 : d2Projected;
  const gamma = options.gamma;
  const fraction1 = f / (f + (1 - f) * Math.exp(gamma * (d2 - d1)));
  // The SE, as the reference, is evaluated at the projected D₂ with a diagonal covariance.
  const delta = d2Projected - d1;
  const e = Math.exp(gamma * delta);
  const q = f + (1 - f) * e;
  const dFde = (-f * (1 - f)) / (q * q);
  const gradient = [dFde * delta * e, e / (q * q), dFde * -gamma * e, dFde * gamma * e];
  const variances = [options.gammaStdError ** 2, fVariance, first.doseSe ** 2, second.doseSe ** 2];
  const fractionSe = Math.sqrt(
    gradient.reduce((sum, value, i) => sum + value * value * variances[i]!, 0),
  );
  const fSe = Math.sqrt(fVariance);
  return {
    components: [
      {
        yield: first.yield,
        dose: first.dose,
        cellFraction: { estimate: f, stdError: fSe },
        bodyFraction: { estimate: fraction1, stdError: fractionSe },
      },
      {
        yield: second.yield,
        dose: second.dose,
        cellFraction: { estimate: 1 - f, stdError: fSe },
        bodyFraction: { estimate: 1 - fraction1, stdError: fractionSe },
      },
    ],
    logLik,
    aic: estimateAic(
      curve,
      [
        { dose: d1, yield: l1 },
        { dose: d2Projected, yield: l2 },
      ],
      options.g,
    ),
  };
}
