import {
  binFactor,
  binned,
  estimateChromosomeWidth,
  median,
  MIN_AREA,
  MIN_THRESHOLD,
  ribbonWidth,
} from './chromosome-width.js';
import { connectedComponents, type Component } from './connected-components.js';
import { convexHull, insideHull } from './convex-hull.js';
import { otsuThreshold } from './otsu-threshold.js';
import { squareDilation, squareOpening } from './square-opening.js';
import { stainDarkness } from './stain-darkness.js';

/** What the classical segmentation measures on one frame (docs/qc.md). */
export interface MetaphaseMeasures {
  /** Estimated chromosomes, in centromere-equivalents (a dicentric counts as two). */
  readonly chromosomes: number;
  /** Dark objects taken for chromosomes or clusters of them. */
  readonly objects: number;
  /** Median object area (px): the single-chromosome unit of the estimate. */
  readonly medianObjectAreaPx: number;
  /** Median chromosome width (px), from area and perimeter. */
  readonly chromosomeWidthPx: number;
  /** Share of the estimate in clusters of three chromosome-equivalents or more. */
  readonly clusteredFraction: number;
  /** Objects cut by the frame edge. */
  readonly borderObjects: number;
  /** Area of the spread's convex hull over the frame's. */
  readonly spreadCoverage: number;
  /** Stained area of the objects over their convex hull's. */
  readonly spreadFill: number;
  /** Large, round, solid dark blobs (interphase nuclei). */
  readonly nuclei: number;
  /** Nuclei whose centre lies within the spread's hull. */
  readonly nucleiOverSpread: number;
  /** Variance of the Laplacian of the stain darkness (×10⁴): sharpness. */
  readonly focus: number;
  /** 99.5th percentile of stain darkness minus its median: stain contrast. */
  readonly contrast: number;
  /** Dicentrics (from detections) that turned a one-chromosome object into two. */
  readonly dicentricsAdded: number;
}

export interface Segmentation {
  readonly debrisShare: number;
  readonly singleUpTo: number;
  readonly clusterUnit: number;
  readonly nucleusSideWidths: number;
  readonly nucleusFill: number;
  readonly minThreshold: number;
  /** Objects farther from the spread's centre than this many median distances are strays. */
  readonly strayDistance: number;
}

/** The segmentation's constants, calibrated on synthetic frames (docs/qc.md). */
export const SEGMENTATION: Segmentation = {
  /** Objects below this share of the median area are debris. */
  debrisShare: 0.25,
  /** An object up to this many median areas is one chromosome… */
  singleUpTo: 2.2,
  /** …a larger one a cluster of round(area / (clusterUnit × median)) chromosomes. */
  clusterUnit: 1.3,
  /** Opening square side in chromosome widths: what survives it is a nucleus candidate. */
  nucleusSideWidths: 3,
  /** A nucleus fills this share of its moment ellipse at least. */
  nucleusFill: 0.7,
  /** The threshold never falls below this darkness (a blank frame has no objects). */
  minThreshold: MIN_THRESHOLD,
  strayDistance: 2.5,
};

/** The q-quantile of values in [0, 1], to 1/1024. */
function percentile(values: Float32Array, q: number): number {
  const bins = 1024;
  const histogram = new Float64Array(bins);
  for (const value of values) histogram[Math.min(bins - 1, Math.floor(value * bins))]!++;
  let seen = 0;
  for (let b = 0; b < bins; b++) {
    seen += histogram[b]!;
    if (seen > q * values.length) return (b + 0.5) / bins;
  }
  return 1;
}

function laplacianVariance(values: Float32Array, width: number, height: number): number {
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l =
        values[i - 1]! + values[i + 1]! + values[i - width]! + values[i + width]! - 4 * values[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  return n > 0 ? (sum2 / n - (sum / n) ** 2) * 1e4 : 0;
}

/** Nuclei: what a square three chromosomes wide still fits in, when it is round and solid. */
function findNuclei(
  mask: Uint8Array,
  width: number,
  height: number,
  chromosomeWidth: number,
  SEG: Segmentation,
): { region: Uint8Array; nuclei: Component[] } {
  const side = Math.max(5, Math.round(SEG.nucleusSideWidths * chromosomeWidth));
  const opened = squareOpening(mask, width, height, side);
  const { labels, components } = connectedComponents(opened, width, height);
  const nuclei = components.filter(
    (c) =>
      c.area >= 1.5 * side * side &&
      c.area / (Math.PI * c.axes[0] * Math.max(c.axes[1], 1e-6)) >= SEG.nucleusFill,
  );
  const keep = new Uint8Array(components.length + 1);
  for (const nucleus of nuclei) keep[nucleus.label] = 1;
  const region = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) region[i] = keep[labels[i]!]!;
  // the blurred rim the opening leaves behind
  return { region: squareDilation(region, width, height, 5), nuclei };
}

