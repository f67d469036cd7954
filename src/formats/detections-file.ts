import { DETECTIONS_FORMAT_MAJOR, detectionsSchema, type Detections } from './detections.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const DETECTIONS_FORMAT = {
  what: 'detections',
  major: DETECTIONS_FORMAT_MAJOR,
  schema: detectionsSchema,
};

/** Reads and schema-checks a detections.json. */
export function readDetectionsFile(path: string): Promise<Detections> {
  return readJsonFile(path, DETECTIONS_FORMAT);
}

export function writeDetectionsFile(path: string, detections: Detections): Promise<void> {
  return writeJsonFile(path, DETECTIONS_FORMAT, detections);
}
