import { Matrix, SVD } from 'ml-matrix';

/**
 * A similarity transform x ↦ scale·(x − sourceMean)·rotation + referenceMean
 * that maps one epoch's feature set onto the reference epoch's.
 */
export interface ProcrustesFit {
  /** dims × dims orthogonal matrix (a reflection is allowed: det = ±1), row-major. */
  readonly rotation: Float64Array;
  readonly scale: number;
  readonly sourceMean: Float64Array;
  readonly referenceMean: Float64Array;
  /** ‖aligned − reference‖_F / ‖reference − its mean‖_F: 0 when the sets differ only by the transform. */
  readonly residual: number;
}

function columnMeans(data: Float64Array, rows: number, dims: number): Float64Array {
  const means = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < dims; c++) means[c] = means[c]! + data[r * dims + c]!;
  }
  return means.map((sum) => sum / rows);
}

/** The identity transform (the reference epoch aligned to itself). */
export function identityProcrustes(
  reference: Float64Array,
  rows: number,
  dims: number,
): ProcrustesFit {
  const rotation = new Float64Array(dims * dims);
  for (let c = 0; c < dims; c++) rotation[c * dims + c] = 1;
  const mean = columnMeans(reference, rows, dims);
  return { rotation, scale: 1, sourceMean: mean, referenceMean: mean, residual: 0 };
}

/**
 * Orthogonal Procrustes with translation and (optionally) isotropic scale
 * (Gower 1975, the paper's ref. 39): with A and B the centred source and
 * reference (rows = the same locations), the SVD U·Σ·Vᵀ = Aᵀ·B (ml-matrix)
 * gives the rotation R = U·Vᵀ and the least-squares scale tr(Σ)/‖A‖². The
 * cross-product is accumulated over typed arrays; ml-matrix's generic product
 * is several times slower at 2,000 × 128.
 */
export function fitProcrustes(
  source: Float64Array,
  reference: Float64Array,
  rows: number,
  dims: number,
  options: { readonly scale: boolean },
): ProcrustesFit {
  const sourceMean = columnMeans(source, rows, dims);
  const referenceMean = columnMeans(reference, rows, dims);
  const cross = new Float64Array(dims * dims);
  const a = new Float64Array(dims);
  let sourceNorm = 0;
  let referenceNorm = 0;
  for (let r = 0; r < rows; r++) {
    const offset = r * dims;
    for (let c = 0; c < dims; c++) {
      a[c] = source[offset + c]! - sourceMean[c]!;
      sourceNorm += a[c]! * a[c]!;
      const b = reference[offset + c]! - referenceMean[c]!;
      referenceNorm += b * b;
    }
    for (let i = 0; i < dims; i++) {
      const ai = a[i]!;
      if (ai === 0) continue;
      const row = i * dims;
      for (let j = 0; j < dims; j++) {
        cross[row + j] = cross[row + j]! + ai * (reference[offset + j]! - referenceMean[j]!);
      }
    }
  }
  const svd = new SVD(Matrix.from1DArray(dims, dims, cross), { autoTranspose: false });
  const rotation = Float64Array.from(
    svd.leftSingularVectors.mmul(svd.rightSingularVectors.transpose()).to1DArray(),
  );
  const traceSigma = svd.diagonal.reduce((sum, value) => sum + value, 0);
  const scale = options.scale && sourceNorm > 0 ? traceSigma / sourceNorm : 1;
  // ‖sAR − B‖² = s²‖A‖² + ‖B‖² − 2s·tr(Rᵀ·AᵀB) and tr(Rᵀ·AᵀB) = tr(Σ)
  const squared = Math.max(0, scale * scale * sourceNorm + referenceNorm - 2 * scale * traceSigma);
  const residual = referenceNorm > 0 ? Math.sqrt(squared / referenceNorm) : 0;
  return { rotation, scale, sourceMean, referenceMean, residual };
}

/** Applies a fitted transform to rows × dims values (the fitted set or new locations). */
export function applyProcrustes(
  fit: ProcrustesFit,
  data: Float64Array,
  rows: number,
  dims: number,
): Float64Array {
  const out = new Float64Array(rows * dims);
  const centred = new Float64Array(dims);
  const { rotation, scale, sourceMean, referenceMean } = fit;
  for (let r = 0; r < rows; r++) {
    const offset = r * dims;
    for (let c = 0; c < dims; c++) centred[c] = data[offset + c]! - sourceMean[c]!;
    for (let j = 0; j < dims; j++) out[offset + j] = referenceMean[j]!;
    for (let i = 0; i < dims; i++) {
      const value = scale * centred[i]!;
      if (value === 0) continue;
      const row = i * dims;
      for (let j = 0; j < dims; j++)
        out[offset + j] = out[offset + j]! + value * rotation[row + j]!;
    }
  }
  return out;
}
