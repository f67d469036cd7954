import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REFS } from './paths.js';
import { runCli } from './run-cli.js';

/** The reference's calibration data (Barquinero 1995), fitted by `dicentra curve fit` into `dir`. */
export async function fitReferenceCurve(dir: string, extra: string[] = []): Promise<string> {
  const curvePath = join(dir, 'curve.json');
  const fit = await runCli([
    'curve',
    'fit',
    '--counts',
    join(REFS, 'biodosetools', 'data', 'count-data-barquinero-1995.csv'),
    '--out',
    curvePath,
    ...extra,
  ]);
  assert.equal(fit.code, 0, fit.stderr);
  return curvePath;
}
