import { readdir } from 'node:fs/promises';
import { DicentraError } from '../../formats/dicentra-error.js';
import { isImageFileName, IMAGE_EXTENSIONS } from '../../imaging/read-image.js';

/** An image's id: its file name without the extension. */
export function imageIdOf(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}

/**
 * The image file names directly inside `folder`, sorted so every run sees the
 * same order. Two files with one id (`cell.png` and `cell.tif`) are refused
 * unless `sharedIds` is 'allowed' (import lists them with its other problems).
 */
export async function listImageFiles(
  folder: string,
  options: { sharedIds?: 'refused' | 'allowed' } = {},
): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new DicentraError('DCN_E_FILE_NOT_FOUND', `image folder ${folder} cannot be read`, {
      file: folder,
      hint: 'check the --images path',
      cause: error,
    });
  }
  const names = entries
    .filter((entry) => entry.isFile() && isImageFileName(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (names.length === 0) {
    throw new DicentraError('DCN_E_NO_IMAGES', `image folder ${folder} holds no image file`, {
      file: folder,
      hint: `supported extensions: ${IMAGE_EXTENSIONS.join(', ')}`,
    });
  }
  const byId = new Map<string, string[]>();
  for (const name of names) byId.set(imageIdOf(name), [...(byId.get(imageIdOf(name)) ?? []), name]);
  const shared = [...byId.entries()].filter(([, files]) => files.length > 1);
  if (shared.length > 0 && options.sharedIds !== 'allowed') {
    throw new DicentraError(
      'DCN_E_DUPLICATE_ID',
      `image folder ${folder} holds several files for one image id: ${shared
        .map(([id, files]) => `id "${id}" from ${files.join(', ')}`)
        .join('; ')}`,
      {
        file: folder,
        hint: 'an image id is its file name without the extension: keep one file per id (rename or move the others)',
      },
    );
  }
  return names;
}
