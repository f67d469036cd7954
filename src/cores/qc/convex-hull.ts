/** Convex hull of points (Andrew's monotone chain), counter-clockwise, and its area. */
export function convexHull(points: readonly (readonly [number, number])[]): {
  hull: [number, number][];
  area: number;
} {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (sorted.length < 3) return { hull: sorted.map(([x, y]) => [x, y]), area: 0 };
  const cross = (o: readonly number[], a: readonly number[], b: readonly number[]) =>
    (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const half = (list: readonly (readonly [number, number])[]) => {
    const chain: [number, number][] = [];
    for (const p of list) {
      while (chain.length >= 2 && cross(chain[chain.length - 2]!, chain[chain.length - 1]!, p) <= 0)
        chain.pop();
      chain.push([p[0], p[1]]);
    }
    chain.pop();
    return chain;
  };
  const hull = [...half(sorted), ...half([...sorted].reverse())];
  let twice = 0;
  for (let i = 0; i < hull.length; i++) {
    const [x0, y0] = hull[i]!;
    const [x1, y1] = hull[(i + 1) % hull.length]!;
    twice += x0 * y1 - x1 * y0;
  }
  return { hull, area: Math.abs(twice) / 2 };
}

/** Whether a point lies inside a counter-clockwise convex polygon. */
export function insideHull(
  hull: readonly (readonly [number, number])[],
  x: number,
  y: number,
): boolean {
  if (hull.length < 3) return false;
  for (let i = 0; i < hull.length; i++) {
    const [x0, y0] = hull[i]!;
    const [x1, y1] = hull[(i + 1) % hull.length]!;
    if ((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) < 0) return false;
  }
  return true;
}
