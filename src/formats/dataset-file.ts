import { dirname, resolve } from 'node:path';
import { writeJsonAtomic } from './atomic-write.js';
import { DATASET_FORMAT_MAJOR, datasetSchema, type Dataset, type DatasetImage } from './dataset.js';
import { checkFormatVersion, parseJson, readTextFile, validateWithSchema } from './json-file.js';

/** Reads and schema-checks a dataset.json (images are not opened: see dataset validation). */
export async function readDatasetFile(path: string): Promise<Dataset> {
  const raw = parseJson(await readTextFile(path, 'dataset'), path, 'dataset');
  checkFormatVersion(raw, DATASET_FORMAT_MAJOR, path, 'dataset');
  return validateWithSchema(raw, datasetSchema, path, 'dataset');
}

export function writeDatasetFile(path: string, dataset: Dataset): Promise<void> {
  return writeJsonAtomic(path, datasetSchema.parse(dataset));
}

/** The absolute path of an image of the dataset stored at `datasetPath`. */
export function resolveImagePath(datasetPath: string, image: DatasetImage): string {
  return resolve(dirname(datasetPath), image.path);
}
