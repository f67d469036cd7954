/**
 * A single-channel image in its native intensity scale (0–255 for 8-bit
 * files, 0–65535 for 16-bit): depth is kept until the model's normalisation.
 * Row-major, `data[y * width + x]`.
 */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: 8 | 16;
  readonly data: Float32Array;
}

/** ITU-R BT.601 luma weights: the design's rule for colour → grey. */
export const BT601 = { r: 0.299, g: 0.587, b: 0.114 } as const;
