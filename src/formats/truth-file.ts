import { readJsonFile } from './json-file.js';
import { TRUTH_FORMAT_MAJOR, truthSchema, type Truth } from './truth.js';

/** Reads and checks a truth.json written by `dicentra synth`. */
export function readTruthFile(path: string): Promise<Truth> {
  return readJsonFile(path, { what: 'truth', major: TRUTH_FORMAT_MAJOR, schema: truthSchema });
}
