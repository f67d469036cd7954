/** One image's `features` output: channels × height × width, row-major (the ONNX N=1 slice). */
export interface FeatureMap {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array | Float64Array;
}

/**
 * Copies the feature vectors at cells (u = column, v = row) into `target`, one
 * row of `channels` values per cell, starting at row `firstRow`.
 */
export function gatherFeatureVectors(
  map: FeatureMap,
  cells: readonly { readonly u: number; readonly v: number }[],
  target: Float64Array,
  firstRow: number,
): void {
  const { channels, height, width, data } = map;
  if (data.length !== channels * height * width) {
    throw new RangeError(
      `feature map holds ${data.length} values, expected ${channels}×${height}×${width}`,
    );
  }
  const plane = height * width;
  cells.forEach((cell, i) => {
    if (cell.u < 0 || cell.u >= width || cell.v < 0 || cell.v >= height) {
      throw new RangeError(`cell (${cell.u}, ${cell.v}) is outside the ${width}×${height} map`);
    }
    const offset = cell.v * width + cell.u;
    const row = (firstRow + i) * channels;
    for (let c = 0; c < channels; c++) target[row + c] = data[c * plane + offset]!;
  });
}
