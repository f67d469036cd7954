import { interval, type Interval } from './quantile.js';
import { precisionRecall } from './detection-counts.js';
import { countsAt, type SweepCounts } from './threshold-sweep.js';

/**
 * Precision and recall over a family (members or sub-ensembles) at one
 * (T_C, T_A), with each family member's TP, FP and FN they are computed from.
 */
export interface FamilyPoint {
  readonly tc: number;
  readonly ta: number;
  readonly tp: number[];
  readonly fp: number[];
  readonly fn: number[];
  readonly precision: Interval | null;
  readonly recall: Interval | null;
}

/** Median and q5–q95 of P and R over the family's members s at grid point (k, t). */
export function familyPoint(counts: SweepCounts, k: number, t: number): FamilyPoint {
  const precision: (number | null)[] = [];
  const recall: (number | null)[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  const fn: number[] = [];
  for (let s = 0; s < counts.subsets; s++) {
    const at = countsAt(counts, s, k, t);
    const pr = precisionRecall(at);
    precision.push(pr.precision);
    recall.push(pr.recall);
    tp.push(at.tp);
    fp.push(at.fp);
    fn.push(at.fn);
  }
  return {
    tc: counts.tcGrid[k]!,
    ta: counts.taValues[t]!,
    tp,
    fp,
    fn,
    precision: interval(precision),
    recall: interval(recall),
  };
}

/** P/R with q5–q95 as functions of T_C at one T_A (the curves of Fig. 3). */
export function curveOverTc(counts: SweepCounts, t: number): FamilyPoint[] {
  return counts.tcGrid.map((_, k) => familyPoint(counts, k, t));
}

/** The whole (T_C, T_A) surface. */
export function surface(counts: SweepCounts): FamilyPoint[] {
  return counts.tcGrid.flatMap((_, k) => counts.taValues.map((_, t) => familyPoint(counts, k, t)));
}

/**
 * The paper's operating-point rule (Tables 1–2): choose the ensemble's
 * (T_C, T_A) so its median precision is at least the reference's (Model B),
 * and among those take the highest median recall (ties: higher precision).
 * When no point reaches the reference precision, the most precise point;
 * null when no point has both a precision and a recall (a class with no
 * annotated object in the split has no recall anywhere).
 */
export function matchPrecision(
  points: readonly FamilyPoint[],
  referencePrecision: number,
): { point: FamilyPoint; matched: boolean } | null {
  const defined = points.filter((p) => p.precision && p.recall);
  if (defined.length === 0) return null;
  const eligible = defined.filter((p) => p.precision!.median >= referencePrecision);
  if (eligible.length === 0) {
    const best = defined.reduce((a, b) => (b.precision!.median > a.precision!.median ? b : a));
    return { point: best, matched: false };
  }
  const best = eligible.reduce((a, b) => {
    if (b.recall!.median !== a.recall!.median) return b.recall!.median > a.recall!.median ? b : a;
    return b.precision!.median > a.precision!.median ? b : a;
  });
  return { point: best, matched: true };
}
