import { FRAME_DEFECTS, type FrameDefect, type SynthParameters } from '../../formats/truth.js';
import type { SeededRandom } from '../seeded-random.js';
import { arcLengths, drawBodyShape, type ShapeStyle } from './body-shape.js';
import { buildCellContent } from './cell-content.js';
import type { AberrationDraw } from './dose-model.js';
import type { PlacedBody, RoundObject } from './generate-cell.js';
import { cellKaryotype } from './karyotype.js';
import {
  placeInSpread,
  pointInSpread,
  type ClashRule,
  type Obstacle,
  type Spread,
} from './layout.js';

/**
 * Frames a cytogeneticist would not score (`--bad-frames`): every draw comes
 * from the image's own quality stream, so the scorable frames of a run keep
 * exactly the draws they have without bad frames.
 */
export function drawFrameDefect(random: SeededRandom, badFrames: number): FrameDefect | undefined {
  return random.chance(badFrames) ? random.pick(FRAME_DEFECTS) : undefined;
}

/** Moves the spread onto a frame edge, 30–60% of it beyond: an incomplete spread. */
export function cutSpread(random: SeededRandom, spread: Spread, params: SynthParameters): Spread {
  const beyond = random.between(0.3, 0.6);
  const edge = random.integer(0, 3);
  const reachX = spread.a * (1 - 2 * beyond);
  const reachY = spread.a * (1 - 2 * beyond);
  const cx = edge === 0 ? reachX : edge === 1 ? params.width - reachX : spread.cx;
  const cy = edge === 2 ? reachY : edge === 3 ? params.height - reachY : spread.cy;
  return { ...spread, cx, cy, growth: 1 };
}

/** Shrinks the spread to 40–55% of its size: a clumped metaphase whose chromosomes pile up. */
export function clumpSpread(random: SeededRandom, spread: Spread): Spread {
  const shrink = random.between(0.4, 0.55);
  return { ...spread, a: spread.a * shrink, b: spread.b * shrink, growth: 1 };
}

/** One or two interphase nuclei lying under the spread's middle. */
export function nucleiOverSpread(
  random: SeededRandom,
  params: SynthParameters,
  spread: Spread,
): Omit<RoundObject, 'id'>[] {
  const [d0, d1] = params.confounders.nucleusDiameterPx;
  return Array.from({ length: random.integer(1, 2) }, () => {
    const [x, y] = pointInSpread(random, spread, 0.5);
    return {
      type: 'nucleus' as const,
      x,
      y,
      radius: (random.between(Math.max(d0, 140), Math.max(d1, 200)) * params.scale) / 2,
      density: random.between(0.45, 0.95),
      aspect: random.between(0.85, 1),
      angle: random.between(0, Math.PI),
    };
  });
}

const NO_ABERRATIONS: AberrationDraw = {
  dicentricEvents: 0,
  dicentrics: 0,
  tricentrics: 0,
  rings: 0,
  dicentricFragments: [],
  tricentricFragments: [],
  ringFragments: [],
  excessFragments: 0,
};

/**
 * A second, undamaged metaphase overlapping the first: its spread's centre
 * 0.8–1.3 spread radii away; its chromosomes keep clear of the first cell's
 * dicentrics and fragments (the truth stays exact) and may lie over the rest.
 */
export function secondMetaphase(
  random: SeededRandom,
  params: SynthParameters,
  cell: { readonly longest: number; readonly widthPx: number; readonly style: ShapeStyle },
  first: Spread,
  margin: number,
  obstacles: Obstacle[],
  firstId: number,
): PlacedBody[] {
  const karyotype = cellKaryotype(params.chromosomes, random.chance(params.cell.maleProbability));
  const content = buildCellContent(random, karyotype, cell.longest, cell.widthPx, NO_ABERRATIONS);
  const distance = first.a * random.between(0.8, 1.3);
  const heading = random.between(0, 2 * Math.PI);
  const clamp = (value: number, size: number) =>
    Math.min(0.85 * size, Math.max(0.15 * size, value));
  const spread: Spread = {
    ...first,
    cx: clamp(first.cx + distance * Math.cos(heading), params.width),
    cy: clamp(first.cy + distance * Math.sin(heading), params.height),
    angle: random.between(0, Math.PI),
    growth: 1,
  };
  const frame = { width: params.width, height: params.height };
  const apart: ClashRule = { margins: { target: margin, body: 1, nucleus: margin, label: margin } };
  const over: ClashRule = { margins: { target: margin, nucleus: 0, label: margin } };
  const placed: PlacedBody[] = [];
  for (const spec of content.bodies) {
    const shape = drawBodyShape(random, spec, cell.style, false);
    const clear = placeInSpread(random, shape, spread, frame, obstacles, apart, 80);
    const at = clear ?? placeInSpread(random, shape, spread, frame, obstacles, over, 400);
    // a chromosome with no room is simply not in the frame
    if (!at) continue;
    const body: PlacedBody = {
      id: firstId + placed.length,
      spec,
      shape,
      target: false,
      tags: new Set(clear ? [] : ['overlapping']),
      points: at.points,
      arcs: arcLengths(at.points, shape.closed),
    };
    placed.push(body);
    obstacles.push({ owner: body.id, kind: 'body', shape: at.shape });
  }
  return placed;
}
