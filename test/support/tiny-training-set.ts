import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { SeededRandom } from '../../src/cores/seeded-random.js';
import { writeDatasetFile } from '../../src/formats/dataset-file.js';
import type { Dataset, Point } from '../../src/formats/dataset.js';

export interface TinyTrainingSet {
  readonly datasetPath: string;
  readonly dataset: Dataset;
  /** Centres of unannotated dark bars ("ordinary chromosomes"), per image id. */
  readonly distractors: ReadonlyMap<string, readonly Point[]>;
}

/**
 * An easy detection task with exact ground truth: grey 8-bit images on a light
 * noisy background with dark bars (ordinary chromosomes, not annotated), a
 * bright round spot at each "dicentric" point and a darker disc at each
 * "fragment" point. Every third image is validation.
 */
export async function makeTinyTrainingSet(
  folder: string,
  options: { count?: number; size?: number; seed?: number } = {},
): Promise<TinyTrainingSet> {
  const { count = 9, size = 64, seed = 5 } = options;
  const random = new SeededRandom(seed);
  await mkdir(join(folder, 'images'), { recursive: true });
  const images: Dataset['images'] = [];
  const distractors = new Map<string, Point[]>();
  for (let index = 0; index < count; index++) {
    const pixels = new Float64Array(size * size);
    for (let i = 0; i < pixels.length; i++) pixels[i] = 190 + random.normal(0, 5);
    const stamp = (cx: number, cy: number, amplitude: number, sx: number, sy: number) => {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const dx = (x + 0.5 - cx) / sx;
          const dy = (y + 0.5 - cy) / sy;
          pixels[y * size + x]! += amplitude * Math.exp(-0.5 * (dx * dx + dy * dy));
        }
      }
    };
    const place = (): Point => [random.between(8, size - 8), random.between(8, size - 8)];
    const bars: Point[] = [place(), place(), place()];
    for (const [x, y] of bars) stamp(x, y, -70, 5, 1.6);
    const dicentric: Point[] = [place()];
    const fragment: Point[] = [place()];
    for (const [x, y] of dicentric) stamp(x, y, 60, 2.5, 2.5);
    for (const [x, y] of fragment) stamp(x, y, -180, 2, 2);
    const bytes = Uint8Array.from(pixels, (v) => Math.max(0, Math.min(255, Math.round(v))));
    const id = `cell-${index}`;
    const path = `images/${id}.png`;
    await sharp(bytes, { raw: { width: size, height: size, channels: 1 } })
      .png()
      .toFile(join(folder, path));
    const round = (points: Point[]) =>
      points.map(([x, y]) => [+x.toFixed(2), +y.toFixed(2)] as Point);
    images.push({
      id,
      path,
      width: size,
      height: size,
      split: index % 3 === 2 ? 'val' : 'train',
      points: { dicentric: round(dicentric), fragment: round(fragment) },
    });
    distractors.set(id, bars);
  }
  const dataset: Dataset = { version: '1.0', classes: ['dicentric', 'fragment'], images };
  const datasetPath = join(folder, 'dataset.json');
  await writeDatasetFile(datasetPath, dataset);
  return { datasetPath, dataset, distractors };
}
