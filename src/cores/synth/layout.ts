import type { SeededRandom } from '../seeded-random.js';
import { polylineCapsules, shapesClash, type CapsuleShape } from './capsules.js';
import type { LocalShape } from './body-shape.js';

/** The elliptical region the chromosomes are spread over; it grows when crowded. */
export interface Spread {
  readonly cx: number;
  readonly cy: number;
  readonly a: number;
  readonly b: number;
  readonly angle: number;
  growth: number;
}

export type ObstacleKind = 'target' | 'body' | 'nucleus' | 'label' | 'debris';

export interface Obstacle {
  readonly owner: number;
  readonly kind: ObstacleKind;
  readonly shape: CapsuleShape;
}

/** Where a local shape went: its spine in image pixels. */
export interface Placement {
  readonly points: Float64Array;
  readonly shape: CapsuleShape;
}

export function transformPoints(
  local: Float64Array,
  angle: number,
  x: number,
  y: number,
): Float64Array {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const out = new Float64Array(local.length);
  for (let i = 0; i < local.length; i += 2) {
    out[i] = x + cos * local[i]! - sin * local[i + 1]!;
    out[i + 1] = y + sin * local[i]! + cos * local[i + 1]!;
  }
  return out;
}

export function pointInSpread(random: SeededRandom, spread: Spread, stretch = 1): [number, number] {
  const r = Math.sqrt(random.uniform()) * spread.growth * stretch;
  const t = random.between(0, 2 * Math.PI);
  const u = spread.a * r * Math.cos(t);
  const v = spread.b * r * Math.sin(t);
  const cos = Math.cos(spread.angle);
  const sin = Math.sin(spread.angle);
  return [spread.cx + cos * u - sin * v, spread.cy + sin * u + cos * v];
}

/** True when the circle (x, y, radius) reaches into the spread ellipse. */
export function circleMeetsSpread(spread: Spread, x: number, y: number, radius: number): boolean {
  const cos = Math.cos(spread.angle);
  const sin = Math.sin(spread.angle);
  const dx = x - spread.cx;
  const dy = y - spread.cy;
  const u = cos * dx + sin * dy;
  const v = -sin * dx + cos * dy;
  const a = spread.a * spread.growth + radius;
  const b = spread.b * spread.growth + radius;
  return (u * u) / (a * a) + (v * v) / (b * b) < 1;
}

export function insideFrame(
  points: Float64Array,
  reach: number,
  width: number,
  height: number,
): boolean {
  const margin = reach + 2;
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < margin || y < margin || x > width - margin || y > height - margin) return false;
  }
  return true;
}

/** The frame a shape must lie in; `partial`: it may run out of the frame (a spread cut by the edge). */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly partial?: boolean;
}

/** True when some spine point lies in the frame. */
function meetsFrame(points: Float64Array, width: number, height: number): boolean {
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x >= 0 && y >= 0 && x < width && y < height) return true;
  }
  return false;
}

export interface ClashRule {
  /** Minimum surface gap to obstacles of each kind; absent kinds are ignored. */
  readonly margins: Partial<Record<ObstacleKind, number>>;
  /** An obstacle owner to ignore (the partner of a touching or crossing pair). */
  readonly except?: number;
}

export function clashes(
  shape: CapsuleShape,
  obstacles: readonly Obstacle[],
  rule: ClashRule,
): boolean {
  for (const obstacle of obstacles) {
    if (obstacle.owner === rule.except) continue;
    const margin = rule.margins[obstacle.kind];
    if (margin === undefined) continue;
    if (shapesClash(shape, obstacle.shape, margin)) return true;
  }
  return false;
}

/** Tries to put `local` at (x, y) turned by `angle`; undefined when it leaves the frame or clashes. */
export function tryPlace(
  local: LocalShape,
  angle: number,
  x: number,
  y: number,
  frame: Frame,
  obstacles: readonly Obstacle[],
  rule: ClashRule,
): Placement | undefined {
  const points = transformPoints(local.points, angle, x, y);
  const inFrame = frame.partial
    ? meetsFrame(points, frame.width, frame.height)
    : insideFrame(points, local.reach, frame.width, frame.height);
  if (!inFrame) return undefined;
  const shape = polylineCapsules(points, local.reach, local.closed);
  if (clashes(shape, obstacles, rule)) return undefined;
  return { points, shape };
}

/**
 * Places a shape at a random spot of the spread, growing the spread by 8%
 * after every 40 failed tries (a crowded cell spreads wider).
 */
export function placeInSpread(
  random: SeededRandom,
  local: LocalShape,
  spread: Spread,
  frame: Frame,
  obstacles: readonly Obstacle[],
  rule: ClashRule,
  attempts: number,
): Placement | undefined {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const [x, y] = pointInSpread(random, spread);
    const placed = tryPlace(local, random.between(0, 2 * Math.PI), x, y, frame, obstacles, rule);
    if (placed) return placed;
    if (attempt % 40 === 0) spread.growth *= 1.08;
  }
  return undefined;
}
