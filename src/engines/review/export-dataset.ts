import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { assignSplits, type SplitRatios } from '../../cores/split-assignment.js';
import { writeDatasetFile } from '../../formats/dataset-file.js';
import { DATASET_FORMAT_VERSION, type Dataset } from '../../formats/dataset.js';
import { provenanceNow } from '../../formats/provenance.js';
import { caseFile } from './case-path.js';
import { readReviewCase } from './review-case.js';
import { readReview } from './review-store.js';
import { reviewedCells } from './reviewed-cells.js';

export interface ExportRequest {
  readonly caseDir: string;
  readonly out: string;
  readonly split: SplitRatios;
  readonly seed: number;
  readonly toolVersion: string;
}

export interface ExportResult {
  readonly out: string;
  /** Cells written: included and every candidate decided. */
  readonly images: number;
  readonly excluded: number;
  /** Included cells left out because a candidate in them is still unreviewed. */
  readonly undecided: number;
  readonly points: Readonly<Record<string, number>>;
}

/**
 * `dicentra review export`: a dataset.json whose points are the reviewed
 * truth, for fine-tuning (`dicentra train --init-from`). A cell is written
 * when it is included and each of its candidates was accepted or rejected —
 * only then are its points an exhaustive annotation: accepted detections and
 * added points. Cells are split one by one (`split`, `seed`).
 */
export async function exportReviewedDataset(request: ExportRequest): Promise<ExportResult> {
  const reviewCase = await readReviewCase(request.caseDir);
  const { detections, detectionsPath } = reviewCase;
  const review = readReview(reviewCase.dir, reviewCase.detectionsSha256);
  const cells = reviewedCells(
    detections,
    review,
    basename(detectionsPath, extname(detectionsPath)),
  );
  const kept = cells.filter((cell) => cell.included && cell.decided);
  const outDir = dirname(resolve(request.out));
  const files = await Promise.all(kept.map((cell) => caseFile(reviewCase.dir, cell.image.path)));
  const paths = files.map((file) => relative(outDir, file));
  const outside = paths.some(
    (path) => path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path),
  );
  const splits = assignSplits(
    kept.map((cell) => cell.imageId),
    request.split,
    request.seed,
  );
  const images: Dataset['images'] = kept.map((cell, index) => ({
    id: cell.imageId,
    path: outside ? files[index]! : paths[index]!.split(sep).join('/'),
    width: cell.image.width,
    height: cell.image.height,
    split: splits[index]!,
    sampleId: cell.caseId,
    points: Object.fromEntries(
      detections.classes.map((name) => [name, cell.points[name]!.map(([x, y]) => [x, y])]),
    ),
  }));
  await writeDatasetFile(request.out, {
    version: DATASET_FORMAT_VERSION,
    classes: [...detections.classes],
    ...(outside ? { imagesOutsideFolder: true as const } : {}),
    images,
    provenance: {
      ...provenanceNow('dicentra review export', request.toolVersion),
      source: request.caseDir,
      seed: request.seed,
      parameters: { split: { ...request.split } },
    },
  });
  return {
    out: request.out,
    images: images.length,
    excluded: cells.filter((cell) => !cell.included).length,
    undecided: cells.filter((cell) => cell.included && !cell.decided).length,
    points: Object.fromEntries(
      detections.classes.map((name) => [
        name,
        images.reduce((sum, image) => sum + (image.points?.[name]?.length ?? 0), 0),
      ]),
    ),
  };
}
