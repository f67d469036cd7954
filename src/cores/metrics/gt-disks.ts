/**
 * Ground-truth disks on the heatmap grid (the paper's binarised targets): a
 * heatmap pixel (u, v), whose centre is the input point ((u + ½)·s, (v + ½)·s),
 * belongs to the disk of an annotated point when its centre lies within
 * `radius` input pixels of it. The pixel containing the point always belongs,
 * so a radius smaller than the stride still marks the object.
 */
export function rasteriseDisks(
  points: readonly (readonly [number, number])[],
  grid: { width: number; height: number },
  stride: number,
  radius: number,
): Uint8Array {
  const mask = new Uint8Array(grid.width * grid.height);
  const r2 = radius * radius;
  for (const [px, py] of points) {
    const u0 = Math.max(0, Math.floor((px - radius) / stride - 0.5));
    const u1 = Math.min(grid.width - 1, Math.ceil((px + radius) / stride - 0.5));
    const v0 = Math.max(0, Math.floor((py - radius) / stride - 0.5));
    const v1 = Math.min(grid.height - 1, Math.ceil((py + radius) / stride - 0.5));
    for (let v = v0; v <= v1; v++) {
      for (let u = u0; u <= u1; u++) {
        const dx = (u + 0.5) * stride - px;
        const dy = (v + 0.5) * stride - py;
        if (dx * dx + dy * dy <= r2) mask[v * grid.width + u] = 1;
      }
    }
    const u = Math.min(grid.width - 1, Math.max(0, Math.floor(px / stride)));
    const v = Math.min(grid.height - 1, Math.max(0, Math.floor(py / stride)));
    mask[v * grid.width + u] = 1;
  }
  return mask;
}
