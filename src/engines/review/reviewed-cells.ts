import type { Point } from '../../formats/dataset.js';
import type { Detections, DetectionsImage } from '../../formats/detections.js';
import type { CellDetections } from '../../cores/dosimetry/cell-counts.js';
import type { ReviewSnapshot } from './review-store.js';

/** One cell after review: the points kept per class and whether every candidate was decided. */
export interface ReviewedCell extends CellDetections {
  readonly image: DetectionsImage;
  readonly points: Readonly<Record<string, Point[]>>;
  readonly included: boolean;
  readonly exclusionReason: string | null;
  /** Every detection of the cell has a decision (accepted or rejected). */
  readonly decided: boolean;
}

/**
 * Applies a review to detections: a rejected detection is dropped, an
 * accepted or unreviewed one kept (the detector's call stands until a person
 * overrules it), added points join their cell; `fallbackCase` is the case of
 * images without a sampleId (as `dicentra counts` names it).
 */
export function reviewedCells(
  detections: Detections,
  review: ReviewSnapshot,
  fallbackCase: string,
): ReviewedCell[] {
  return detections.images.map((image) => {
    let decided = true;
    const points: Record<string, Point[]> = {};
    for (const name of detections.classes) {
      points[name] = [];
      (image.detections[name] ?? []).forEach((detection, index) => {
        const decision = review.decisions.get(`${image.id}/${name}/${index}`) ?? 'unreviewed';
        if (decision === 'unreviewed') decided = false;
        if (decision !== 'rejected') points[name]!.push([detection.x, detection.y]);
      });
    }
    for (const point of review.added) {
      if (point.image === image.id) points[point.class]?.push([point.x, point.y]);
    }
    const cell = review.cells.get(image.id);
    return {
      caseId: image.sampleId ?? fallbackCase,
      imageId: image.id,
      image,
      counts: Object.fromEntries(detections.classes.map((name) => [name, points[name]!.length])),
      points,
      included: cell?.included ?? true,
      exclusionReason: cell?.reason ?? null,
      decided,
    };
  });
}
