import { basename, extname } from 'node:path';
import { caseDistributions } from '../../cores/dosimetry/cell-counts.js';
import {
  summariseDistribution,
  type AberrationSummary,
} from '../../cores/dosimetry/aberration-table.js';
import type { Interval } from '../../cores/dosimetry/dose-estimate.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { countingRuleOf } from '../dosimetry/count-detections.js';
import { estimateCaseDose } from '../dosimetry/case-dose.js';
import { calibrationCurveOf } from '../dosimetry/curve-record.js';
import type { ReviewCase } from './review-case.js';
import type { ReviewSnapshot } from './review-store.js';
import { reviewedCells } from './reviewed-cells.js';

/** Merkle 83%–83%, the `dicentra dose` default: about a 95% dose interval. */
const METHOD = { kind: 'merkle', confYield: 0.83, confCurve: 0.83 } as const;

export interface CasePanel {
  readonly id: string;
  readonly cells: number;
  readonly excluded: number;
  /** Kept detections plus added points, per class, over the included cells. */
  readonly counted: Readonly<Record<string, number>>;
  /** Detections a person accepted, per class, over the included cells. */
  readonly accepted: Readonly<Record<string, number>>;
  readonly distribution: readonly number[];
  readonly table: AberrationSummary;
  /** Merkle 83%–83% dose in Gy with the case's curve.json; null without one. */
  readonly dose: Interval | null;
  /** Why the dose could not be estimated (e.g. a yield the curve cannot reach). */
  readonly doseError: string | null;
}

export interface ReviewPanel {
  readonly reviewed: number;
  readonly total: number;
  readonly added: number;
  readonly rule: { readonly aberration: string; readonly requireClass: string | null };
  readonly cases: readonly CasePanel[];
}

/**
 * The live panel: per case, the cells scored, the aberrations counted and
 * accepted, the C0…Cn distribution with its dispersion index and u-test, and
 * with a curve the dose by `dicentra dose`'s default method; recomputed from
 * the committed review at every decision.
 */
export function reviewPanel(reviewCase: ReviewCase, review: ReviewSnapshot): ReviewPanel {
  const { detections, detectionsPath } = reviewCase;
  const { rule } = countingRuleOf(detections, detectionsPath);
  const cells = reviewedCells(
    detections,
    review,
    basename(detectionsPath, extname(detectionsPath)),
  );
  const included = cells.filter((cell) => cell.included);
  const curve = reviewCase.curve ? calibrationCurveOf(reviewCase.curve) : null;
  const accepted = (caseId: string, name: string) =>
    included
      .filter((cell) => cell.caseId === caseId)
      .reduce(
        (sum, cell) =>
          sum +
          (cell.image.detections[name] ?? []).filter(
            (_, index) => review.decisions.get(`${cell.imageId}/${name}/${index}`) === 'accepted',
          ).length,
        0,
      );
  const cases = caseDistributions(included, rule).map((row): CasePanel => {
    let dose: Interval | null = null;
    let doseError: string | null = null;
    const estimate = curve
      ? (() => {
          try {
            return estimateCaseDose(curve, row, METHOD, 1, reviewCase.curvePath!);
          } catch (error) {
            if (!(error instanceof DicentraError)) throw error;
            doseError = error.message;
            return null;
          }
        })()
      : null;
    if (estimate) dose = estimate.estimate.dose;
    const caseCells = cells.filter((cell) => cell.caseId === row.id);
    return {
      id: row.id,
      cells: caseCells.filter((cell) => cell.included).length,
      excluded: caseCells.filter((cell) => !cell.included).length,
      counted: Object.fromEntries(
        detections.classes.map((name) => [
          name,
          caseCells
            .filter((cell) => cell.included)
            .reduce((sum, cell) => sum + (cell.counts[name] ?? 0), 0),
        ]),
      ),
      accepted: Object.fromEntries(
        detections.classes.map((name) => [name, accepted(row.id, name)]),
      ),
      distribution: row.distribution,
      table: estimate?.table ?? summariseDistribution(row.distribution),
      dose,
      doseError,
    };
  });
  const decided = [...review.decisions.values()].filter((value) => value !== 'unreviewed').length;
  return {
    reviewed: decided,
    total: reviewCase.candidates.length,
    added: review.added.length,
    rule,
    cases,
  };
}
