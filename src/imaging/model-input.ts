import type { InputRule, Normalisation } from '../formats/bundle.js';
import type { GreyImage } from './grey-image.js';

/** An image prepared for a model: normalised to [0, 1] and padded to the bundle's multiple. */
export interface ModelInput {
  /** Row-major `paddedHeight × paddedWidth`. */
  readonly data: Float32Array;
  readonly paddedWidth: number;
  readonly paddedHeight: number;
  /** The original size: everything right of / below it is padding. */
  readonly width: number;
  readonly height: number;
}

export function paddedSize(size: number, multiple: number): number {
  return Math.ceil(size / multiple) * multiple;
}

/**
 * Percentile of `sorted` (ascending) by linear interpolation between closest
 * ranks — numpy's default ("linear", Hyndman–Fan type 7): position p/100·(n−1).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, percent: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of an empty sample');
  const position = (percent / 100) * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const fraction = position - below;
  return sorted[below]! + fraction * (sorted[above]! - sorted[below]!);
}

/** The affine map x ↦ (x − offset) · scale of a normalisation, and whether it clips to [0, 1]. */
function normalisationMap(
  data: Float32Array,
  rule: Normalisation,
): { offset: number; scale: number; clip: boolean } {
  if (rule.kind === 'minmax') {
    let min = Infinity;
    let max = -Infinity;
    for (const value of data) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return { offset: min, scale: max > min ? 1 / (max - min) : 0, clip: false };
  }
  const sorted = Float32Array.from(data).sort();
  const low = percentileOfSorted(sorted, rule.low);
  const high = percentileOfSorted(sorted, rule.high);
  return { offset: low, scale: high > low ? 1 / (high - low) : 0, clip: true };
}

/** Source index for padded index `i` of an axis of length `n` (numpy/torch pad semantics). */
function sourceIndex(i: number, n: number, mode: 'reflect' | 'edge'): number {
  if (i < n) return i;
  if (mode === 'edge' || n === 1) return n - 1;
  // "reflect" mirrors about the last sample without repeating it; repeat the mirror if needed
  const period = 2 * (n - 1);
  const k = i % period;
  return k < n ? k : period - k;
}

/**
 * Normalises a native-scale grey image to [0, 1] and pads it at the bottom and
 * right up to multiples of `padMultiple`, exactly by the bundle's input rule
 * (statistics are taken over the original pixels only; constant padding is
 * written after normalisation).
 */
export function prepareModelInput(image: GreyImage, rule: InputRule): ModelInput {
  const { width, height } = image;
  const paddedWidth = paddedSize(width, rule.padMultiple);
  const paddedHeight = paddedSize(height, rule.padMultiple);
  const { offset, scale, clip } = normalisationMap(image.data, rule.normalisation);
  const data = new Float32Array(paddedWidth * paddedHeight);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = (image.data[y * width + x]! - offset) * scale;
      if (clip) value = value < 0 ? 0 : value > 1 ? 1 : value;
      data[y * paddedWidth + x] = value;
    }
  }
  if (rule.padMode === 'constant') {
    for (let y = 0; y < paddedHeight; y++) {
      for (let x = y < height ? width : 0; x < paddedWidth; x++) {
        data[y * paddedWidth + x] = rule.padValue;
      }
    }
  } else {
    const mode = rule.padMode;
    for (let y = 0; y < paddedHeight; y++) {
      const sy = sourceIndex(y, height, mode);
      for (let x = y < height ? width : 0; x < paddedWidth; x++) {
        data[y * paddedWidth + x] = data[sy * paddedWidth + sourceIndex(x, width, mode)]!;
      }
    }
  }
  return { data, paddedWidth, paddedHeight, width, height };
}
