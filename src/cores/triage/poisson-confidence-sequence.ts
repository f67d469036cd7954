import gammaln from '@stdlib/math-base-special-gammaln';
import { bisect } from 'simple-statistics';

/**
 * The gamma mixing distribution of the confidence sequence (shape a, rate b):
 * the interval is tightest for rates near a/b. The default, a = b = 1 (mean
 * one dicentric per cell), suits triage's 0–5 Gy (0.001–1.7 per cell).
 */
export interface GammaMixture {
  readonly shape: number;
  readonly rate: number;
}

export const DEFAULT_MIXTURE: GammaMixture = { shape: 1, rate: 1 };

/**
 * A confidence sequence for the rate λ of Poisson counts: after X counts in n
 * cells, the rates λ whose mixture likelihood ratio
 *   M_n(λ) = ∫ Π p(x_i | θ) dΓ(θ; a, b) / Π p(x_i | λ)
 *          = bᵃ Γ(X + a) / (Γ(a) (n + b)^(X + a)) · e^(nλ) / λ^X
 * stays below 1/α. M_n(λ) is a non-negative martingale with mean 1 under the
 * true λ, so by Ville's inequality P(∃ n: M_n(λ) ≥ 1/α) ≤ α: the true rate lies
 * in every interval of the sequence at once with probability ≥ 1 − α, however
 * many looks are taken and whenever one stops (Robbins 1970; Howard et al. 2021).
 * Returns [lower, upper] rates per cell.
 */
export function poissonRateConfidenceSequence(
  aberrations: number,
  cells: number,
  alpha: number,
  mixture: GammaMixture = DEFAULT_MIXTURE,
): [number, number] {
  const { shape: a, rate: b } = mixture;
  // {λ : nλ − X log λ < K}: a convex function of λ below a level.
  const level =
    Math.log(1 / alpha) -
    (a * Math.log(b) +
      gammaln(aberrations + a) -
      gammaln(a) -
      (aberrations + a) * Math.log(cells + b));
  const excess = (lambda: number): number =>
    cells * lambda - (aberrations > 0 ? aberrations * Math.log(lambda) : 0) - level;
  const mle = aberrations / cells;
  const tolerance = 1e-12;
  let lower = 0;
  if (aberrations > 0) {
    let low = mle / 2;
    while (excess(low) < 0 && low > 1e-300) low /= 2;
    lower = excess(low) < 0 ? 0 : bisect(excess, low, mle, 2000, tolerance * mle);
  }
  let high = Math.max(mle * 2, 1 / cells);
  while (excess(high) < 0) high *= 2;
  const upper = bisect(excess, mle, high, 2000, tolerance * high);
  return [lower, upper];
}
