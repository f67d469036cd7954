import type { MetaphaseMeasures } from '../../cores/qc/measure-metaphase.js';
import { qcReasons } from '../../cores/qc/qc-decision.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import {
  QC_FORMAT_VERSION,
  QC_REASONS,
  type QcDocument,
  type QcImage,
  type QcReason,
  type QcRules,
} from '../../formats/qc.js';
import type { Provenance } from '../../formats/provenance.js';
import { measureFrames } from './measure-pool.js';

/** A frame to judge: its id, its file, and the path qc.json records. */
export interface QcFrame {
  readonly id: string;
  readonly file: string;
  readonly path: string;
}

export interface FrameQcRequest {
  readonly frames: readonly QcFrame[];
  readonly rules: QcRules;
  /** Detected dicentric points per image id (from a detections.json), lifting the count. */
  readonly dicentrics?: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number) => void;
}

/** Rounded for the file: the measures are estimates, two or three digits say it all. */
function rounded(m: MetaphaseMeasures): QcImage['measures'] {
  const r = (value: number, digits: number) => Number(value.toFixed(digits));
  return {
    ...m,
    medianObjectAreaPx: r(m.medianObjectAreaPx, 1),
    chromosomeWidthPx: r(m.chromosomeWidthPx, 2),
    clusteredFraction: r(m.clusteredFraction, 3),
    spreadCoverage: r(m.spreadCoverage, 3),
    spreadFill: r(m.spreadFill, 3),
    focus: r(m.focus, 3),
    contrast: r(m.contrast, 3),
  };
}

/**
 * Measures and judges the frames on every core (about 0.15 s per 1008×888
 * frame and core), returned in the frames' order.
 */
export async function judgeFrames(request: FrameQcRequest): Promise<QcImage[]> {
  const { frames } = request;
  const images: QcImage[] = new Array(frames.length);
  let done = 0;
  const complete = await measureFrames(
    frames.map((frame) => ({
      file: frame.file,
      dicentrics: request.dicentrics?.get(frame.id) ?? [],
    })),
    (index, measures) => {
      const reasons = qcReasons(measures, request.rules);
      images[index] = {
        id: frames[index]!.id,
        path: frames[index]!.path,
        scorable: reasons.length === 0,
        reasons,
        measures: rounded(measures),
      };
      request.onProgress?.(++done);
    },
    request.signal,
  );
  if (!complete) {
    throw new DicentraError(
      'DCN_E_INTERRUPTED',
      `interrupted after ${done} of ${frames.length} frames`,
      { hint: 'run the command again' },
    );
  }
  return images;
}

/** Frames failing each rule. */
export function reasonCounts(
  images: readonly { readonly reasons: readonly QcReason[] }[],
): Record<QcReason, number> {
  const counts = Object.fromEntries(QC_REASONS.map((reason) => [reason, 0])) as Record<
    QcReason,
    number
  >;
  for (const image of images) for (const reason of image.reasons) counts[reason]++;
  return counts;
}

export function qcDocument(
  images: QcImage[],
  rules: QcRules,
  provenance: Provenance,
  dicentrics: { readonly detections?: string; readonly model?: string } = {},
): QcDocument {
  return {
    version: QC_FORMAT_VERSION,
    rules,
    ...dicentrics,
    summary: {
      images: images.length,
      scorable: images.filter((image) => image.scorable).length,
      reasons: reasonCounts(images),
    },
    images,
    provenance,
  };
}
