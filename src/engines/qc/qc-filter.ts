import { basename } from 'node:path';
import { DEFAULT_QC_RULES } from '../../cores/qc/qc-decision.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { readQcFile, type QcReason } from '../../formats/qc.js';
import { judgeFrames, reasonCounts } from './frame-qc.js';

/** What `--qc` did to an image list: how many cells it kept and which it excluded, and why. */
export interface QcExclusion {
  /** qc.json, or `auto` (judged on the fly with the default rules). */
  readonly source: string;
  readonly images: number;
  readonly kept: number;
  readonly excluded: readonly { readonly id: string; readonly reasons: readonly QcReason[] }[];
  readonly reasons: Record<QcReason, number>;
}

/**
 * Keeps the scorable images of a list, by a qc.json from `dicentra qc` (every
 * image must have its verdict there) or, with `auto`, by judging each frame
 * now with the default rules: the one rule calibrate, dose and detect apply.
 */
export async function filterByQc<T extends { readonly id: string; readonly file: string }>(
  images: readonly T[],
  qc: string,
  signal?: AbortSignal,
): Promise<{ kept: T[]; exclusion: QcExclusion }> {
  const verdicts = new Map<string, readonly QcReason[]>();
  if (qc === 'auto') {
    const judged = await judgeFrames({
      frames: images.map((image) => ({ id: image.id, file: image.file, path: image.file })),
      rules: DEFAULT_QC_RULES,
      ...(signal ? { signal } : {}),
    });
    for (const image of judged) verdicts.set(image.id, image.reasons);
  } else {
    const document = await readQcFile(qc);
    for (const image of document.images) verdicts.set(image.id, image.reasons);
    const missing = images.find((image) => !verdicts.has(image.id));
    if (missing) {
      throw new DicentraError(
        'DCN_E_QC_IMAGE_MISSING',
        `${qc} has no verdict for image ${missing.id} (${basename(missing.file)})`,
        {
          file: qc,
          field: 'images',
          hint: 'run `dicentra qc` on the same images (folder or dataset.json) and pass its qc.json, or use --qc auto',
        },
      );
    }
  }
  const kept = images.filter((image) => verdicts.get(image.id)!.length === 0);
  const excluded = images
    .filter((image) => verdicts.get(image.id)!.length > 0)
    .map((image) => ({ id: image.id, reasons: verdicts.get(image.id)! }));
  return {
    kept,
    exclusion: {
      source: qc,
      images: images.length,
      kept: kept.length,
      excluded,
      reasons: reasonCounts(excluded),
    },
  };
}

/** What an output records of `--qc`: the source, the counts and every excluded cell with its reasons. */
export function exclusionRecord(exclusion: QcExclusion): Record<string, unknown> {
  return {
    source: exclusion.source,
    images: exclusion.images,
    kept: exclusion.kept,
    reasons: Object.fromEntries(Object.entries(exclusion.reasons).filter(([, n]) => n > 0)),
    excluded: exclusion.excluded,
  };
}

/** One line for logs and reports: "QC (qc.json) excluded 12 of 40 cells: 7 too-few-chromosomes, …". */
export function describeExclusion(exclusion: QcExclusion): string {
  const reasons = Object.entries(exclusion.reasons)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return `QC (${exclusion.source}) excluded ${exclusion.excluded.length} of ${exclusion.images} cells${reasons ? `: ${reasons}` : ''}`;
}
