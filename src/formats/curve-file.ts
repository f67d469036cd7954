import { writeJsonAtomic } from './atomic-write.js';
import { CURVE_FORMAT_MAJOR, curveFileSchema, type CurveFile } from './curve.js';
import { checkFormatVersion, parseJson, readTextFile, validateWithSchema } from './json-file.js';

/** Reads and schema-checks a curve.json. */
export async function readCurveFile(path: string): Promise<CurveFile> {
  const raw = parseJson(await readTextFile(path, 'curve'), path, 'curve');
  checkFormatVersion(raw, CURVE_FORMAT_MAJOR, path, 'curve');
  return validateWithSchema(raw, curveFileSchema, path, 'curve');
}

/** Writes a curve.json; a curve its readers would refuse (e.g. a negative coefficient) is not written. */
export function writeCurveFile(path: string, curve: CurveFile): Promise<void> {
  return writeJsonAtomic(path, validateWithSchema(curve, curveFileSchema, path, 'curve'));
}
