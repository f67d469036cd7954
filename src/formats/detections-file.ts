import { writeJsonAtomic } from './atomic-write.js';
import { DETECTIONS_FORMAT_MAJOR, detectionsSchema, type Detections } from './detections.js';
import { checkFormatVersion, parseJson, readTextFile, validateWithSchema } from './json-file.js';

/** Reads and schema-checks a detections.json. */
export async function readDetectionsFile(path: string): Promise<Detections> {
  const raw = parseJson(await readTextFile(path, 'detections'), path, 'detections');
  checkFormatVersion(raw, DETECTIONS_FORMAT_MAJOR, path, 'detections');
  return validateWithSchema(raw, detectionsSchema, path, 'detections');
}

export function writeDetectionsFile(path: string, detections: Detections): Promise<void> {
  return writeJsonAtomic(path, detectionsSchema.parse(detections));
}
