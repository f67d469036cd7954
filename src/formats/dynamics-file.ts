import { DYNAMICS_FORMAT_MAJOR, dynamicsSchema, type DynamicsDocument } from './dynamics.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const DYNAMICS_FORMAT = { what: 'dynamics', major: DYNAMICS_FORMAT_MAJOR, schema: dynamicsSchema };

/** Reads and schema-checks a dynamics.json. */
export function readDynamicsFile(path: string): Promise<DynamicsDocument> {
  return readJsonFile(path, DYNAMICS_FORMAT);
}

export function writeDynamicsFile(path: string, document: DynamicsDocument): Promise<void> {
  return writeJsonFile(path, DYNAMICS_FORMAT, document);
}
