import type { GreyImage } from '../src/imaging/grey-image.js';

/** A rectangle of an image in pixels: [x0, x1) × [y0, y1). */
export interface PixelRegion {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Side of the blocks the frame is judged in (pixels): far below a chromosome's length. */
const BLOCK = 8;
/**
 * A block is stained when its mean lies this share of the way from the
 * background level down to the darkest stain (measured on the medium
 * benchmark: chromosome blocks sit at 0.5–1 of the way, background blocks
 * within 0.1 of zero even at the heaviest noise and illumination gradient).
 */
const STAINED_SHARE = 0.2;
/**
 * Stained blocks closer than this (blocks) belong to one group: chromosomes
 * of one spread lie within a chromosome's length of each other.
 */
const JOIN_BLOCKS = 6;
/** Groups of fewer stained blocks than this are debris or dust, never a chromosome. */
const MIN_GROUP_BLOCKS = 6;

/** Mean of each BLOCK × BLOCK block (edge blocks average what they hold). */
function blockMeans(image: GreyImage): { means: Float32Array; columns: number; rows: number } {
  const columns = Math.ceil(image.width / BLOCK);
  const rows = Math.ceil(image.height / BLOCK);
  const sums = new Float64Array(columns * rows);
  const counts = new Uint32Array(columns * rows);
  for (let y = 0; y < image.height; y++) {
    const row = Math.floor(y / BLOCK) * columns;
    for (let x = 0; x < image.width; x++) {
      const k = row + Math.floor(x / BLOCK);
      sums[k]! += image.data[y * image.width + x]!;
      counts[k]!++;
    }
  }
  const means = new Float32Array(columns * rows);
  for (let k = 0; k < means.length; k++) means[k] = sums[k]! / counts[k]!;
  return { means, columns, rows };
}

function quantile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Where the metaphase lies: the bounding box of every group of stained blocks
 * large enough to hold a chromosome (stain darker than the background, as
 * Giemsa is), grown by `margin` pixels and clipped to the frame. Nuclei and
 * clumps are kept with the chromosomes, isolated specks are not: the box is
 * meant to lose no chromosome, not to be tight. A frame with no stained group
 * (blank, or stain as light as the background) returns the whole frame.
 */
export function findSpreadRegion(image: GreyImage, margin: number): PixelRegion {
  const whole = { x0: 0, y0: 0, x1: image.width, y1: image.height };
  const { means, columns, rows } = blockMeans(image);
  const sorted = Float32Array.from(means).sort();
  // most of a frame is background; the darkest blocks are stain
  const background = quantile(sorted, 0.75);
  const darkest = quantile(sorted, 0.002);
  if (!(background > darkest)) return whole;
  const threshold = background - STAINED_SHARE * (background - darkest);
  const stained = means.map((value) => (value < threshold ? 1 : 0));

  // group stained blocks lying within JOIN_BLOCKS of each other (flood fill over a square neighbourhood)
  const group = new Int32Array(stained.length).fill(-1);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const stack: number[] = [];
  for (let start = 0; start < stained.length; start++) {
    if (!stained[start] || group[start]! >= 0) continue;
    group[start] = start;
    stack.push(start);
    const members: number[] = [];
    while (stack.length > 0) {
      const k = stack.pop()!;
      members.push(k);
      const cx = k % columns;
      const cy = (k - cx) / columns;
      for (let y = Math.max(0, cy - JOIN_BLOCKS); y <= Math.min(rows - 1, cy + JOIN_BLOCKS); y++) {
        for (
          let x = Math.max(0, cx - JOIN_BLOCKS);
          x <= Math.min(columns - 1, cx + JOIN_BLOCKS);
          x++
        ) {
          const n = y * columns + x;
          if (stained[n] && group[n]! < 0) {
            group[n] = start;
            stack.push(n);
          }
        }
      }
    }
    if (members.length < MIN_GROUP_BLOCKS) continue;
    for (const k of members) {
      const x = k % columns;
      const y = (k - x) / columns;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
    }
  }
  if (x0 === Infinity) return whole;
  return {
    x0: Math.max(0, x0 * BLOCK - margin),
    y0: Math.max(0, y0 * BLOCK - margin),
    x1: Math.min(image.width, x1 * BLOCK + margin),
    y1: Math.min(image.height, y1 * BLOCK + margin),
  };
}
