import sharp from 'sharp';

/** Encodes 8-bit pixels (1 channel grey or 3 channel RGB, row-major) as PNG or JPEG bytes. */
export async function encodeImage(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  format: 'png' | 'jpeg',
  jpegQuality = 90,
): Promise<Buffer> {
  const image = sharp(pixels, { raw: { width, height, channels } });
  return format === 'png'
    ? image.png({ compressionLevel: 6 }).toBuffer()
    : image.jpeg({ quality: jpegQuality, mozjpeg: false }).toBuffer();
}
