/**
 * The feature vectors of one epoch's member at every tracked location, row-major
 * (rows × dims). Row i is the same location in every epoch.
 */
export interface EpochFeatures {
  readonly epoch: number;
  readonly data: Float64Array;
}

/** The paper's 𝓕 = {𝓕_1, …, 𝓕_Ne}: one feature set per epoch, rows aligned by location. */
export interface FeatureBags {
  /** Class names by index; index 0 is the background. */
  readonly classes: readonly string[];
  /** Class index of each row. */
  readonly labels: Uint8Array;
  readonly dims: number;
  /** In epoch order; the first is the Procrustes reference (the paper's 𝓕_1). */
  readonly epochs: readonly EpochFeatures[];
}

/** Rows in a bag, after checking that every epoch holds rows × dims values. */
export function bagRows(bags: FeatureBags): number {
  const rows = bags.labels.length;
  for (const { epoch, data } of bags.epochs) {
    if (data.length !== rows * bags.dims) {
      throw new RangeError(
        `epoch ${epoch} holds ${data.length} values, expected ${rows} rows × ${bags.dims} dims`,
      );
    }
  }
  return rows;
}
