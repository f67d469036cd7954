import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import poissonPmf from '@stdlib/stats-base-dists-poisson-pmf';
import poissonCdf from '@stdlib/stats-base-dists-poisson-cdf';

/**
 * Two-sided exact tests with R's rule for the p-value: the probability of
 * every outcome whose probability is at most that of the observed one
 * (with a relative slack of 1e-7 so that ties in floating point count), the
 * rule of R's `binom.test` and `poisson.test` that the reference relies on.
 */
const RELATIVE_SLACK = 1 + 1e-7;

/**
 * The first i in [low, high] where `holds` turns true, for a predicate that is
 * false then true on the range (high + 1 if never). The pmfs are unimodal, so
 * the outcomes as extreme as the observed one on one side of the mean form a
 * run that ends there: a binary search counts them, where a loop over every
 * outcome takes minutes when the mean is in the millions.
 */
function firstWhere(low: number, high: number, holds: (i: number) => boolean): number {
  let lo = low;
  let hi = high + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Exact two-sided binomial test of x successes in n trials with success probability p. */
export function binomialTestPValue(x: number, n: number, p: number): number {
  const observed = binomialPmf(x, n, p);
  const expected = n * p;
  if (x === expected) return 1;
  const upperTail = (k: number): number => (k >= n ? 0 : 1 - binomialCdf(k, n, p)); // P(X > k)
  let pValue: number;
  const asExtreme = (i: number) => binomialPmf(i, n, p) <= observed * RELATIVE_SLACK;
  if (x < expected) {
    // the pmf falls from ceil(np) (at or past the mode) to n
    const first = firstWhere(Math.ceil(expected), n, asExtreme);
    pValue = binomialCdf(x, n, p) + upperTail(first - 1);
  } else {
    // the pmf rises from 0 to floor(np) (at or before the mode)
    const extreme = firstWhere(0, Math.floor(expected), (i) => !asExtreme(i));
    pValue = (extreme > 0 ? binomialCdf(extreme - 1, n, p) : 0) + upperTail(x - 1);
  }
  return Math.min(1, pValue);
}

/** One-sample exact Poisson test of `count` events in `exposure` units against rate `rate`. */
export function poissonTestPValue(count: number, exposure: number, rate: number): number {
  const m = rate * exposure;
  if (m === 0) return count === 0 ? 1 : 0;
  const observed = poissonPmf(count, m);
  if (count === m) return 1;
  const upperTail = (k: number): number => (k < 0 ? 1 : 1 - poissonCdf(k, m)); // P(X > k)
  let pValue: number;
  const asExtreme = (i: number) => poissonPmf(i, m) <= observed * RELATIVE_SLACK;
  if (count < m) {
    // The upper tail is unbounded: double N until its pmf falls below the observed one.
    let limit = Math.ceil(2 * m - count);
    while (poissonPmf(limit, m) > observed) limit *= 2;
    // the pmf falls from ceil(m) (at or past the mode) on
    const first = firstWhere(Math.ceil(m), limit, asExtreme);
    pValue = poissonCdf(count, m) + upperTail(first - 1);
  } else {
    // the pmf rises from 0 to floor(m) (the mode)
    const extreme = firstWhere(0, Math.floor(m), (i) => !asExtreme(i));
    pValue = (extreme > 0 ? poissonCdf(extreme - 1, m) : 0) + upperTail(count - 1);
  }
  return Math.min(1, pValue);
}

export interface RateComparison {
  readonly caseRate: number;
  readonly controlRate: number;
  readonly pValue: number;
}

/**
 * Case versus control (R's two-sample `poisson.test`): conditional on the
 * total, the case count is binomial with p = N_case/(N_case + N_control).
 */
export function compareCaseWithControl(
  caseCount: { readonly aberrations: number; readonly cells: number },
  control: { readonly aberrations: number; readonly cells: number },
): RateComparison {
  return {
    caseRate: caseCount.aberrations / caseCount.cells,
    controlRate: control.aberrations / control.cells,
    pValue: binomialTestPValue(
      caseCount.aberrations,
      caseCount.aberrations + control.aberrations,
      caseCount.cells / (caseCount.cells + control.cells),
    ),
  };
}
