/**
 * Per-cell aberration counts from per-image detection counts (one image is
 * one metaphase, i.e. one cell), by the counting rule the calibration and the
 * cases must share.
 */
export interface CountingRule {
  /** The class whose detections are scored (dicentric). */
  readonly aberration: string;
  /**
   * The paper's prior (§2.3): score an image's aberrations only when it also
   * holds at least one detection of this class (an acentric fragment goes
   * with every fresh dicentric); null scores every image as detected.
   */
  readonly requireClass: string | null;
}

/** The count of one cell under `rule`; classes missing from `counts` count 0. */
export function cellAberrations(
  counts: Readonly<Record<string, number>>,
  rule: CountingRule,
): number {
  const scored = counts[rule.aberration] ?? 0;
  if (rule.requireClass === null) return scored;
  return (counts[rule.requireClass] ?? 0) > 0 ? scored : 0;
}

/** Cells with k aberrations, k = 0..max (the C0, C1, … of a count table); [n] for no aberration. */
export function cellDistribution(perCell: readonly number[]): number[] {
  const distribution: number[] = [0];
  for (const k of perCell) {
    if (!(Number.isInteger(k) && k >= 0)) {
      throw new RangeError(`a cell count must be a non-negative integer, got ${k}`);
    }
    while (distribution.length <= k) distribution.push(0);
    distribution[k]!++;
  }
  return distribution;
}
