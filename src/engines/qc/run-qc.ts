import { dirname, relative } from 'node:path';
import { readBundleFile } from '../../formats/bundle-file.js';
import { readDetectionsFile } from '../../formats/detections-file.js';
import type { Detections } from '../../formats/detections.js';
import { provenanceNow } from '../../formats/provenance.js';
import { writeQcFile, type QcDocument, type QcRules } from '../../formats/qc.js';
import { chooseMembers } from '../detect/choose-members.js';
import { detectImages } from '../detect/detect-images.js';
import type { CaseImage } from '../import/case-images.js';
import { judgeFrames, qcDocument } from './frame-qc.js';

export interface QcRequest {
  readonly images: readonly CaseImage[];
  readonly out: string;
  /** The --images argument, recorded in the provenance. */
  readonly source: string;
  /** Dicentric points from a detections.json of these images… */
  readonly detections?: string;
  /** …or from this bundle, voting as `dicentra detect` does by default. */
  readonly model?: string;
  readonly rules: QcRules;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number) => void;
}

/** Detections by `detect`'s defaults: the last 10 members, T_C 0.5, T_A min(4, M − 1); no cache. */
async function detectDefault(request: QcRequest, model: string): Promise<Detections> {
  const loaded = await readBundleFile(model);
  const selection = { mode: 'last', count: 10 } as const;
  const members = chooseMembers(loaded.bundle.members, selection, '--model', 'last:10');
  const classes = loaded.bundle.classes;
  const { detections } = await detectImages({
    loaded,
    members,
    selection,
    tc: Object.fromEntries(classes.map((name) => [name, { kind: 'fixed', tc: 0.5 } as const])),
    ta: Object.fromEntries(classes.map((name) => [name, Math.min(4, members.length - 1)])),
    images: request.images,
    cacheDir: null,
    outPath: request.out,
    toolVersion: request.toolVersion,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  return detections;
}

/** `dicentra qc`: judges every frame and writes qc.json (atomically, after the last frame). */
export async function runQc(request: QcRequest): Promise<QcDocument> {
  const dicentrics = new Map<string, [number, number][]>();
  const found = request.detections
    ? await readDetectionsFile(request.detections)
    : request.model
      ? await detectDefault(request, request.model)
      : undefined;
  for (const image of found?.images ?? []) {
    dicentrics.set(
      image.id,
      (image.detections['dicentric'] ?? []).map((d) => [d.x, d.y]),
    );
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
      parameters: {
        ...(request.detections ? { detections: request.detections } : {}),
        ...(request.model ? { model: request.model } : {}),
      },
    }),
    {
      ...(request.detections ? { detections: request.detections } : {}),
      ...(request.model ? { model: request.model } : {}),
    },
  );
  await writeQcFile(request.out, document);
  return document;
}
