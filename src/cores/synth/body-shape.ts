import type { SeededRandom } from '../seeded-random.js';
import type { BodySpec } from './cell-content.js';
import { boundsOfPoints } from './point-bounds.js';

/** How the two sister chromatids of a body are drawn around its spine. */
export interface Chromatids {
  /** Half-width of one chromatid. */
  readonly radius: number;
  /** Distance of each chromatid's axis from the spine. */
  readonly offset: number;
  /** Stain between the sisters relative to a chromatid (the narrow gap is never empty). */
  readonly gapDensity: number;
  /** Fractional narrowing of the chromatids at a centromere (0: no constriction). */
  readonly pinch: number;
  /** Extra sister offset per pixel of distance from the nearest centromere (arms splaying). */
  readonly splay: number;
  /** Extra sister offset everywhere (sisters fully separated). */
  readonly separation: number;
  /**
   * Extra sister offset of the arms, held to none at each centromere (colcemid
   * separation: the centromere reads as the waist of an X); constant along an
   * acentric fragment, whose sisters lie parallel or as two dots.
   */
  readonly armGap: number;
  /** This body's sister separation, 0 (tight) to 1 (fully splayed). */
  readonly separationLevel: number;
  /** Stain multiplier of this body. */
  readonly density: number;
  /** Weak Giemsa banding along the body: wavelength (px), amplitude, phase. */
  readonly banding: readonly [number, number, number];
}

/** A body's shape in its own frame, centred on its bounding box. */
export interface LocalShape {
  /** Spine polyline, flat x, y pairs. */
  readonly points: Float64Array;
  readonly closed: boolean;
  readonly spineLength: number;
  /** Centromere positions along the spine (arc length from its first point). */
  readonly centromereArcs: readonly number[];
  readonly chromatids: Chromatids;
  /** Farthest a drawn pixel can be from the spine. */
  readonly reach: number;
  readonly sharpBend: boolean;
  readonly sisters: 'together' | 'splayed' | 'separated';
}

export interface ShapeStyle {
  readonly widthPx: number;
  readonly gapPx: number;
  readonly bendRad: number;
  readonly sharpBendProbability: number;
  readonly splayedProbability: number;
  readonly separatedProbability: number;
  /** The cell's sister-chromatid separation, 0 (tight) to 1 (fully splayed). */
  readonly separation: number;
}

/** Spread of one chromosome's separation about its cell's level. */
const SEPARATION_SPREAD = 0.15;
/** Arm gap of a fully separated body, in chromatid radii. */
const FULL_ARM_GAP = 1.6;
/** Arm splay of a fully separated body, extra offset per pixel from the centromere. */
const FULL_SPLAY = 0.12;

function chromatidsFor(
  random: SeededRandom,
  spec: BodySpec,
  style: ShapeStyle,
  sisters: LocalShape['sisters'],
): Chromatids {
  const width = style.widthPx * random.between(0.92, 1.08);
  const gap = style.gapPx * random.between(0.8, 1.2);
  const radius = Math.max(0.6, (width - gap) / 4);
  const fragment = spec.type === 'fragment';
  const chromatids = {
    radius,
    offset: radius + gap / 2,
    gapDensity: random.between(0.55, 0.85),
    pinch: fragment ? 0 : random.between(0.2, 0.38),
    splay: sisters === 'splayed' ? random.between(0.05, 0.15) : 0,
    separation: sisters === 'separated' ? radius * random.between(0.8, 1.6) : 0,
    armGap: 0,
    separationLevel: 0,
    density: random.between(0.9, 1.1),
    banding: [
      random.between(5, 12) * Math.max(radius / 3.5, 0.4),
      random.between(0.02, 0.07),
      random.between(0, 2 * Math.PI),
    ] as const,
  };
  // drawn only for separated cells, so a cell without separation keeps its exact old draws
  if (style.separation <= 0) return chromatids;
  const level = Math.min(1, Math.max(0, random.normal(style.separation, SEPARATION_SPREAD)));
  return {
    ...chromatids,
    armGap: level * FULL_ARM_GAP * radius,
    // an acentric fragment has no centromere to splay from: its sisters stay parallel
    splay: fragment ? chromatids.splay : chromatids.splay + level * level * FULL_SPLAY,
    separationLevel: level,
  };
}

/** Cumulative arc length at each polyline vertex (the closing segment adds one more entry). */
export function arcLengths(points: ArrayLike<number>, closed: boolean): Float64Array {
  const n = points.length / 2;
  const out = new Float64Array(closed ? n + 1 : n);
  for (let i = 1; i < out.length; i++) {
    const j = i % n;
    out[i] =
      out[i - 1]! +
      Math.hypot(points[2 * j]! - points[2 * i - 2]!, points[2 * j + 1]! - points[2 * i - 1]!);
  }
  return out;
}

