import { CURVE_FORMAT_MAJOR, curveFileSchema, type CurveFile } from './curve.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const CURVE_FORMAT = { what: 'curve', major: CURVE_FORMAT_MAJOR, schema: curveFileSchema };

/** Reads and schema-checks a curve.json. */
export function readCurveFile(path: string): Promise<CurveFile> {
  return readJsonFile(path, CURVE_FORMAT);
}

/** Writes a curve.json; a curve its readers would refuse (e.g. a negative coefficient) is not written. */
export function writeCurveFile(path: string, curve: CurveFile): Promise<void> {
  return writeJsonFile(path, CURVE_FORMAT, curve);
}
