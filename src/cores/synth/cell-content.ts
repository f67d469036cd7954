import type { SeededRandom } from '../seeded-random.js';
import type { AberrationDraw } from './dose-model.js';
import { LONGEST_RELATIVE_LENGTH, type ChromosomeType } from './karyotype.js';

export type BodyType = 'monocentric' | 'dicentric' | 'tricentric' | 'ring' | 'fragment';

/** A body before it has a shape or a place: its visible length and its centromeres. */
export interface BodySpec {
  readonly type: BodyType;
  /** Visible length in pixels, end to end (the circumference for a ring). */
  readonly lengthPx: number;
  /** Centromere positions as distances from the body's first end along its length. */
  readonly centromeres: readonly number[];
  readonly closed: boolean;
  readonly smallAcrocentric: boolean;
}

interface Chromatin {
  readonly type: ChromosomeType;
  /** Short-arm and long-arm lengths (pixels); shortened by deletions. */
  p: number;
  q: number;
  used: boolean;
}

/** A chromosome broken once on one arm: the centric piece keeps `intact` and `kept` of the other arm. */
interface Break {
  readonly intact: number;
  readonly kept: number;
  readonly lost: number;
}

function breakArm(random: SeededRandom, chromatin: Chromatin): Break {
  const breakP = random.uniform() < chromatin.p / (chromatin.p + chromatin.q);
  const arm = breakP ? chromatin.p : chromatin.q;
  const kept = arm * random.between(0.35, 0.95);
  return { intact: breakP ? chromatin.q : chromatin.p, kept, lost: arm - kept };
}

/** Picks an unused chromosome with probability proportional to its length (breaks hit DNA uniformly). */
function pickByLength(
  random: SeededRandom,
  pool: readonly Chromatin[],
  accept: (c: Chromatin) => boolean = () => true,
): Chromatin | undefined {
  const candidates = pool.filter((c) => !c.used && accept(c));
  const total = candidates.reduce((sum, c) => sum + c.p + c.q, 0);
  if (candidates.length === 0 || total <= 0) return undefined;
  let target = random.uniform() * total;
  for (const c of candidates) {
    target -= c.p + c.q;
    if (target < 0) return c;
  }
  return candidates[candidates.length - 1];
}

export interface CellContent {
  readonly bodies: BodySpec[];
  /** Median monocentric length before aberrations: "a typical chromosome". */
  readonly typicalLengthPx: number;
}

/**
 * Turns a karyotype and an aberration draw into the cell's bodies. A
 * dicentric joins the centric pieces of two chromosomes broken once each (so
 * it carries two centromeres and is 1.2–3× a typical length), and its
 * fragment is their two acentric pieces; a tricentric joins three; a ring
 * closes the centric piece of a chromosome broken on both arms; an excess
 * fragment is a terminal deletion. Every centromere of the karyotype ends up
 * in exactly one body.
 */