function centreOnBox(points: Float64Array): void {
  const { xMin, yMin, xMax, yMax } = boundsOfPoints(points);
  const cx = (xMin + xMax) / 2;
  const cy = (yMin + yMax) / 2;
  for (let i = 0; i < points.length; i += 2) {
    points[i] = points[i]! - cx;
    points[i + 1] = points[i + 1]! - cy;
  }
}

/**
 * Draws a body's shape: a spine bent smoothly (a linear drift plus one
 * sinusoid of heading), sometimes kinked sharply away from any centromere (a
 * bend that mimics a constriction), and its chromatids. Targets always have
 * their sisters together so their annotation point lies on stained pixels.
 */
export function drawBodyShape(
  random: SeededRandom,
  spec: BodySpec,
  style: ShapeStyle,
  target: boolean,
): LocalShape {
  let sisters: LocalShape['sisters'] = 'together';
  if (!target && !spec.closed && spec.type !== 'fragment') {
    const u = random.uniform();
    if (u < style.separatedProbability) sisters = 'separated';
    else if (u < style.separatedProbability + style.splayedProbability) sisters = 'splayed';
  }
  const chromatids = chromatidsFor(random, spec, style, sisters);
  const cap = chromatids.radius;

  if (spec.closed) {
    const circumference = spec.lengthPx;
    const segments = Math.max(12, Math.min(64, Math.ceil(circumference / 5)));
    const radius = circumference / (2 * Math.PI);
    const squash = random.between(0.8, 1);
    const points = new Float64Array(segments * 2);
    for (let k = 0; k < segments; k++) {
      const angle = (2 * Math.PI * k) / segments;
      points[2 * k] = radius * Math.cos(angle);
      points[2 * k + 1] = radius * squash * Math.sin(angle);
    }
    const arcs = arcLengths(points, true);
    const spineLength = arcs[arcs.length - 1]!;
    return {
      points,
      closed: true,
      spineLength,
      centromereArcs: spec.centromeres.map((c) => (c / spec.lengthPx) * spineLength),
      chromatids,
      reach: chromatids.offset + chromatids.armGap + chromatids.radius,
      sharpBend: false,
      sisters,
    };
  }

  const spineLength = Math.max(1, spec.lengthPx - 2 * cap);
  const centromereArcs = spec.centromeres.map((c) => Math.min(spineLength, Math.max(0, c - cap)));
  const segments = Math.max(1, Math.min(48, Math.ceil(spineLength / 5)));
  const step = spineLength / segments;
  const drift = random.normal(0, style.bendRad * 0.8);
  const wave = random.normal(0, style.bendRad * 0.5);
  const phase = random.between(0, 2 * Math.PI);
  let kinkAt = -1;
  let kinkAngle = 0;
  const width = 2 * (chromatids.offset + chromatids.radius);
  if (
    spec.type !== 'fragment' &&
    spineLength > 4 * width &&
    random.chance(style.sharpBendProbability)
  ) {
    const at = random.between(0.25, 0.75) * spineLength;
    if (centromereArcs.every((c) => Math.abs(c - at) > 1.5 * width)) {
      kinkAt = at;
      kinkAngle = (random.chance(0.5) ? 1 : -1) * random.between(0.9, 1.8);
    }
  }
  const points = new Float64Array((segments + 1) * 2);
  let x = 0;
  let y = 0;
  for (let k = 1; k <= segments; k++) {
    const s = (k - 0.5) * step;
    const u = s / spineLength;
    let heading = drift * (u - 0.5) + wave * Math.sin(2 * Math.PI * u + phase);
    if (kinkAt >= 0 && s > kinkAt) heading += kinkAngle;
    x += step * Math.cos(heading);
    y += step * Math.sin(heading);
    points[2 * k] = x;
    points[2 * k + 1] = y;
  }
  centreOnBox(points);
  // the realised arc length differs from the nominal by rounding only
  const arcs = arcLengths(points, false);
  const realised = arcs[arcs.length - 1]!;
  const ratio = realised / spineLength;
  const longestArm = Math.max(
    ...centromereArcs.map((c) => Math.max(c, spineLength - c)),
    spineLength,
  );
  return {
    points,
    closed: false,
    spineLength: realised,
    centromereArcs: centromereArcs.map((c) => c * ratio),
    chromatids,
    reach:
      chromatids.offset +
      chromatids.separation +
      chromatids.armGap +
      chromatids.splay * longestArm +
      chromatids.radius,
    sharpBend: kinkAt >= 0,
    sisters,
  };
}
