import { writeJsonAtomic } from './atomic-write.js';
import { DYNAMICS_FORMAT_MAJOR, dynamicsSchema, type DynamicsDocument } from './dynamics.js';
import { checkFormatVersion, parseJson, readTextFile, validateWithSchema } from './json-file.js';

/** Reads and schema-checks a dynamics.json. */
export async function readDynamicsFile(path: string): Promise<DynamicsDocument> {
  const raw = parseJson(await readTextFile(path, 'dynamics'), path, 'dynamics');
  checkFormatVersion(raw, DYNAMICS_FORMAT_MAJOR, path, 'dynamics');
  return validateWithSchema(raw, dynamicsSchema, path, 'dynamics');
}

export function writeDynamicsFile(path: string, document: DynamicsDocument): Promise<void> {
  return writeJsonAtomic(path, dynamicsSchema.parse(document));
}
