/**
 * A subset of the pixels of a grid (the "active" pixels, where some member's
 * heatmap can vote) with its 8-connected neighbourhood precomputed, so that
 * connected components over thousands of threshold settings cost time in the
 * number of active pixels, not of grid pixels. A dense grid is the special case
 * where every pixel is active.
 *
 * Connectivity is 8 (diagonal neighbours join): a spot that a threshold cuts
 * into diagonal pieces stays one object.
 */
export interface PixelSet {
  readonly width: number;
  readonly height: number;
  /** Linear indices `y * width + x` of the active pixels, ascending. */
  readonly pixels: Int32Array;
  /**
   * For active pixel p, `backward[4p .. 4p+3]` are the positions (in `pixels`)
   * of its active neighbours W, NW, N, NE — those earlier in raster order — or −1.
   */
  readonly backward: Int32Array;
}

export function buildPixelSet(width: number, height: number, pixels: Int32Array): PixelSet {
  const position = new Int32Array(width * height).fill(-1);
  for (let p = 0; p < pixels.length; p++) {
    if (p > 0 && pixels[p]! <= pixels[p - 1]!) throw new RangeError('pixels must be ascending');
    position[pixels[p]!] = p;
  }
  const backward = new Int32Array(pixels.length * 4).fill(-1);
  for (let p = 0; p < pixels.length; p++) {
    const index = pixels[p]!;
    const x = index % width;
    const y = (index - x) / width;
    if (x > 0) backward[4 * p] = position[index - 1]!;
    if (y > 0) {
      if (x > 0) backward[4 * p + 1] = position[index - width - 1]!;
      backward[4 * p + 2] = position[index - width]!;
      if (x < width - 1) backward[4 * p + 3] = position[index - width + 1]!;
    }
  }
  return { width, height, pixels, backward };
}

/** Every pixel of a width × height grid. */
export function densePixelSet(width: number, height: number): PixelSet {
  return buildPixelSet(
    width,
    height,
    Int32Array.from({ length: width * height }, (_, i) => i),
  );
}

function find(parent: Int32Array, p: number): number {
  let root = p;
  while (parent[root] !== root) root = parent[root]!;
  while (parent[p] !== root) {
    const next = parent[p]!;
    parent[p] = root;
    p = next;
  }
  return root;
}

/**
 * Labels the connected components of the selected active pixels (union–find
 * over backward neighbours). `labels[p]` is the component of active pixel p
 * (0..count−1, in raster order of first pixel) or −1 when not selected.
 */
export function labelComponents(
  set: PixelSet,
  selected: Uint8Array,
): { labels: Int32Array; count: number } {
  const n = set.pixels.length;
  const parent = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    parent[p] = p;
    if (!selected[p]) continue;
    for (let k = 0; k < 4; k++) {
      const q = set.backward[4 * p + k]!;
      if (q < 0 || !selected[q]) continue;
      const a = find(parent, p);
      const b = find(parent, q);
      if (a !== b) parent[a > b ? a : b] = a > b ? b : a;
    }
  }
  const labels = new Int32Array(n).fill(-1);
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (!selected[p]) continue;
    const root = find(parent, p);
    labels[p] = root === p ? count++ : labels[root]!;
  }
  return { labels, count };
}

/**
 * Number of connected components of the selected active pixels, reusing
 * `parent` (length ≥ active pixels) so sweeps allocate nothing.
 */
export function countComponents(set: PixelSet, selected: Uint8Array, parent: Int32Array): number {
  const n = set.pixels.length;
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (!selected[p]) continue;
    parent[p] = p;
    count++;
    for (let k = 0; k < 4; k++) {
      const q = set.backward[4 * p + k]!;
      if (q < 0 || !selected[q]) continue;
      const a = find(parent, p);
      const b = find(parent, q);
      if (a !== b) {
        parent[a > b ? a : b] = a > b ? b : a;
        count--;
      }
    }
  }
  return count;
}
