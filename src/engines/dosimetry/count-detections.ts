import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import {
  caseTableCsv,
  cellTableCsv,
  type CaseRow,
  type CellRow,
} from '../../formats/count-table.js';
import { readDetectionsFile } from '../../formats/detections-file.js';
import type { Detections } from '../../formats/detections.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import {
  caseDistributions,
  cellAberrations,
  type CellDetections,
  type CountingRule,
} from '../../cores/dosimetry/cell-counts.js';

export interface CountRequest {
  readonly detections: string;
  /** Where to write the case table (ID,C0,C1,…). */
  readonly out?: string;
  /** Where to write the per-cell table. */
  readonly cellsOut?: string;
  /**
   * A review case folder (`dicentra review`): its decisions are applied —
   * rejected detections dropped, added ones counted, excluded cells left out.
   */
  readonly review?: string;
  warn(message: string): void;
}

export interface CountResult {
  readonly classes: readonly string[];
  readonly rule: CountingRule;
  /** Where the rule came from: the calibration `detect --curve` voted as, or the paper's default. */
  readonly ruleFrom: 'detections' | 'default';
  readonly cells: CellRow[];
  readonly cases: CaseRow[];
}

/**
 * The counting rule of a detections.json: the calibration's when `detect
 * --curve` recorded it, else the paper's (§2.3): dicentrics scored only in
 * cells with a fragment.
 */
export function countingRuleOf(
  detections: Detections,
  path: string,
): Pick<CountResult, 'rule' | 'ruleFrom'> {
  const recorded = detections.counting;
  const rule: CountingRule = recorded ?? {
    aberration: 'dicentric',
    requireClass: detections.classes.includes('fragment') ? 'fragment' : null,
  };
  for (const name of [rule.aberration, rule.requireClass]) {
    if (name !== null && !detections.classes.includes(name)) {
      throw new DicentraError(
        'DCN_E_COUNTS_INVALID',
        `the counting rule uses class "${name}", which ${path} does not have (${detections.classes.join(', ')})`,
        {
          file: path,
          field: recorded ? 'counting' : 'classes',
          hint: 'count detections of a bundle trained on dicentrics and fragments',
        },
      );
    }
  }
  return { rule, ruleFrom: recorded ? 'detections' : 'default' };
}

/** The cells of a reviewed case, excluded cells left out. */
async function reviewedScoring(
  detectionsPath: string,
  caseDir: string,
  detections: Detections,
  fallback: string,
): Promise<CellDetections[]> {
  const { readReview } = await import('../review/review-store.js');
  const { reviewedCells } = await import('../review/reviewed-cells.js');
  const sha256 = createHash('sha256')
    .update(await readFile(detectionsPath))
    .digest('hex');
  return reviewedCells(detections, readReview(caseDir, sha256), fallback)
    .filter((cell) => cell.included)
    .map(({ caseId, imageId, counts }) => ({ caseId, imageId, counts }));
}

/**
 * `dicentra counts`: per-cell counts and each case's C0, C1, … row from a
 * detections.json, by the same path `dicentra dose --images` takes; one image
 * is one cell, its case the image's sampleId (the file's name without one).
 */
export async function countDetections(request: CountRequest): Promise<CountResult> {
  const detections = await readDetectionsFile(request.detections);
  const { rule, ruleFrom } = countingRuleOf(detections, request.detections);
  if (detections.images.length === 0) {
    throw new DicentraError('DCN_E_NO_IMAGES', `${request.detections} holds no detected image`, {
      file: request.detections,
      field: 'images',
      hint: 'run `dicentra detect` on the case’s images first',
    });
  }
  if (detections.errors.length > 0) {
    request.warn(
      `${detections.errors.length} image(s) of ${request.detections} could not be detected and are not counted (first: ${detections.errors[0]!.path})`,
    );
  }
  const fallback = basename(request.detections, extname(request.detections));
  const scored: CellDetections[] = request.review
    ? await reviewedScoring(request.detections, request.review, detections, fallback)
    : detections.images.map((image) => ({
        caseId: image.sampleId ?? fallback,
        imageId: image.id,
        counts: image.counts,
      }));
  const cells = scored.map((cell) => ({
    ...cell,
    aberrations: cellAberrations(cell.counts, rule),
  }));
  const cases = caseDistributions(scored, rule);
  if (request.cellsOut) {
    await writeFileAtomic(request.cellsOut, cellTableCsv(detections.classes, cells));
  }
  if (request.out) await writeFileAtomic(request.out, caseTableCsv(cases));
  return { classes: detections.classes, rule, ruleFrom, cells, cases };
}
