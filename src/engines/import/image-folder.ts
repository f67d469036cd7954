import { readdir } from 'node:fs/promises';
import { DicentraError } from '../../formats/dicentra-error.js';
import { isImageFileName, IMAGE_EXTENSIONS } from '../../imaging/read-image.js';

/** The image file names directly inside `folder`, sorted so every run sees the same order. */
export async function listImageFiles(folder: string): Promise<string[]> {
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
  return names;
}
