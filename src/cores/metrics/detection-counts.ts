import { countComponents, densePixelSet, type PixelSet } from '../ensemble/pixel-set.js';

/** True positives, false positives and false negatives (objects, not pixels). */
export interface DetectionCounts {
  tp: number;
  fp: number;
  fn: number;
}

export function emptyCounts(): DetectionCounts {
  return { tp: 0, fp: 0, fn: 0 };
}

/**
 * The paper's Fig. 2 counting on one image: with I = GT ∧ D,
 * TP = cc(I), FP = max(0, cc(D) − TP), FN = max(0, cc(GT) − TP), where cc
 * counts 8-connected components. `prediction` and `gtOnSet` are per active
 * pixel of `set`; `gtComponents` = cc(GT) over the whole grid (GT pixels
 * outside the set cannot meet D).
 */
export function countDetections(
  set: PixelSet,
  prediction: Uint8Array,
  gtOnSet: Uint8Array,
  gtComponents: number,
  scratch: { parent: Int32Array; both: Uint8Array } = {
    parent: new Int32Array(set.pixels.length),
    both: new Uint8Array(set.pixels.length),
  },
): DetectionCounts {
  const n = set.pixels.length;
  for (let p = 0; p < n; p++) scratch.both[p] = prediction[p]! & gtOnSet[p]!;
  const tp = countComponents(set, scratch.both, scratch.parent);
  const predicted = countComponents(set, prediction, scratch.parent);
  return { tp, fp: Math.max(0, predicted - tp), fn: Math.max(0, gtComponents - tp) };
}

/** Fig. 2 counting on two dense binary masks of one width × height grid. */
export function countDetectionsDense(
  width: number,
  height: number,
  prediction: Uint8Array,
  groundTruth: Uint8Array,
): DetectionCounts {
  const set = densePixelSet(width, height);
  const gtComponents = countComponents(set, groundTruth, new Int32Array(width * height));
  return countDetections(set, prediction, groundTruth, gtComponents);
}

/** Precision TP/(TP+FP) and recall TP/(TP+FN); null when undefined (0/0). */
export function precisionRecall(counts: DetectionCounts): {
  precision: number | null;
  recall: number | null;
} {
  const predicted = counts.tp + counts.fp;
  const actual = counts.tp + counts.fn;
  return {
    precision: predicted > 0 ? counts.tp / predicted : null,
    recall: actual > 0 ? counts.tp / actual : null,
  };
}
