import { DicentraError } from '../formats/dicentra-error.js';

/**
 * The most pixels an image may have to be decoded: 8192 × 8192, the largest
 * frame `dicentra synth` draws. Decoding and the heatmaps of a detection take
 * tens of bytes per pixel, so a small file of a huge frame (a solid PNG
 * compresses to almost nothing) would otherwise exhaust the memory.
 */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

/** The limit in force: DICENTRA_MAX_PIXELS (a positive whole number) or the default. */
export function maxImagePixels(): number {
  const text = process.env.DICENTRA_MAX_PIXELS;
  if (text === undefined || text.trim() === '') return DEFAULT_MAX_PIXELS;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `the environment variable DICENTRA_MAX_PIXELS must be a positive whole number of pixels, got "${text}"`,
      {
        field: 'DICENTRA_MAX_PIXELS',
        hint: `e.g. DICENTRA_MAX_PIXELS=${DEFAULT_MAX_PIXELS}, or unset it for that default`,
      },
    );
  }
  return value;
}

const grouped = (n: number): string => n.toLocaleString('en-US');

/** Throws DCN_E_IMAGE_TOO_LARGE when a width × height read from a header exceeds the limit. */
export function checkPixelLimit(path: string, width: number, height: number): void {
  const limit = maxImagePixels();
  if (width * height <= limit) return;
  throw new DicentraError(
    'DCN_E_IMAGE_TOO_LARGE',
    `image ${path} is ${width}×${height} = ${grouped(width * height)} pixels, above the limit of ${grouped(limit)} (DICENTRA_MAX_PIXELS)`,
    {
      file: path,
      hint: 'crop or tile the image, or raise DICENTRA_MAX_PIXELS if the machine has the memory (detection needs about 60 bytes per pixel)',
    },
  );
}