/**
 * Measures a metaphase frame: threshold the stain darkness (Otsu, never below
 * a floor), take the round solid blobs out as nuclei, and read the rest as
 * chromosomes, one per object of single size and area/median for a cluster.
 * `dicentrics` (points from the detector) lift an object read as one to two.
 */
export function measureMetaphase(
  fullGrey: Float32Array,
  fullWidth: number,
  fullHeight: number,
  dicentrics: readonly (readonly [number, number])[] = [],
  segmentation: Segmentation = SEGMENTATION,
): MetaphaseMeasures {
  const SEG = segmentation;
  // a frame without objects has no width and is measured unbinned (it finds nothing anyway)
  const bin = binFactor(estimateChromosomeWidth(fullGrey, fullWidth, fullHeight) ?? 0);
  const { data: grey, width, height } = binned(fullGrey, fullWidth, fullHeight, bin);
  const darkness = stainDarkness(grey, width, height);
  const threshold = Math.max(SEG.minThreshold, otsuThreshold(darkness));
  const mask = new Uint8Array(darkness.length);
  for (let i = 0; i < mask.length; i++) mask[i] = darkness[i]! >= threshold ? 1 : 0;

  const first = connectedComponents(mask, width, height).components;
  const firstMedian = median(first.filter((c) => c.area >= MIN_AREA).map((c) => c.area));
  const width0 = ribbonWidth(first, firstMedian);
  const { region, nuclei } = findNuclei(mask, width, height, width0, SEG);
  for (let i = 0; i < mask.length; i++) if (region[i]) mask[i] = 0;

  const { labels, components } = connectedComponents(mask, width, height);
  const sized = components.filter((c) => c.area >= MIN_AREA);
  const floor = SEG.debrisShare * median(sized.map((c) => c.area));
  const objects = sized.filter((c) => c.area >= floor);
  const unit = median(objects.map((c) => c.area));
  const equivalents = new Map<number, number>();
  for (const c of objects) {
    equivalents.set(
      c.label,
      c.area <= SEG.singleUpTo * unit
        ? 1
        : Math.max(2, Math.round(c.area / (SEG.clusterUnit * unit))),
    );
  }
  let dicentricsAdded = 0;
  const lifted = new Set<number>();
  for (const [x, y] of dicentrics) {
    const label = labels[Math.floor(y / bin) * width + Math.floor(x / bin)] ?? 0;
    if (equivalents.get(label) === 1 && !lifted.has(label)) {
      equivalents.set(label, 2);
      lifted.add(label);
      dicentricsAdded++;
    }
  }
  const chromosomes = [...equivalents.values()].reduce((a, b) => a + b, 0);
  const clustered = [...equivalents.values()].filter((n) => n >= 3).reduce((a, b) => a + b, 0);
  const cx = median(objects.map((c) => c.centroid[0]));
  const cy = median(objects.map((c) => c.centroid[1]));
  const distance = (c: Component) => Math.hypot(c.centroid[0] - cx, c.centroid[1] - cy);
  const reach = SEG.strayDistance * median(objects.map(distance));
  const spread = objects.filter((c) => distance(c) <= reach);
  const { hull, area: hullArea } = convexHull(
    spread.flatMap((c) => [
      [c.bbox[0], c.bbox[1]] as const,
      [c.bbox[2] + 1, c.bbox[1]] as const,
      [c.bbox[0], c.bbox[3] + 1] as const,
      [c.bbox[2] + 1, c.bbox[3] + 1] as const,
    ]),
  );
  const stained = spread.reduce((sum, c) => sum + c.area, 0);
  return {
    chromosomes,
    objects: objects.length,
    medianObjectAreaPx: unit * bin * bin,
    chromosomeWidthPx: ribbonWidth(objects, unit) * bin,
    clusteredFraction: chromosomes > 0 ? clustered / chromosomes : 0,
    borderObjects: objects.filter((c) => c.touchesBorder).length,
    spreadCoverage: hullArea / (width * height),
    spreadFill: hullArea > 0 ? stained / hullArea : 0,
    nuclei: nuclei.length,
    nucleiOverSpread: nuclei.filter((n) => insideHull(hull, n.centroid[0], n.centroid[1])).length,
    focus: laplacianVariance(darkness, width, height),
    contrast: percentile(darkness, 0.995) - percentile(darkness, 0.5),
    dicentricsAdded,
  };
}
