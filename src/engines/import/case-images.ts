import { basename, extname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { readDatasetFile, resolveImagePath } from '../../formats/dataset-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { listImageFiles } from './image-folder.js';

/** One image to count, and the case (person, culture) it is a cell of. */
export interface CaseImage {
  readonly id: string;
  /** Absolute path of the image file. */
  readonly file: string;
  readonly caseId: string;
}

/** The images of one case. */
export interface ImageCase {
  readonly id: string;
  readonly images: readonly CaseImage[];
}

/**
 * The images behind `--images`: a folder is one case named after the folder; a
 * dataset.json gives each image its sampleId as case (the dataset file's name
 * when it has none). In folder or dataset order.
 */
export async function readCaseImages(source: string): Promise<CaseImage[]> {
  const info = await stat(source).catch(() => null);
  if (!info) {
    throw new DicentraError('DCN_E_FILE_NOT_FOUND', `--images ${source} does not exist`, {
      file: source,
      field: '--images',
      hint: 'give a folder of one case’s images, or a dataset.json (sampleId per image)',
    });
  }
  if (info.isDirectory()) {
    const caseId = basename(resolve(source));
    return (await listImageFiles(source)).map((name) => ({
      id: basename(name, extname(name)),
      file: resolve(source, name),
      caseId,
    }));
  }
  const dataset = await readDatasetFile(source);
  if (dataset.images.length === 0) {
    throw new DicentraError('DCN_E_NO_IMAGES', `${source} lists no image`, {
      file: source,
      hint: 'add the case’s images to the dataset',
    });
  }
  const fallback = basename(source, extname(source));
  return dataset.images.map((image) => ({
    id: image.id,
    file: resolveImagePath(source, image),
    caseId: image.sampleId ?? fallback,
  }));
}

/** The images grouped by case, cases in the order they first appear. */
export function groupByCase(images: readonly CaseImage[]): ImageCase[] {
  const byCase = new Map<string, CaseImage[]>();
  for (const image of images) {
    const list = byCase.get(image.caseId) ?? [];
    list.push(image);
    byCase.set(image.caseId, list);
  }
  return [...byCase.entries()].map(([id, list]) => ({ id, images: list }));
}
