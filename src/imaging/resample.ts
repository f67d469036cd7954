import type { GreyImage } from './grey-image.js';

/**
 * Where output sample `i` of an axis resized by `factor` falls on the input
 * axis: pixel centres map onto pixel centres, (i + 0.5) / factor − 0.5.
 */
export function sourcePosition(i: number, factor: number): number {
  return (i + 0.5) / factor - 0.5;
}

/**
 * Bilinear sample of a `width × height` plane at (x, y), the position clamped
 * to the plane (edges repeat).
 */
function bilinear(
  plane: Float32Array,
  width: number,
  height: number,
  x: number,
  y: number,
): number {
  const cx = Math.min(Math.max(x, 0), width - 1);
  const cy = Math.min(Math.max(y, 0), height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, height - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const top = plane[y0 * width + x0]! * (1 - fx) + plane[y0 * width + x1]! * fx;
  const bottom = plane[y1 * width + x0]! * (1 - fx) + plane[y1 * width + x1]! * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * A grey image resized by `factor` (bilinear). Shrinking by more than 2× would
 * alias; the callers keep factors within [0.5, 2].
 */
export function resizeGrey(image: GreyImage, factor: number): GreyImage {
  const width = Math.max(1, Math.round(image.width * factor));
  const height = Math.max(1, Math.round(image.height * factor));
  const fx = width / image.width;
  const fy = height / image.height;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = sourcePosition(y, fy);
    for (let x = 0; x < width; x++) {
      data[y * width + x] = bilinear(
        image.data,
        image.width,
        image.height,
        sourcePosition(x, fx),
        sy,
      );
    }
  }
  return { width, height, bitDepth: image.bitDepth, data };
}

/**
 * Resamples `channels` planes laid out channel-major on a `from` grid onto a
 * `to` grid, output cell (u, v) reading the input at `at(u, v)` (bilinear,
 * clamped to the input's `valid` part).
 */
export function resamplePlanes(
  data: Float32Array,
  channels: number,
  from: { width: number; height: number },
  valid: { width: number; height: number },
  to: { width: number; height: number },
  at: { x: (u: number) => number; y: (v: number) => number },
): Float32Array {
  const out = new Float32Array(channels * to.width * to.height);
  const plane = new Float32Array(valid.width * valid.height);
  const xs = Float64Array.from({ length: to.width }, (_, u) => at.x(u));
  for (let c = 0; c < channels; c++) {
    const base = c * from.width * from.height;
    for (let y = 0; y < valid.height; y++) {
      plane.set(
        data.subarray(base + y * from.width, base + y * from.width + valid.width),
        y * valid.width,
      );
    }
    const target = c * to.width * to.height;
    for (let v = 0; v < to.height; v++) {
      const y = at.y(v);
      for (let u = 0; u < to.width; u++) {
        out[target + v * to.width + u] = bilinear(plane, valid.width, valid.height, xs[u]!, y);
      }
    }
  }
  return out;
}
