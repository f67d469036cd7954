import { dirname, relative } from 'node:path';
import { readDetectionsFile } from '../../formats/detections-file.js';
import { provenanceNow } from '../../formats/provenance.js';
import { writeQcFile, type QcDocument, type QcRules } from '../../formats/qc.js';
import type { CaseImage } from '../import/case-images.js';
import { judgeFrames, qcDocument } from './frame-qc.js';

export interface QcRequest {
  readonly images: readonly CaseImage[];
  readonly out: string;
  /** The --images argument, recorded in the provenance. */
  readonly source: string;
  readonly detections?: string;
  readonly rules: QcRules;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number) => void;
}

/** `dicentra qc`: judges every frame and writes qc.json (atomically, after the last frame). */
export async function runQc(request: QcRequest): Promise<QcDocument> {
  const dicentrics = new Map<string, [number, number][]>();
  if (request.detections) {
    const detections = await readDetectionsFile(request.detections);
    for (const image of detections.images) {
      dicentrics.set(
        image.id,
        (image.detections['dicentric'] ?? []).map((d) => [d.x, d.y]),
      );
    }
  }
  const images = await judgeFrames({
    frames: request.images.map((image) => ({
      id: image.id,
      file: image.file,
      path: relative(dirname(request.out), image.file),
    })),
    rules: request.rules,
    dicentrics,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  const document = qcDocument(
    images,
    request.rules,
    provenanceNow('dicentra qc', request.toolVersion, {
      source: request.source,
      parameters: request.detections ? { detections: request.detections } : {},
    }),
    request.detections,
  );
  await writeQcFile(request.out, document);
  return document;
}
