import sharp from 'sharp';
import { DicentraError } from '../formats/dicentra-error.js';
import { ensureRegularFile } from '../formats/regular-file.js';
import { BT601, type GreyImage } from './grey-image.js';
import { checkPixelLimit, maxImagePixels } from './pixel-limit.js';

/** File name extensions of the image types dicentra reads. */
export const IMAGE_EXTENSIONS = ['.png', '.tif', '.tiff', '.jpg', '.jpeg'] as const;

export function isImageFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

export interface ImageInfo {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly bitDepth: 8 | 16;
}

/** Refuses a missing image, and a folder, FIFO or device in its place (opening those blocks). */
export function ensureImageFile(path: string): Promise<void> {
  return ensureRegularFile(path, 'image', {
    code: 'DCN_E_IMAGE_MISSING',
    hint: 'check the path (dataset paths are relative to the folder of dataset.json)',
  });
}

function decodeError(path: string, error: unknown): DicentraError {
  return new DicentraError(
    'DCN_E_IMAGE_DECODE',
    `image ${path} could not be decoded: ${(error as Error).message}`,
    {
      file: path,
      hint: 'the file may be truncated or not an image; re-export it as PNG or TIFF',
      cause: error,
    },
  );
}

/** Reads only the header: size, channels and depth; refuses images above the pixel limit. */
export async function readImageInfo(path: string): Promise<ImageInfo> {
  await ensureImageFile(path);
  let info: ImageInfo;
  try {
    const meta = await sharp(path).metadata();
    if (!meta.width || !meta.height) throw new Error('no size in header');
    info = {
      width: meta.width,
      height: meta.height,
      channels: meta.channels ?? 1,
      bitDepth: meta.depth === 'ushort' ? 16 : 8,
    };
  } catch (error) {
    throw decodeError(path, error);
  }
  checkPixelLimit(path, info.width, info.height);
  return info;
}

/**
 * Decodes an image to grey in its native depth. Colour is mixed with BT.601
 * weights (alpha ignored); 16-bit files stay 16-bit.
 */
export async function readGreyImage(path: string): Promise<GreyImage> {
  const info = await readImageInfo(path);
  try {
    const colour = info.channels >= 3;
    const depth = info.bitDepth === 16 ? 'ushort' : 'uchar';
    const { data, info: out } = await sharp(path, { limitInputPixels: maxImagePixels() })
      .toColourspace(
        colour
          ? info.bitDepth === 16
            ? 'rgb16'
            : 'srgb'
          : info.bitDepth === 16
            ? 'grey16'
            : 'b-w',
      )
      .raw({ depth })
      .toBuffer({ resolveWithObject: true });
    const samples =
      depth === 'ushort'
        ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const pixels = out.width * out.height;
    const grey = new Float32Array(pixels);
    const stride = out.channels;
    if (colour) {
      for (let i = 0, s = 0; i < pixels; i++, s += stride) {
        grey[i] = BT601.r * samples[s]! + BT601.g * samples[s + 1]! + BT601.b * samples[s + 2]!;
      }
    } else {
      for (let i = 0, s = 0; i < pixels; i++, s += stride) grey[i] = samples[s]!;
    }
    return { width: out.width, height: out.height, bitDepth: info.bitDepth, data: grey };
  } catch (error) {
    throw decodeError(path, error);
  }
}
