import { randomBytes } from 'node:crypto';
import { open, rename, unlink, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DicentraError } from './dicentra-error.js';

/**
 * Writes a file so that readers see either the old content or the complete new
 * one, never a torn write: temp file in the same folder, fsync, rename. The
 * temp name is short and of fixed length, so any output name the file system
 * accepts works.
 * `durable: false` skips the fsync, for files that can be rebuilt (caches):
 * rename still hides partial writes from running readers, but after a power
 * loss such a file may be empty.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { durable?: boolean } = {},
): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.dicentra-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      if (options.durable ?? true) await handle.sync();
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
