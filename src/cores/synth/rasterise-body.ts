import type { PlacedBody } from './generate-cell.js';
import { boundsOfPoints } from './point-bounds.js';

/** Reusable per-tile buffers, grown as needed (one set per rendering thread). */
export class TileScratch {
  best = new Float32Array(0);
  arc = new Float32Array(0);
  side = new Float32Array(0);

  ensure(size: number): void {
    if (this.best.length >= size) return;
    this.best = new Float32Array(size);
    this.arc = new Float32Array(size);
    this.side = new Float32Array(size);
  }
}

/** Profile tables along the spine, every half pixel: chromatid radius, sister offset, gap fill, stain. */
interface Profile {
  readonly radius: Float32Array;
  readonly offset: Float32Array;
  readonly gap: Float32Array;
  readonly stain: Float32Array;
}

const SAMPLES_PER_PX = 2;
/** Soft-edge slope of a chromatid's boundary (per pixel). */
const EDGE = 1.25;

function buildProfile(body: PlacedBody, length: number): Profile {
  const c = body.shape.chromatids;
  const n = Math.ceil(length * SAMPLES_PER_PX) + 1;
  const radius = new Float32Array(n);
  const offset = new Float32Array(n);
  const gap = new Float32Array(n);
  const stain = new Float32Array(n);
  const width = 0.9 * c.radius + 0.5;
  const closed = body.shape.closed;
  const [wavelength, amplitude, phase] = c.banding;
  for (let k = 0; k < n; k++) {
    const s = k / SAMPLES_PER_PX;
    let nearest = Infinity;
    for (const centromere of body.shape.centromereArcs) {
      let distance = Math.abs(s - centromere);
      if (closed) distance = Math.min(distance, length - distance);
      nearest = Math.min(nearest, distance);
    }
    const g = Number.isFinite(nearest) ? Math.exp(-((nearest / width) ** 2)) : 0;
    const spread = c.separation + c.splay * Math.max(0, nearest - 2 * c.radius);
    radius[k] = c.radius * (1 - c.pinch * g);
    // sisters are held together at the centromere unless fully separated
    const hold = c.separation > 0 ? 0 : 0.6 * g * (c.pinch > 0 ? 1 : 0);
    offset[k] =
      (c.offset + (Number.isFinite(spread) ? spread : 0)) * (1 - hold) + c.armGap * (1 - g);
    const apart = offset[k]! - c.offset;
    gap[k] = c.gapDensity * Math.max(0, Math.min(1, 1 - apart / c.radius));
    stain[k] = c.density * (1 + amplitude * Math.sin((2 * Math.PI * s) / wavelength + phase));
  }
  return { radius, offset, gap, stain };
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

/**
 * Adds one body's optical density to `od` (row-major, `width` × `height`),
 * visiting only its bounding box. Each pixel finds its nearest spine
 * segment (arc position s, signed distance d); the two chromatids are
 * discs swept along offsets ±o(s) with radius r(s), narrowed and pulled
 * together at each centromere, with round ends; the narrow band between
 * the sisters carries a weaker stain.
 */
export function rasteriseBody(
  body: PlacedBody,
  stainDensity: number,
  od: Float32Array,
  width: number,
  height: number,
  scratch: TileScratch,
): void {
  const points = body.points;
  const arcs = body.arcs;
  const closed = body.shape.closed;
  const length = arcs[arcs.length - 1]!;
  const reach = body.shape.reach + 1.5;
  const vertexCount = points.length / 2;
  const segmentCount = closed ? vertexCount : vertexCount - 1;

  const { xMin, yMin, xMax, yMax } = boundsOfPoints(points);
  const x0 = Math.max(0, Math.floor(xMin - reach));
  const y0 = Math.max(0, Math.floor(yMin - reach));
  const x1 = Math.min(width - 1, Math.ceil(xMax + reach));
  const y1 = Math.min(height - 1, Math.ceil(yMax + reach));
  if (x1 < x0 || y1 < y0) return;
  const tileWidth = x1 - x0 + 1;
  const tileSize = tileWidth * (y1 - y0 + 1);
  scratch.ensure(tileSize);
  const best = scratch.best;
  const arc = scratch.arc;
  const side = scratch.side;
  best.fill(Infinity, 0, tileSize);
  const reach2 = reach * reach;

  for (let segment = 0; segment < segmentCount; segment++) {
    const j = (segment + 1) % vertexCount;
    const ax = points[2 * segment]!;
    const ay = points[2 * segment + 1]!;
    const bx = points[2 * j]!;
    const by = points[2 * j + 1]!;
    const segmentLength = Math.hypot(bx - ax, by - ay);
    const ux = segmentLength > 1e-9 ? (bx - ax) / segmentLength : 1;
    const uy = segmentLength > 1e-9 ? (by - ay) / segmentLength : 0;
    const start = arcs[segment]!;
    const openStart = !closed && segment === 0;
    const openEnd = !closed && segment === segmentCount - 1;
    const sx0 = Math.max(x0, Math.floor(Math.min(ax, bx) - reach));
    const sx1 = Math.min(x1, Math.ceil(Math.max(ax, bx) + reach));
    const sy0 = Math.max(y0, Math.floor(Math.min(ay, by) - reach));
    const sy1 = Math.min(y1, Math.ceil(Math.max(ay, by) + reach));
    for (let y = sy0; y <= sy1; y++) {
      const vy = y + 0.5 - ay;
      let index = (y - y0) * tileWidth + (sx0 - x0);
      for (let x = sx0; x <= sx1; x++, index++) {
        const vx = x + 0.5 - ax;
        const t = vx * ux + vy * uy;
        const perpendicular = vy * ux - vx * uy;
        let distance2: number;
        let s: number;
        let d: number;
        if (t < 0) {
          distance2 = t * t + perpendicular * perpendicular;
          if (openStart) {
            s = start + t;
            d = perpendicular;
          } else {
            s = start;
            d = (perpendicular < 0 ? -1 : 1) * Math.sqrt(distance2);
          }
        } else if (t > segmentLength) {
          const over = t - segmentLength;
          distance2 = over * over + perpendicular * perpendicular;
          if (openEnd) {
            s = start + t;
            d = perpendicular;
          } else {
            s = start + segmentLength;
            d = (perpendicular < 0 ? -1 : 1) * Math.sqrt(distance2);
          }
        } else {
          distance2 = perpendicular * perpendicular;
          s = start + t;
          d = perpendicular;
        }
        if (distance2 < best[index]! && distance2 < reach2) {
          best[index] = distance2;
          arc[index] = s;
          side[index] = d;
        }
      }
    }
  }

  const profile = buildProfile(body, length);
  const last = profile.radius.length - 1;
  for (let y = y0; y <= y1; y++) {
    let index = (y - y0) * tileWidth;
    let target = y * width + x0;
    for (let x = x0; x <= x1; x++, index++, target++) {
      if (best[index]! === Infinity) continue;
      let s = arc[index]!;
      let extension = 0;
      if (closed) {
        s = ((s % length) + length) % length;
      } else if (s < 0) {
        extension = -s;
        s = 0;
      } else if (s > length) {
        extension = s - length;
        s = length;
      }
      const k = Math.min(last, Math.round(s * SAMPLES_PER_PX));
      const r = profile.radius[k]!;
      const o = profile.offset[k]!;
      const d = side[index]!;
      const e2 = extension * extension;
      const da = Math.sqrt(e2 + (d - o) * (d - o));
      const db = Math.sqrt(e2 + (d + o) * (d + o));
      let cover = clamp01((r - Math.min(da, db)) * EDGE + 0.5);
      if (d < o && d > -o) {
        const band = clamp01((r - extension) * EDGE + 0.5) * profile.gap[k]!;
        if (band > cover) cover = band;
      }
      if (cover > 0) od[target] = od[target]! + stainDensity * profile.stain[k]! * cover;
    }
  }
}
