/**
 * Shapes as unions of capsules (segments thickened by a radius): the layout's
 * collision test. Two shapes overlap when any pair of their segments comes
 * closer than the sum of the radii.
 */
export interface CapsuleShape {
  /** Segment endpoints, flat: x1, y1, x2, y2 per segment. */
  readonly segments: Float64Array;
  readonly radius: number;
  /** [xMin, yMin, xMax, yMax] including the radius. */
  readonly bbox: readonly [number, number, number, number];
}

/** Segments of a polyline (flat x, y pairs), closing the loop when asked. */
export function polylineCapsules(
  points: ArrayLike<number>,
  radius: number,
  closed = false,
): CapsuleShape {
  const n = points.length / 2;
  const count = n === 1 ? 1 : closed ? n : n - 1;
  const segments = new Float64Array(count * 4);
  let xMin = Infinity;
  let yMin = Infinity;
  let xMax = -Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    xMin = Math.min(xMin, x);
    yMin = Math.min(yMin, y);
    xMax = Math.max(xMax, x);
    yMax = Math.max(yMax, y);
  }
  for (let k = 0; k < count; k++) {
    const i = k;
    const j = n === 1 ? 0 : (k + 1) % n;
    segments.set([points[2 * i]!, points[2 * i + 1]!, points[2 * j]!, points[2 * j + 1]!], 4 * k);
  }
  return {
    segments,
    radius,
    bbox: [xMin - radius, yMin - radius, xMax + radius, yMax + radius],
  };
}

export function circleCapsule(x: number, y: number, radius: number): CapsuleShape {
  return polylineCapsules([x, y], radius);
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

/** Squared distance between segments p1–q1 and p2–q2 (closest points by clamped projection). */
export function segmentDistanceSquared(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): number {
  const ux = bx - ax;
  const uy = by - ay;
  const vx = dx - cx;
  const vy = dy - cy;
  const wx = ax - cx;
  const wy = ay - cy;
  const a = ux * ux + uy * uy;
  const b = ux * vx + uy * vy;
  const c = vx * vx + vy * vy;
  const d = ux * wx + uy * wy;
  const e = vx * wx + vy * wy;
  let s: number;
  let t: number;
  if (a < 1e-12 && c < 1e-12) {
    s = 0;
    t = 0;
  } else if (a < 1e-12) {
    s = 0;
    t = clamp01(e / c);
  } else if (c < 1e-12) {
    t = 0;
    s = clamp01(-d / a);
  } else {
    const denominator = a * c - b * b;
    s = denominator > 1e-12 ? clamp01((b * e - c * d) / denominator) : 0;
    t = (b * s + e) / c;
    if (t < 0) {
      t = 0;
      s = clamp01(-d / a);
    } else if (t > 1) {
      t = 1;
      s = clamp01((b - d) / a);
    }
  }
  const px = wx + s * ux - t * vx;
  const py = wy + s * uy - t * vy;
  return px * px + py * py;
}

/** The smallest gap between two shapes' surfaces (negative when they overlap). */
export function shapeGap(a: CapsuleShape, b: CapsuleShape): number {
  let best = Infinity;
  const sa = a.segments;
  const sb = b.segments;
  for (let i = 0; i < sa.length; i += 4) {
    for (let j = 0; j < sb.length; j += 4) {
      const d2 = segmentDistanceSquared(
        sa[i]!,
        sa[i + 1]!,
        sa[i + 2]!,
        sa[i + 3]!,
        sb[j]!,
        sb[j + 1]!,
        sb[j + 2]!,
        sb[j + 3]!,
      );
      if (d2 < best) best = d2;
    }
  }
  return Math.sqrt(best) - a.radius - b.radius;
}

/** True when the shapes come closer than `margin` (bounding boxes first). */
export function shapesClash(a: CapsuleShape, b: CapsuleShape, margin: number): boolean {
  if (
    a.bbox[0] > b.bbox[2] + margin ||
    b.bbox[0] > a.bbox[2] + margin ||
    a.bbox[1] > b.bbox[3] + margin ||
    b.bbox[1] > a.bbox[3] + margin
  ) {
    return false;
  }
  return shapeGap(a, b) < margin;
}
