import { estimateChromosomeWidth } from '../../cores/qc/chromosome-width.js';
import type { InputRule } from '../../formats/bundle.js';
import type { GreyImage } from '../../imaging/grey-image.js';
import { paddedSize } from '../../imaging/model-input.js';
import { resamplePlanes, resizeGrey, sourcePosition } from '../../imaging/resample.js';

/**
 * Frames are resized only when their chromosomes are this much wider or
 * narrower than the bundle's: the width estimate itself spreads by about
 * ±12% (q10–q90) over frames drawn at one scale (docs/evaluation.md).
 */
export const DEAD_BAND = 0.15;
/** Names the rule above in heatmap-cache keys, so a changed rule never reuses old heatmaps. */
export const SCALE_RULE =
  'ribbon-width 2 (binned to 300–600 px), measured twice, dead band 0.15, factors 0.5–2; factor cached';

/** Factors are kept within these: beyond them bilinear resizing aliases or blurs too much. */
export const FACTOR_LIMITS = [0.5, 2] as const;

/**
 * The factor that brings a frame's chromosomes to the width the bundle was
 * trained at (`input.chromosomeWidthPx`), both measured by the same estimator
 * (src/cores/qc/chromosome-width.ts); 1 when the bundle records no width, the
 * frame holds no stained object, or the widths agree within DEAD_BAND. A frame
 * outside the band is measured a second time after resizing (below).
 */
export function scaleFactor(image: GreyImage, rule: InputRule): number {
  const target = rule.chromosomeWidthPx;
  if (target === undefined) return 1;
  const width = estimateChromosomeWidth(image.data, image.width, image.height);
  if (width === null) return 1;
  const first = clampFactor(target / width);
  if (Math.abs(Math.log(first)) < Math.log(1 + DEAD_BAND)) return 1;
  // The estimate is not proportional to the width (thin ribbons read relatively wider), so
  // a frame far from the target is measured again once resized: at scale 0.76 this moves
  // the factor from 1.20 to 1.25 of the true 1.32 (median over 30 frames).
  const resized = resizeGrey(image, first);
  const again = estimateChromosomeWidth(resized.data, resized.width, resized.height);
  return again === null ? first : clampFactor((first * target) / again);
}

const clampFactor = (factor: number): number =>
  Math.min(FACTOR_LIMITS[1], Math.max(FACTOR_LIMITS[0], factor));

/**
 * A network output computed on the resized frame, brought back onto the
 * original frame's output grid: each cell reads the resized output (bilinear)
 * where its centre falls. `stride` is the output's stride in input pixels.
 */
export function toOriginalGrid(
  output: Float32Array,
  stride: number,
  padMultiple: number,
  original: { width: number; height: number },
  resized: { width: number; height: number },
): Float32Array {
  const from = {
    width: paddedSize(resized.width, padMultiple) / stride,
    height: paddedSize(resized.height, padMultiple) / stride,
  };
  const to = {
    width: paddedSize(original.width, padMultiple) / stride,
    height: paddedSize(original.height, padMultiple) / stride,
  };
  const valid = {
    width: Math.ceil(resized.width / stride),
    height: Math.ceil(resized.height / stride),
  };
  const channels = output.length / (from.width * from.height);
  const fx = resized.width / original.width;
  const fy = resized.height / original.height;
  // output cell i covers input pixels [i·stride, (i + 1)·stride): its centre, in the other frame's cells
  const centre = (i: number) => i * stride + (stride - 1) / 2;
  const cell = (pixel: number) => (pixel - (stride - 1) / 2) / stride;
  return resamplePlanes(output, channels, from, valid, to, {
    x: (u) => cell(sourcePosition(centre(u), 1 / fx)),
    y: (v) => cell(sourcePosition(centre(v), 1 / fy)),
  });
}
