/**
 * Otsu's threshold of values in [0, 1] (256 bins): the cut that maximises the
 * between-class variance of the two classes it makes.
 */
export function otsuThreshold(values: Float32Array): number {
  const bins = 256;
  const histogram = new Float64Array(bins);
  for (const value of values) histogram[Math.min(bins - 1, Math.floor(value * bins))]!++;
  const total = values.length;
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * histogram[b]!;
  let below = 0;
  let sumBelow = 0;
  let best = 0;
  let bestBin = 0;
  for (let b = 0; b < bins; b++) {
    below += histogram[b]!;
    if (below === 0) continue;
    const above = total - below;
    if (above === 0) break;
    sumBelow += b * histogram[b]!;
    const meanBelow = sumBelow / below;
    const meanAbove = (sumAll - sumBelow) / above;
    const between = below * above * (meanBelow - meanAbove) ** 2;
    if (between > best) {
      best = between;
      bestBin = b;
    }
  }
  return (bestBin + 1) / bins;
}
