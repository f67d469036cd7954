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

/** One scored cell (one image): the case it belongs to and its detections per class. */
export interface CellDetections {
  readonly caseId: string;
  readonly imageId: string;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * The count table of the cases: each case's distribution of per-cell counts
 * under `rule`, cases in the order they first appear. The one path from
 * detections to the table a dose is estimated from.
 */
export function caseDistributions(
  cells: readonly CellDetections[],
  rule: CountingRule,
): { id: string; distribution: number[] }[] {
  const byCase = new Map<string, number[]>();
  for (const cell of cells) {
    const list = byCase.get(cell.caseId) ?? [];
    list.push(cellAberrations(cell.counts, rule));
    byCase.set(cell.caseId, list);
  }
  return [...byCase.entries()].map(([id, counts]) => ({
    id,
    distribution: cellDistribution(counts),
  }));
}
