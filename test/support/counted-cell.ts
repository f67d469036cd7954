import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

const none = (n: number) => Array.from({ length: n }, (): [number, number] => [0, 0]);

/** The tests' calibration set: 8 cells at each of 0–4 Gy, each as [dicentrics, fragments]. */
export const COUNTED_CALIBRATION: Readonly<Record<number, readonly [number, number][]>> = {
  0: [[0, 1], ...none(7)],
  1: [[1, 1], [1, 0], ...none(6)],
  2: [[1, 1], [1, 2], [0, 1], [1, 0], ...none(4)],
  3: [[2, 1], [1, 1], [1, 1], [1, 0], [0, 1], ...none(3)],
  4: [[2, 2], [2, 1], [1, 1], [2, 1], [1, 1], ...none(3)],
};

/**
 * Writes COUNTED_CALIBRATION's cells (`d{dose}-c{i}.png`, sample `dose-{dose}`) into `dir`
 * with their dataset `dir/calibration.json`; returns its path and the image ids in order.
 */
export async function writeCountedCalibration(
  dir: string,
): Promise<{ file: string; ids: string[] }> {
  const images: Record<string, unknown>[] = [];
  for (const [dose, cells] of Object.entries(COUNTED_CALIBRATION)) {
    for (const [i, [dicentrics, fragments]] of cells.entries()) {
      const id = `d${dose}-c${i}`;
      await writeCountedCell(join(dir, `${id}.png`), dicentrics, fragments);
      images.push({
        id,
        path: `${id}.png`,
        width: CELL_SIZE,
        height: CELL_SIZE,
        split: 'none',
        sampleId: `dose-${dose}`,
        doseGy: Number(dose),
      });
    }
  }
  const file = join(dir, 'calibration.json');
  await writeFile(
    file,
    JSON.stringify({ version: '1.0', classes: ['dicentric', 'fragment'], images }),
  );
  return { file, ids: images.map((image) => String(image.id)) };
}
