import sharp from 'sharp';

/**
 * Passes 8-bit pixels through JPEG compression and back, so an image carries
 * the block and ringing artefacts of a JPEG-saving capture system while still
 * being stored losslessly.
 */
export async function jpegRoundTrip(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  quality: number,
): Promise<Uint8Array> {
  const jpeg = await sharp(pixels, { raw: { width, height, channels } })
    .jpeg({ quality, mozjpeg: false, chromaSubsampling: '4:2:0' })
    .toBuffer();
  const { data } = await sharp(jpeg)
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
