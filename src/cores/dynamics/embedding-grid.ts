/**
 * A uniform grid of cells over the 2-D embedding: `columns` × `rows` cells
 * covering [xMin, xMax] × [yMin, yMax]; values are stored row-major, row 0 at yMin.
 */
export interface EmbeddingGrid {
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
  readonly columns: number;
  readonly rows: number;
}

function quantileOfSorted(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * The grid over the embedded points of every epoch: per axis from the `trim`
 * to the 1 − `trim` quantile of all coordinates pooled (0 = the bounding box),
 * widened by `margin` × that extent on each side, with `size` × `size` cells.
 * Trimming keeps a handful of far outliers from shrinking the bulk of the
 * points into a corner; points beyond the grid take the edge cells' values.
 */
export function gridAround(
  embeddings: readonly Float64Array[],
  size: number,
  margin: number,
  trim = 0,
): EmbeddingGrid {
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`grid size must be ≥ 2: ${size}`);
  const count = embeddings.reduce((sum, points) => sum + points.length / 2, 0);
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  let k = 0;
  for (const points of embeddings) {
    for (let i = 0; i < points.length; i += 2, k++) {
      xs[k] = points[i]!;
      ys[k] = points[i + 1]!;
    }
  }
  if (count === 0) throw new RangeError('no embedded points to build a grid around');
  xs.sort();
  ys.sort();
  const xMin = quantileOfSorted(xs, trim);
  const xMax = quantileOfSorted(xs, 1 - trim);
  const yMin = quantileOfSorted(ys, trim);
  const yMax = quantileOfSorted(ys, 1 - trim);
  // an axis with (numerically) no spread, e.g. features of rank 1, gets the other axis's extent
  const span = Math.max(xMax - xMin, yMax - yMin) || 1;
  const extent = (low: number, high: number) => (high - low > 1e-9 * span ? high - low : span);
  const xWidth = extent(xMin, xMax);
  const yWidth = extent(yMin, yMax);
  const xMid = (xMin + xMax) / 2;
  const yMid = (yMin + yMax) / 2;
  return {
    xMin: xMid - xWidth * (0.5 + margin),
    xMax: xMid + xWidth * (0.5 + margin),
    yMin: yMid - yWidth * (0.5 + margin),
    yMax: yMid + yWidth * (0.5 + margin),
    columns: size,
    rows: size,
  };
}

/** The centres of the cells, cells × 2 coordinates, in storage order. */
export function cellCentres(grid: EmbeddingGrid): Float64Array {
  const out = new Float64Array(grid.columns * grid.rows * 2);
  const dx = (grid.xMax - grid.xMin) / grid.columns;
  const dy = (grid.yMax - grid.yMin) / grid.rows;
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.columns; c++) {
      const i = r * grid.columns + c;
      out[2 * i] = grid.xMin + (c + 0.5) * dx;
      out[2 * i + 1] = grid.yMin + (r + 0.5) * dy;
    }
  }
  return out;
}

/**
 * Bilinear interpolation of per-cell `values` between cell centres at (x, y);
 * points beyond the outer centres take the nearest edge value.
 */
export function interpolateGrid(
  grid: EmbeddingGrid,
  values: Float64Array,
  x: number,
  y: number,
): number {
  const fx = ((x - grid.xMin) / (grid.xMax - grid.xMin)) * grid.columns - 0.5;
  const fy = ((y - grid.yMin) / (grid.yMax - grid.yMin)) * grid.rows - 0.5;
  const cx = Math.min(grid.columns - 1, Math.max(0, fx));
  const cy = Math.min(grid.rows - 1, Math.max(0, fy));
  const c0 = Math.min(grid.columns - 2, Math.floor(cx));
  const r0 = Math.min(grid.rows - 2, Math.floor(cy));
  const tx = cx - c0;
  const ty = cy - r0;
  const at = (r: number, c: number): number => values[r * grid.columns + c]!;
  return (
    (1 - ty) * ((1 - tx) * at(r0, c0) + tx * at(r0, c0 + 1)) +
    ty * ((1 - tx) * at(r0 + 1, c0) + tx * at(r0 + 1, c0 + 1))
  );
}
