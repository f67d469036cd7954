/** Axis-aligned bounds of a flat [x0, y0, x1, y1, …] point list. */
export interface PointBounds {
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
}

export function boundsOfPoints(points: Float64Array): PointBounds {
  let xMin = Infinity;
  let yMin = Infinity;
  let xMax = -Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    xMin = Math.min(xMin, points[i]!);
    xMax = Math.max(xMax, points[i]!);
    yMin = Math.min(yMin, points[i + 1]!);
    yMax = Math.max(yMax, points[i + 1]!);
  }
  return { xMin, yMin, xMax, yMax };
}
