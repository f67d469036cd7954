/** Ranks 1..n with ties sharing their average rank. */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]!.index] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's rank correlation (Pearson on average ranks); null when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new RangeError('spearman needs equal-length samples');
  if (a.length < 2) return null;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (a.length + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (ra[i]! - mean) * (rb[i]! - mean);
    saa += (ra[i]! - mean) ** 2;
    sbb += (rb[i]! - mean) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

export interface VoteAgreement {
  readonly detections: number;
  /** Spearman ρ between a detection's entropy and its vote fraction (negative = they agree). */
  readonly spearman: number | null;
  readonly highEntropy: { readonly count: number; readonly meanVoteFraction: number | null };
  readonly lowEntropy: { readonly count: number; readonly meanVoteFraction: number | null };
}

/**
 * How well the feature-space uncertainty (entropy of the averaged classifier
 * where a detection sits) agrees with the ensemble's own uncertainty (its vote
 * fraction): the rank correlation, and the mean vote fraction of the detections
 * above and below the high-entropy threshold.
 */
export function voteAgreement(
  detections: readonly { readonly entropy: number; readonly voteFraction: number }[],
  highEntropyThreshold: number,
): VoteAgreement {
  const group = (high: boolean) => {
    const members = detections.filter((d) => d.entropy >= highEntropyThreshold === high);
    return {
      count: members.length,
      meanVoteFraction:
        members.length > 0
          ? members.reduce((sum, d) => sum + d.voteFraction, 0) / members.length
          : null,
    };
  };
  return {
    detections: detections.length,
    spearman: spearman(
      detections.map((d) => d.entropy),
      detections.map((d) => d.voteFraction),
    ),
    highEntropy: group(true),
    lowEntropy: group(false),
  };
}
