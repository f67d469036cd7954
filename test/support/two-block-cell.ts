import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTempDir } from './paths.js';

/**
 * A dataset of one 24×20 test image, `cell`: a grey-200 block (a = 200/255 after min–max)
 * at x 8..11, y 4..7 and a white block (a = 1) at x 0..3, y 12..15 on black. Ground truth:
 * dicentrics at (10, 6) — on the grey block — and (20, 18) — on background; a fragment at
 * (20, 2) on background. Returns the folder holding `dataset.json` and `cell.png`; the tests
 * derive what the tiny bundle's members see from its formula.
 */
export async function makeTwoBlockCell(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  const pixels = new Uint8Array(24 * 20);
  for (let y = 4; y < 8; y++) for (let x = 8; x < 12; x++) pixels[y * 24 + x] = 200;
  for (let y = 12; y < 16; y++) for (let x = 0; x < 4; x++) pixels[y * 24 + x] = 255;
  await sharp(pixels, { raw: { width: 24, height: 20, channels: 1 } })
    .png()
    .toFile(join(dir, 'cell.png'));
  const points = {
    dicentric: [
      [10, 6],
      [20, 18],
    ],
    fragment: [[20, 2]],
  };
  const image = { id: 'cell', path: 'cell.png', width: 24, height: 20, split: 'test', points };
  const dataset = { version: '1.0', classes: ['dicentric', 'fragment'], images: [image] };
  await writeFile(join(dir, 'dataset.json'), JSON.stringify(dataset));
  return dir;
}
