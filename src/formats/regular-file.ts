import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { DicentraError } from './dicentra-error.js';
import type { ErrorCode } from './error-catalogue.js';

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'a special file';
}

/**
 * Refuses anything but a regular file (links followed) before it is opened:
 * reading a FIFO or a device blocks or never ends, and a folder is no file.
 * A missing file throws `missingCode` (an image's is DCN_E_IMAGE_MISSING).
 */
export async function ensureRegularFile(
  path: string,
  what: string,
  missing: { code: ErrorCode; hint: string } = {
    code: 'DCN_E_FILE_NOT_FOUND',
    hint: 'check the path',
  },
): Promise<void> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    const absent = ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');
    throw new DicentraError(
      absent ? missing.code : 'DCN_E_FILE_READ',
      `${what} ${path} ${absent ? 'does not exist' : 'could not be read'}`,
      { file: path, hint: absent ? missing.hint : 'check the file permissions', cause: error },
    );
  }
  if (!info.isFile()) {
    throw new DicentraError(
      'DCN_E_FILE_READ',
      `${what} ${path} is ${kindOf(info)}, not a regular file`,
      {
        file: path,
        hint: 'give a regular file: folders, FIFOs and devices are not read as inputs',
      },
    );
  }
}
