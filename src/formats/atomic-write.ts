import { open, rename, unlink, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { DicentraError } from './dicentra-error.js';

/**
 * Writes a file so that readers see either the old content or the complete new
 * one, never a torn write: temp file in the same folder, fsync, rename.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new DicentraError(
      'DCN_E_FILE_WRITE',
      `could not write ${path}: ${(error as Error).message}`,
      {
        file: path,
        hint: 'check that the folder exists, is writable and the disk is not full',
        cause: error,
      },
    );
  }
}

export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
