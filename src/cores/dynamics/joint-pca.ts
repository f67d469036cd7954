import { Matrix } from 'ml-matrix';
import { PCA } from 'ml-pca';

/** The principal axes of all epochs' aligned feature sets together (the paper's PCA over 𝓕). */
export interface JointPca {
  readonly means: Float64Array;
  /** The first two principal axes, each of length dims, sign fixed (see below). */
  readonly axes: readonly [Float64Array, Float64Array];
  /** Share of the total variance per component, largest first (up to 20 components). */
  readonly explainedVariance: readonly number[];
}

const KEPT_VARIANCE_RATIOS = 20;

/**
 * PCA over the concatenation of every epoch's rows (centred, unscaled). The
 * mean and the sample covariance are accumulated here in one pass over the
 * typed arrays, without copying 𝓕 into one matrix (100,000 × 128 at the
 * benchmark size); ml-pca then eigen-decomposes the covariance. An
 * eigenvector's sign is arbitrary: each axis is flipped so that its
 * largest-magnitude entry is positive, so figures do not depend on the solver.
 */
export function fitJointPca(sets: readonly Float64Array[], rows: number, dims: number): JointPca {
  if (dims < 2) throw new RangeError(`PCA to two dimensions needs ≥ 2 feature dims, got ${dims}`);
  const total = rows * sets.length;
  if (total < 2) throw new RangeError('PCA needs at least two rows');
  const means = new Float64Array(dims);
  for (const set of sets) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < dims; c++) means[c] = means[c]! + set[r * dims + c]!;
    }
  }
  for (let c = 0; c < dims; c++) means[c] = means[c]! / total;
  // upper triangle of Σ (x − μ)(x − μ)ᵀ
  const scatter = new Float64Array(dims * dims);
  const centred = new Float64Array(dims);
  for (const set of sets) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < dims; c++) centred[c] = set[r * dims + c]! - means[c]!;
      for (let i = 0; i < dims; i++) {
        const ci = centred[i]!;
        const row = i * dims;
        for (let j = i; j < dims; j++) scatter[row + j] = scatter[row + j]! + ci * centred[j]!;
      }
    }
  }
  const covariance = new Matrix(dims, dims);
  for (let i = 0; i < dims; i++) {
    for (let j = i; j < dims; j++) {
      const value = scatter[i * dims + j]! / (total - 1);
      covariance.set(i, j, value);
      covariance.set(j, i, value);
    }
  }
  const pca = new PCA(covariance, { isCovarianceMatrix: true });
  const loadings = pca.getLoadings();
  const axis = (index: number): Float64Array => {
    const values = Float64Array.from(loadings.getRow(index));
    let largest = 0;
    for (const value of values) if (Math.abs(value) > Math.abs(largest)) largest = value;
    return largest < 0 ? values.map((value) => -value) : values;
  };
  return {
    means,
    axes: [axis(0), axis(1)],
    explainedVariance: pca.getExplainedVariance().slice(0, KEPT_VARIANCE_RATIOS),
  };
}

/** Projects rows × dims values onto the two axes: rows × 2 coordinates, row-major. */
export function projectOnAxes(
  pca: JointPca,
  data: Float64Array,
  rows: number,
  dims: number,
): Float64Array {
  const out = new Float64Array(rows * 2);
  const [first, second] = pca.axes;
  for (let r = 0; r < rows; r++) {
    let a = 0;
    let b = 0;
    for (let c = 0; c < dims; c++) {
      const centred = data[r * dims + c]! - pca.means[c]!;
      a += centred * first[c]!;
      b += centred * second[c]!;
    }
    out[2 * r] = a;
    out[2 * r + 1] = b;
  }
  return out;
}
