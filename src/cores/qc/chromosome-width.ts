import { connectedComponents, type Component } from './connected-components.js';
import { otsuThreshold } from './otsu-threshold.js';
import { stainDarkness } from './stain-darkness.js';

/** Specks below this (binned pixels) are noise whatever the frame. */
export const MIN_AREA = 10;
/** The stain threshold never falls below this darkness (a blank frame has no objects). */
export const MIN_THRESHOLD = 0.08;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Chromosome width (binned pixels) QC segments at: the width at which its
 * thresholds were calibrated (1008×888 frames at the generator's scale 1,
 * about 14 px wide, binned 2×2). Binning by the chromosomes' width rather
 * than the frame's size keeps the segmentation the same for the same spread
 * in a smaller frame (unbinned 768×672 frames split sister chromatids into
 * extra objects: 31% of their scorable frames read too many chromosomes).
 */
const QC_BINNED_WIDTH = 7;

/** The bin that brings chromosomes `chromosomeWidth` px wide to about QC_BINNED_WIDTH. */
export function binFactor(chromosomeWidth: number): number {
  return Math.max(1, Math.round(chromosomeWidth / QC_BINNED_WIDTH));
}

/** Averages `bin`×`bin` blocks (a partial last block is dropped). */
export function binned(
  grey: Float32Array,
  width: number,
  height: number,
  bin: number,
): { data: Float32Array; width: number; height: number } {
  if (bin === 1) return { data: grey, width, height };
  const w = Math.floor(width / bin);
  const h = Math.floor(height / bin);
  const data = new Float32Array(w * h);
  for (let y = 0; y < h * bin; y++) {
    const row = Math.floor(y / bin) * w;
    for (let x = 0; x < w * bin; x++) data[row + Math.floor(x / bin)]! += grey[y * width + x]!;
  }
  for (let i = 0; i < data.length; i++) data[i]! /= bin * bin;
  return { data, width: w, height: h };
}

/** Chromosome width as 2·area/perimeter (a ribbon's), over objects of about the median size. */
export function ribbonWidth(components: readonly Component[], medianArea: number): number {
  const typical = components.filter((c) => c.area >= 0.5 * medianArea && c.area <= 2 * medianArea);
  return median(typical.map((c) => (2 * c.area) / Math.max(c.perimeter, 1)));
}

/**
 * The typical chromosome width of a frame in pixels: the stain thresholded as
 * QC does (Otsu on the stain darkness, on frames binned to 300–600 px), and the ribbon width 2·area/perimeter
 * over the objects of about the median size — nuclei, clusters and debris fall
 * outside that band. Null when the frame holds no stained object. A biased but
 * consistent measure: what matters is its ratio between two sets of frames
 * measured the same way.
 */
export function estimateChromosomeWidth(
  grey: Float32Array,
  width: number,
  height: number,
): number | null {
  // binned more than QC does: it runs on every frame before inference (a 768×672 frame in
  // about 30 ms instead of 170), and chromosomes stay several pixels wide
  const bin = Math.max(1, Math.floor(Math.min(width, height) / 300));
  const small = binned(grey, width, height, bin);
  const darkness = stainDarkness(small.data, small.width, small.height);
  const threshold = Math.max(MIN_THRESHOLD, otsuThreshold(darkness));
  const mask = new Uint8Array(darkness.length);
  for (let i = 0; i < mask.length; i++) mask[i] = darkness[i]! >= threshold ? 1 : 0;
  const objects = connectedComponents(mask, small.width, small.height).components.filter(
    (c) => c.area >= MIN_AREA,
  );
  if (objects.length === 0) return null;
  const ribbon = ribbonWidth(objects, median(objects.map((c) => c.area)));
  return ribbon > 0 ? ribbon * bin : null;
}
