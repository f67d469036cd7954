import type { SeededRandom } from '../seeded-random.js';
import type { SynthParameters } from '../../formats/truth.js';

type LinearQuadratic = SynthParameters['yields']['dicentric'];

/** The expected yield per cell of a linear-quadratic dose response, Y = c + αD + βD². */
export function linearQuadratic(curve: LinearQuadratic, doseGy: number): number {
  return curve.c + curve.alpha * doseGy + curve.beta * doseGy * doseGy;
}

/** How many aberrations of each kind one cell carries, before any geometry. */
export interface AberrationDraw {
  /** Dicentric events ~ Poisson(Y); a tricentric takes two of them. */
  readonly dicentricEvents: number;
  readonly dicentrics: number;
  readonly tricentrics: number;
  readonly rings: number;
  /** Per dicentric body: does its acentric fragment show? */
  readonly dicentricFragments: readonly boolean[];
  /** Per tricentric: its two acentric fragments. */
  readonly tricentricFragments: readonly (readonly [boolean, boolean])[];
  readonly ringFragments: readonly boolean[];
  readonly excessFragments: number;
}

/**
 * Draws a cell's aberrations at `doseGy`. Dicentric events are Poisson with
 * the linear-quadratic mean; consecutive pairs of events merge into a
 * tricentric with `tricentricProbability` (so dicentrics + 2 × tricentrics,
 * the usual score, stays Poisson with that mean). Each event's acentric
 * fragment shows with `fragmentWithDicentric`; excess fragments are Poisson
 * with their own curve; centric rings are Poisson at `ringPerDicentric` × Y,
 * each with its fragment at the same probability.
 */
export function drawAberrations(
  random: SeededRandom,
  doseGy: number,
  yields: SynthParameters['yields'],
): AberrationDraw {
  const dicentricYield = linearQuadratic(yields.dicentric, doseGy);
  const events = random.poisson(dicentricYield);
  const p = yields.fragmentWithDicentric;
  const dicentricFragments: boolean[] = [];
  const tricentricFragments: [boolean, boolean][] = [];
  let remaining = events;
  while (remaining > 0) {
    if (remaining >= 2 && random.chance(yields.tricentricProbability)) {
      tricentricFragments.push([random.chance(p), random.chance(p)]);
      remaining -= 2;
    } else {
      dicentricFragments.push(random.chance(p));
      remaining -= 1;
    }
  }
  const rings = random.poisson(yields.ringPerDicentric * dicentricYield);
  const ringFragments = Array.from({ length: rings }, () => random.chance(p));
  const excessFragments = random.poisson(linearQuadratic(yields.excessFragment, doseGy));
  return {
    dicentricEvents: events,
    dicentrics: dicentricFragments.length,
    tricentrics: tricentricFragments.length,
    rings,
    dicentricFragments,
    tricentricFragments,
    ringFragments,
    excessFragments,
  };
}

/** Scored aberrations of a draw: dicentrics (a tricentric counts two) plus fragments. */
export function aberrationScore(draw: AberrationDraw): { dicentric: number; fragment: number } {
  const fragment =
    draw.dicentricFragments.filter(Boolean).length +
    draw.tricentricFragments.reduce((sum, [a, b]) => sum + Number(a) + Number(b), 0) +
    draw.ringFragments.filter(Boolean).length +
    draw.excessFragments;
  return { dicentric: draw.dicentrics + 2 * draw.tricentrics, fragment };
}
