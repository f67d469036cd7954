/**
 * Aberration tables: per-dose (calibration) or per-case summaries of how many
 * aberrations each scored cell carried, with the dispersion u-test
 * (IAEA EPR-Biodosimetry 2011; Biodose Tools' `calculate_aberr_table`).
 */

/** Cells with k aberrations, k = 0..K: `counts[k]`. */
export type CellDistribution = readonly number[];

export interface AberrationSummary {
  /** Cells scored. */
  readonly cells: number;
  /** Aberrations counted. */
  readonly aberrations: number;
  /** Mean yield ȳ = X/N (aberrations per cell). */
  readonly mean: number;
  /** Sample variance of the per-cell counts (N − 1 denominator); null without a distribution. */
  readonly variance: number | null;
  /** Dispersion index σ²/ȳ; NaN when X = 0, null without a distribution. */
  readonly dispersionIndex: number | null;
  /** u = (DI − u₀)·√[(N−1) / (2(1 − 1/X))]; |u| > 1.96 flags over/under-dispersion. */
  readonly u: number | null;
  /** Empirical standard error of the yield √(s²/N); null without a distribution. */
  readonly yieldStdError: number | null;
}

/** |u| above this is significant over- or under-dispersion (two-sided 5%). */
export const U_TEST_CRITICAL = 1.96;

/** Summarises a full per-cell distribution. `expectedDispersion` is u₀ (1 for dicentrics). */
export function summariseDistribution(
  counts: CellDistribution,
  expectedDispersion = 1,
): AberrationSummary {
  let cells = 0;
  let aberrations = 0;
  let squares = 0;
  counts.forEach((n, k) => {
    cells += n;
    aberrations += k * n;
    squares += k * k * n;
  });
  const mean = aberrations / cells;
  const variance = (squares - (aberrations * aberrations) / cells) / (cells - 1);
  const dispersionIndex = aberrations === 0 ? NaN : variance / mean;
  const u =
    aberrations === 0
      ? NaN
      : (dispersionIndex - expectedDispersion) *
        Math.sqrt((cells - 1) / (2 * (1 - 1 / aberrations)));
  return {
    cells,
    aberrations,
    mean,
    variance,
    dispersionIndex,
    u,
    yieldStdError: Math.sqrt(variance / cells),
  };
}

/** Summarises totals only (N, X): no variance, so no u-test. */
export function summariseTotals(cells: number, aberrations: number): AberrationSummary {
  return {
    cells,
    aberrations,
    mean: aberrations / cells,
    variance: null,
    dispersionIndex: null,
    u: null,
    yieldStdError: null,
  };
}

/**
 * The dispersion index the estimators use: NaN (no aberrations) and unknown
 * (totals only) count as ∞, so that Merkle keeps the plain Poisson bounds and
 * the delta method uses the empirical SE, as the reference does.
 */
export function effectiveDispersion(summary: AberrationSummary): number {
  const di = summary.dispersionIndex;
  return di === null || Number.isNaN(di) ? Infinity : di;
}
