import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DicentraError } from '../../formats/dicentra-error.js';

const outside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
};

/**
 * The real path of a file named relative to the case folder, refused
 * (`DCN_E_CASE_PATH`) when it is absolute, climbs with `..`, or is a link
 * resolving outside the folder: the review server serves nothing else.
 */
export async function caseFile(caseDir: string, name: string): Promise<string> {
  const refuse = (why: string) =>
    new DicentraError('DCN_E_CASE_PATH', `${name} ${why}`, {
      file: name,
      hint: 'keep the case’s images inside the case folder (`dicentra review --init` copies them in)',
    });
  if (isAbsolute(name) || /^[a-zA-Z]:/.test(name)) throw refuse('is an absolute path');
  if (name.split(/[\\/]/).includes('..')) throw refuse('climbs out of the case folder with ..');
  const root = await realpath(caseDir);
  const real = await realpath(resolve(root, name)).catch(() => null);
  if (real === null) {
    throw new DicentraError('DCN_E_IMAGE_MISSING', `${name} is not in the case folder`, {
      file: name,
      hint: 'put the image back, or re-create the case with `dicentra review --init`',
    });
  }
  if (outside(root, real)) throw refuse('is a link resolving outside the case folder');
  return real;
}
