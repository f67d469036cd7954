import { dirname, resolve } from 'node:path';
import { estimateChromosomeWidth, median } from '../../cores/qc/chromosome-width.js';
import type { Dataset } from '../../formats/dataset.js';
import { readGreyImage } from '../../imaging/read-image.js';

/** Training images measured: evenly spaced over the split, enough for a stable median. */
const SAMPLE = 64;

/**
 * The typical chromosome width of a dataset's training images (the median of
 * the per-image estimates over up to SAMPLE of them), which bundle.json records
 * so inference can bring other frames to it; null when no image holds a
 * stained object.
 */
export async function trainingChromosomeWidth(
  dataset: Dataset,
  datasetPath: string,
): Promise<number | null> {
  const train = dataset.images.filter((image) => image.split === 'train');
  const step = Math.max(1, Math.floor(train.length / SAMPLE));
  const widths: number[] = [];
  for (let k = 0; k < train.length && widths.length < SAMPLE; k += step) {
    const grey = await readGreyImage(resolve(dirname(datasetPath), train[k]!.path));
    const width = estimateChromosomeWidth(grey.data, grey.width, grey.height);
    if (width !== null) widths.push(width);
  }
  return widths.length > 0 ? median(widths) : null;
}
