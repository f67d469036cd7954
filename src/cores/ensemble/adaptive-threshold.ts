import { quantile } from '../metrics/quantile.js';

/**
 * Model-adaptive confidence thresholds (the paper's Fig. 9 and §Dose): each
 * member's T_C is the q-quantile of its per-image maximum heatmap value over
 * reference images, so an over-confident checkpoint gets a higher bar.
 * `perImageMaxima[j]` lists member j's maxima, one per reference image.
 */
export function adaptiveThresholds(
  perImageMaxima: readonly (readonly number[])[],
  q: number,
): number[] {
  return perImageMaxima.map((maxima, j) => {
    if (maxima.length === 0) throw new RangeError(`member ${j} has no reference maxima`);
    return quantile(
      [...maxima].sort((a, b) => a - b),
      q,
    );
  });
}
