/** One 8-connected component of a binary mask. */
export interface Component {
  readonly label: number;
  readonly area: number;
  /** Pixels of the component with a 4-neighbour outside it. */
  readonly perimeter: number;
  readonly centroid: readonly [number, number];
  /** [xMin, yMin, xMax, yMax], inclusive pixel indices. */
  readonly bbox: readonly [number, number, number, number];
  /** Major and minor semi-axes of the ellipse with the component's second moments. */
  readonly axes: readonly [number, number];
  readonly touchesBorder: boolean;
}

/**
 * Labels the 8-connected components of `mask` (non-zero = object). `labels`
 * holds each pixel's component label (1-based; 0 = background).
 */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; components: Component[] } {
  const labels = new Int32Array(width * height);
  const components: Component[] = [];
  const stack = new Int32Array(width * height);
  const inside = (i: number) => mask[i] !== 0;
  for (let start = 0; start < mask.length; start++) {
    if (!inside(start) || labels[start] !== 0) continue;
    const label = components.length + 1;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    let area = 0;
    let perimeter = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    let xMin = width;
    let yMin = height;
    let xMax = -1;
    let yMax = -1;
    while (top > 0) {
      const i = stack[--top]!;
      const x = i % width;
      const y = (i - x) / width;
      area++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
      const edge =
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        !inside(i - 1) ||
        !inside(i + 1) ||
        !inside(i - width) ||
        !inside(i + width);
      if (edge) perimeter++;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (inside(j) && labels[j] === 0) {
            labels[j] = label;
            stack[top++] = j;
          }
        }
      }
    }
    const cx = sx / area;
    const cy = sy / area;
    // pixel squares add 1/12 to each variance
    const vxx = sxx / area - cx * cx + 1 / 12;
    const vyy = syy / area - cy * cy + 1 / 12;
    const vxy = sxy / area - cx * cy;
    const mean = (vxx + vyy) / 2;
    const root = Math.sqrt(((vxx - vyy) / 2) ** 2 + vxy * vxy);
    components.push({
      label,
      area,
      perimeter,
      centroid: [cx, cy],
      bbox: [xMin, yMin, xMax, yMax],
      axes: [2 * Math.sqrt(mean + root), 2 * Math.sqrt(Math.max(mean - root, 0))],
      touchesBorder: xMin === 0 || yMin === 0 || xMax === width - 1 || yMax === height - 1,
    });
  }
  return { labels, components };
}
