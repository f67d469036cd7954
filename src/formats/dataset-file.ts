import { dirname, resolve } from 'node:path';
import { DATASET_FORMAT_MAJOR, datasetSchema, type Dataset, type DatasetImage } from './dataset.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const DATASET_FORMAT = { what: 'dataset', major: DATASET_FORMAT_MAJOR, schema: datasetSchema };

/** Reads and schema-checks a dataset.json (images are not opened: see dataset validation). */
export function readDatasetFile(path: string): Promise<Dataset> {
  return readJsonFile(path, DATASET_FORMAT);
}

export function writeDatasetFile(path: string, dataset: Dataset): Promise<void> {
  return writeJsonFile(path, DATASET_FORMAT, dataset);
}

/** The absolute path of an image of the dataset stored at `datasetPath`. */
export function resolveImagePath(datasetPath: string, image: DatasetImage): string {
  return resolve(dirname(datasetPath), image.path);
}
