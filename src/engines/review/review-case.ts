import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readCurveFile } from '../../formats/curve-file.js';
import type { CurveFile } from '../../formats/curve.js';
import { readDetectionsFile } from '../../formats/detections-file.js';
import type { Detections } from '../../formats/detections.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { readDynamicsFile } from '../../formats/dynamics-file.js';

/** One candidate of the queue: a detection with a stable id and its doubt. */
export interface Candidate {
  /** `IMAGE/CLASS/INDEX`: the detection's place in detections.json. */
  readonly id: string;
  readonly image: string;
  readonly class: string;
  readonly x: number;
  readonly y: number;
  readonly votes: number;
  readonly voteFraction: number;
  /** voteFraction − T_A/M: how far the ensemble's agreement lies above the decision threshold. */
  readonly margin: number;
  /** Entropy of the training dynamics where it lies (nats), when dynamics.json gives it. */
  readonly entropy: number | null;
}

/** A case folder as the review reads it. */
export interface ReviewCase {
  readonly dir: string;
  readonly detectionsPath: string;
  readonly detections: Detections;
  readonly detectionsSha256: string;
  readonly curve: CurveFile | null;
  readonly curvePath: string | null;
  /** Every detection, most doubtful first. */
  readonly candidates: readonly Candidate[];
}

export const DETECTIONS_FILE = 'detections.json';
export const CURVE_FILE = 'curve.json';
export const DYNAMICS_FILE = 'dynamics.json';

/** The entropy dynamics.json gives a detection (matched by image, class and position). */
async function entropyLookup(
  file: string,
): Promise<(image: string, name: string, x: number, y: number) => number | null> {
  if (!existsSync(file)) return () => null;
  const dynamics = await readDynamicsFile(file);
  const rows = dynamics.uncertain.detections;
  return (image, name, x, y) =>
    rows.find(
      (row) => row.image === image && row.class === name && Math.hypot(row.x - x, row.y - y) <= 1,
    )?.entropy ?? null;
}

/**
 * The queue order: the detection whose vote fraction lies nearest the
 * decision threshold T_A/M first (the ensemble's least certain call), then
 * the higher dynamics entropy, then image order.
 */
export function doubtOrder(candidates: readonly Candidate[]): Candidate[] {
  return candidates
    .map((candidate, index) => ({ candidate, index }))
    .sort(
      (a, b) =>
        a.candidate.margin - b.candidate.margin ||
        (b.candidate.entropy ?? -1) - (a.candidate.entropy ?? -1) ||
        a.index - b.index,
    )
    .map(({ candidate }) => candidate);
}

/** Every detection of the file as a candidate, in file order. */
export function candidatesOf(
  detections: Detections,
  entropy: (image: string, name: string, x: number, y: number) => number | null = () => null,
): Candidate[] {
  const members = detections.bundle.memberEpochs.length;
  return detections.images.flatMap((image) =>
    detections.classes.flatMap((name) =>
      (image.detections[name] ?? []).map((detection, index) => ({
        id: `${image.id}/${name}/${index}`,
        image: image.id,
        class: name,
        x: detection.x,
        y: detection.y,
        votes: detection.votes,
        voteFraction: detection.voteFraction,
        margin: detection.voteFraction - (detections.thresholds[name]?.ta ?? 0) / members,
        entropy: entropy(image.id, name, detection.x, detection.y),
      })),
    ),
  );
}

/** Reads a case folder: detections.json (required), curve.json and dynamics.json (optional). */
export async function readReviewCase(caseDir: string): Promise<ReviewCase> {
  const dir = resolve(caseDir);
  const detectionsPath = join(dir, DETECTIONS_FILE);
  if (!existsSync(detectionsPath)) {
    throw new DicentraError('DCN_E_FILE_NOT_FOUND', `${caseDir} holds no ${DETECTIONS_FILE}`, {
      file: detectionsPath,
      field: '--case',
      hint: 'create the case with `dicentra review --init --case DIR --images IMAGES --model BUNDLE`',
    });
  }
  const bytes = await readFile(detectionsPath);
  const detections = await readDetectionsFile(detectionsPath);
  const curvePath = join(dir, CURVE_FILE);
  const hasCurve = existsSync(curvePath);
  const entropy = await entropyLookup(join(dir, DYNAMICS_FILE));
  return {
    dir,
    detectionsPath,
    detections,
    detectionsSha256: createHash('sha256').update(bytes).digest('hex'),
    curve: hasCurve ? await readCurveFile(curvePath) : null,
    curvePath: hasCurve ? curvePath : null,
    candidates: doubtOrder(candidatesOf(detections, entropy)),
  };
}
