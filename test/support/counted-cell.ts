import sharp from 'sharp';

/** Side of a counted cell image, in pixels. */
export const CELL_SIZE = 32;
/** Grid blocks (4-pixel units) that may hold an object: a block's gap between objects. */
const SLOTS: [number, number][] = [1, 3, 5, 7].flatMap((gy) =>
  [1, 3, 5, 7].map((gx): [number, number] => [gx, gy]),
);

/**
 * Writes a 32×32 grey PNG whose counts the tiny fixture bundle finds by construction:
 * grey 128 background, a bright (255) 4×4 block per dicentric and a dark (0) block per
 * fragment on the 4-pixel grid. The block at grid (0, 0) holds the 0 and 255 that pin the
 * min–max normalisation, with the background's mean: 0 + 255 + 129 + 13 × 128 = 16 × 128.
 */
export async function writeCountedCell(
  file: string,
  dicentrics: number,
  fragments: number,
): Promise<void> {
  const pixels = Buffer.alloc(CELL_SIZE * CELL_SIZE, 128);
  pixels[0] = 0;
  pixels[1] = 255;
  pixels[2] = 129;
  const fill = (slot: number, value: number) => {
    const [gx, gy] = SLOTS[slot]!;
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) pixels[(gy * 4 + y) * CELL_SIZE + gx * 4 + x] = value;
    }
  };
  for (let i = 0; i < dicentrics; i++) fill(i, 255);
  for (let i = 0; i < fragments; i++) fill(dicentrics + i, 0);
  await sharp(pixels, { raw: { width: CELL_SIZE, height: CELL_SIZE, channels: 1 } })
    .png()
    .toFile(file);
}