export function buildCellContent(
  random: SeededRandom,
  karyotype: readonly ChromosomeType[],
  longestPx: number,
  widthPx: number,
  draw: AberrationDraw,
): CellContent {
  const pool: Chromatin[] = karyotype.map((type) => {
    const length =
      (longestPx * type.relativeLength * random.between(0.94, 1.06)) / LONGEST_RELATIVE_LENGTH;
    return {
      type,
      p: length * type.centromereIndex,
      q: length * (1 - type.centromereIndex),
      used: false,
    };
  });
  const sorted = pool.map((c) => c.p + c.q).sort((a, b) => a - b);
  const typical = sorted[Math.floor(sorted.length / 2)]!;
  const bodies: BodySpec[] = [];
  const fragment = (length: number): BodySpec => ({
    type: 'fragment',
    lengthPx: Math.max(length, 0.5 * widthPx),
    centromeres: [],
    closed: false,
    smallAcrocentric: false,
  });
  const minSeparation = (length: number) => Math.max(1.5 * widthPx, 0.2 * length);

  for (const withFragment of draw.dicentricFragments) {
    let best: { a: Chromatin; b: Chromatin; ba: Break; bb: Break } | undefined;
    for (let attempt = 0; attempt < 30; attempt++) {
      const a = pickByLength(random, pool);
      if (!a) break;
      a.used = true;
      const b = pickByLength(random, pool);
      a.used = false;
      if (!b) break;
      const ba = breakArm(random, a);
      const bb = breakArm(random, b);
      const length = ba.intact + ba.kept + bb.intact + bb.kept;
      const separation = ba.kept + bb.kept;
      best = { a, b, ba, bb };
      if (length >= 1.2 * typical && length <= 3 * typical && separation >= minSeparation(length))
        break;
    }
    if (!best) break; // no chromosomes left to join
    const { a, b, ba, bb } = best;
    a.used = b.used = true;
    const lengthA = ba.intact + ba.kept;
    bodies.push({
      type: 'dicentric',
      lengthPx: lengthA + bb.intact + bb.kept,
      centromeres: [ba.intact, lengthA + bb.kept],
      closed: false,
      smallAcrocentric: false,
    });
    if (withFragment) bodies.push(fragment(ba.lost + bb.lost));
  }

  for (const [firstFragment, secondFragment] of draw.tricentricFragments) {
    const a = pickByLength(random, pool);
    if (a) a.used = true;
    const b = pickByLength(random, pool);
    if (b) b.used = true;
    const c = pickByLength(random, pool);
    if (!a || !b || !c) {
      if (a) a.used = false;
      if (b) b.used = false;
      break;
    }
    c.used = true;
    const ba = breakArm(random, a);
    const bc = breakArm(random, c);
    const keptP = b.p * random.between(0.5, 0.95);
    const keptQ = b.q * random.between(0.5, 0.95);
    const lengthA = ba.intact + ba.kept;
    const lengthB = keptP + keptQ;
    bodies.push({
      type: 'tricentric',
      lengthPx: lengthA + lengthB + bc.kept + bc.intact,
      centromeres: [ba.intact, lengthA + keptP, lengthA + lengthB + bc.kept],
      closed: false,
      smallAcrocentric: false,
    });
    if (firstFragment) bodies.push(fragment(ba.lost + b.p - keptP));
    if (secondFragment) bodies.push(fragment(b.q - keptQ + bc.lost));
  }

  for (const withFragment of draw.ringFragments) {
    // a ring needs a circumference that leaves a visible hole
    const minimum = 2 * Math.PI * 0.8 * widthPx;
    const c = pickByLength(random, pool, (x) => 0.9 * (x.p + x.q) >= minimum);
    if (!c) continue;
    c.used = true;
    const keptP = c.p * random.between(0.75, 0.95);
    const keptQ = c.q * random.between(0.75, 0.95);
    bodies.push({
      type: 'ring',
      lengthPx: Math.max(keptP + keptQ, minimum),
      centromeres: [keptP],
      closed: true,
      smallAcrocentric: false,
    });
    if (withFragment) bodies.push(fragment(c.p - keptP + c.q - keptQ));
  }

  for (let i = 0; i < draw.excessFragments; i++) {
    const c = pickByLength(random, pool);
    if (!c) break;
    const arm = random.uniform() < c.p / (c.p + c.q) ? 'p' : 'q';
    const lost = c[arm] * random.between(0.1, 0.6);
    c[arm] -= lost;
    bodies.push(fragment(lost));
  }

  for (const c of pool) {
    if (c.used) continue;
    const length = c.p + c.q;
    bodies.push({
      type: 'monocentric',
      lengthPx: length,
      centromeres: [c.p],
      closed: false,
      smallAcrocentric: c.type.acrocentric && length < 2.2 * widthPx,
    });
  }
  return { bodies, typicalLengthPx: typical };
}
