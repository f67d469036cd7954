import { correctConfidenceLevels, type CalibrationCurve } from '../dosimetry/calibration-curve.js';
import type { Interval } from '../dosimetry/dose-estimate.js';
import { CurveInversion } from './curve-inversion.js';
import {
  DEFAULT_MIXTURE,
  poissonRateConfidenceSequence,
  type GammaMixture,
} from './poisson-confidence-sequence.js';

/** The triage rule: care categories, the error rate, and when scoring stops. */
export interface TriageRule {
  /** Ascending dose thresholds in Gy between the categories (default 1, 2: < 1, 1–2, > 2 Gy). */
  readonly thresholds: readonly number[];
  /** Error rate α of the interval sequence (counting and curve together). */
  readonly alpha: number;
  /** Stop at this many cells (ISO 21243: 50). */
  readonly maxCells: number;
  /** Stop at this many dicentrics (ISO 21243: 30). */
  readonly maxAberrations: number;
  /** Stop as soon as the interval lies in one category (false: score `maxCells`). */
  readonly sequential: boolean;
  readonly mixture: GammaMixture;
}

export const DEFAULT_TRIAGE_RULE: TriageRule = {
  thresholds: [1, 2],
  alpha: 0.05,
  maxCells: 50,
  maxAberrations: 30,
  sequential: true,
  mixture: DEFAULT_MIXTURE,
};

/** Why scoring stopped. */
export type StopReason = 'resolved' | 'cells' | 'dicentrics' | 'exhausted';

/** The state after a look: the counts so far, the yield and dose intervals, the category. */
export interface TriageLook {
  readonly cells: number;
  readonly aberrations: number;
  /** Yield per cell: the confidence sequence's interval around X/n. */
  readonly yield: Interval;
  /** Dose in Gy; `upper` is Infinity when the curve's band never reaches the upper yield. */
  readonly dose: Interval;
  /** The category of the point estimate (0: below the first threshold). */
  readonly category: number;
  /** The category the whole interval lies in, or null when it spans a threshold. */
  readonly resolvedCategory: number | null;
}

/** The levels the error rate is split into: the yield's sequence and the curve's band. */
export interface ErrorSplit {
  readonly alphaYield: number;
  /** Level of the curve's simultaneous band (0: the curve carries no usable covariance). */
  readonly confCurve: number;
}

/**
 * α is spent half on the yield's confidence sequence and half on the curve's
 * simultaneous band (one band serves every look, since it does not depend on
 * the counts); a curve without usable covariance gets no band and the whole α
 * goes to the yield.
 */
export function splitError(curve: CalibrationCurve, alpha: number): ErrorSplit {
  const { confCurve } = correctConfidenceLevels(curve, {
    confYield: 1 - alpha / 2,
    confCurve: 1 - alpha / 2,
  });
  return confCurve === 0
    ? { alphaYield: alpha, confCurve: 0 }
    : { alphaYield: alpha / 2, confCurve: 1 - alpha / 2 };
}

/** The category of a dose: how many thresholds it reaches. */
export function categoryOf(dose: number, thresholds: readonly number[]): number {
  return thresholds.filter((threshold) => dose >= threshold).length;
}

/** A rule applied to one curve: the error split and the curve's inversions, shared by every person. */
export interface TriagePlan {
  readonly rule: TriageRule;
  readonly split: ErrorSplit;
  /** The bare curve, for the point estimate. */
  readonly estimate: CurveInversion;
  /** The curve's band at the split's level, for the interval. */
  readonly band: CurveInversion;
}

export function triagePlan(curve: CalibrationCurve, rule: TriageRule): TriagePlan {
  const split = splitError(curve, rule.alpha);
  return {
    rule,
    split,
    estimate: new CurveInversion(curve, { g: 1, confCurve: 0 }),
    band: new CurveInversion(curve, { g: 1, confCurve: split.confCurve }),
  };
}

/**
 * The intervals and categories after `aberrations` dicentrics in `cells`
 * cells: the yield's confidence sequence, each bound read on the far edge of
 * the curve's band (the upper edge gives the lower dose), as Merkle's method.
 */
export function triageLook(plan: TriagePlan, cells: number, aberrations: number): TriageLook {
  const { rule, split } = plan;
  const [low, high] = poissonRateConfidenceSequence(
    aberrations,
    cells,
    split.alphaYield,
    rule.mixture,
  );
  const observed = aberrations / cells;
  const dose: Interval = {
    lower: plan.band.dose(low, 'lower'),
    estimate: plan.estimate.dose(observed, 'estimate'),
    upper: plan.band.dose(high, 'upper'),
  };
  const lowerCategory = categoryOf(dose.lower, rule.thresholds);
  return {
    cells,
    aberrations,
    yield: { lower: low, estimate: observed, upper: high },
    dose,
    category: categoryOf(dose.estimate, rule.thresholds),
    resolvedCategory:
      lowerCategory === categoryOf(dose.upper, rule.thresholds) ? lowerCategory : null,
  };
}

/** Whether scoring stops after `look` (null: score another cell). */
export function stopReason(rule: TriageRule, look: TriageLook): StopReason | null {
  if (rule.sequential && look.resolvedCategory !== null) return 'resolved';
  if (look.cells >= rule.maxCells) return 'cells';
  if (look.aberrations >= rule.maxAberrations) return 'dicentrics';
  return null;
}

/** The outcome of triaging one person: the last look and why scoring stopped. */
export interface TriageOutcome {
  readonly look: TriageLook;
  readonly stop: StopReason;
}

/**
 * One person's sequential scoring: cells are added one at a time, each
 * followed by a look; `add` returns the outcome once the rule stops.
 */
export class TriageScoring {
  private cells = 0;
  private aberrations = 0;
  private last: TriageLook | null = null;
  private stopped: TriageOutcome | null = null;

  constructor(private readonly plan: TriagePlan) {}

  /** Scores one more cell with `count` dicentrics; the outcome when the rule stops here. */
  add(count: number): TriageOutcome | null {
    if (this.stopped) throw new RangeError('scoring has already stopped');
    this.cells++;
    this.aberrations += count;
    this.last = triageLook(this.plan, this.cells, this.aberrations);
    const stop = stopReason(this.plan.rule, this.last);
    if (stop) this.stopped = { look: this.last, stop };
    return this.stopped;
  }

  /** The outcome: where the rule stopped, or the last look when the cells ran out (null: none). */
  outcome(): TriageOutcome | null {
    return this.stopped ?? (this.last ? { look: this.last, stop: 'exhausted' } : null);
  }
}
