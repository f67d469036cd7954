import { checkFormatVersion, parseJson, readTextFile, validateWithSchema } from './json-file.js';
import { TRUTH_FORMAT_MAJOR, truthSchema, type Truth } from './truth.js';

/** Reads and checks a truth.json written by `dicentra synth`. */
export async function readTruthFile(path: string): Promise<Truth> {
  const raw = parseJson(await readTextFile(path, 'truth'), path, 'truth');
  checkFormatVersion(raw, TRUTH_FORMAT_MAJOR, path, 'truth');
  return validateWithSchema(raw, truthSchema, path, 'truth');
}
