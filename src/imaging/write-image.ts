import sharp from 'sharp';

/** Limits libvips to `threads` threads in this thread (worker pools already fill the cores). */
export function limitImageThreads(threads: number): void {
  sharp.concurrency(threads);
}

/** Encodes 8-bit pixels (1 channel grey or 3 channel RGB, row-major) as PNG or JPEG bytes. */
export async function encodeImage(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  format: 'png' | 'jpeg',
  jpegQuality = 90,
): Promise<Buffer> {
  // without an explicit colourspace libvips writes one-channel input as RGB
  const image = sharp(pixels, { raw: { width, height, channels } }).toColourspace(
    channels === 1 ? 'b-w' : 'srgb',
  );
  return format === 'png'
    ? image.png({ compressionLevel: 6 }).toBuffer()
    : image.jpeg({ quality: jpegQuality, mozjpeg: false }).toBuffer();
}
