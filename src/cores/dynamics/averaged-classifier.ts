/**
 * Eq. 8 of the paper: the averaged classifier p̄(u, v) = (1/Ne)·Σ_e p_e(u, v),
 * over per-epoch probability grids of equal shape (cells × classes).
 */
export function averageProbabilities(perEpoch: readonly Float64Array[]): Float64Array {
  if (perEpoch.length === 0) throw new RangeError('averaging needs at least one epoch');
  const length = perEpoch[0]!.length;
  const mean = new Float64Array(length);
  for (const grid of perEpoch) {
    if (grid.length !== length) throw new RangeError('probability grids differ in shape');
    for (let i = 0; i < length; i++) mean[i] = mean[i]! + grid[i]!;
  }
  for (let i = 0; i < length; i++) mean[i]! /= perEpoch.length;
  return mean;
}

/**
 * Eq. 9: the entropy H(p̄) = −Σ_r p̄_r·log p̄_r per cell, in nats (0·log 0 = 0;
 * at most log(classes), reached by the uniform distribution).
 */
export function entropyPerCell(probabilities: Float64Array, classCount: number): Float64Array {
  const cells = probabilities.length / classCount;
  if (!Number.isInteger(cells)) throw new RangeError('probabilities are not cells × classes');
  const entropy = new Float64Array(cells);
  for (let i = 0; i < cells; i++) {
    let h = 0;
    for (let r = 0; r < classCount; r++) {
      const p = probabilities[i * classCount + r]!;
      if (p > 0) h -= p * Math.log(p);
    }
    entropy[i] = h;
  }
  return entropy;
}
