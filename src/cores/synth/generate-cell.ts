import type { FrameDefect, FrameQuality, SynthParameters } from '../../formats/truth.js';
import { SeededRandom } from '../seeded-random.js';
import {
  clumpSpread,
  cutSpread,
  drawFrameDefect,
  nucleiOverSpread,
  secondMetaphase,
} from './bad-frames.js';
import { arcLengths, drawBodyShape, type LocalShape, type ShapeStyle } from './body-shape.js';
import { circleCapsule, polylineCapsules, shapesClash, type CapsuleShape } from './capsules.js';
import { buildCellContent, type BodySpec } from './cell-content.js';
import { aberrationScore, drawAberrations, type AberrationDraw } from './dose-model.js';
import { cellKaryotype } from './karyotype.js';
import {
  circleMeetsSpread,
  placeInSpread,
  pointInSpread,
  tryPlace,
  type ClashRule,
  type Obstacle,
  type Placement,
  type Spread,
} from './layout.js';

/** The independent random streams of one image: SeededRandom(seed, index, stream). */
export const STREAM = {
  content: 0,
  layout: 1,
  shape: 2,
  optics: 3,
  noise: 4,
  texture: 5,
  sisters: 6,
  // 7: the wide preset's per-image parameters (image-parameters.ts)
  artefacts: 8,
  // drawn only with --bad-frames (bad-frames.ts)
  quality: 9,
} as const;

export type ConfounderTag =
  | 'small-acrocentric'
  | 'touching-end-to-end'
  | 'crossing'
  | 'overlapping'
  | 'sharp-bend'
  | 'splayed-sisters'
  | 'separated-sisters';

export interface PlacedBody {
  readonly id: number;
  readonly spec: BodySpec;
  readonly shape: LocalShape;
  readonly target: boolean;
  readonly tags: Set<ConfounderTag>;
  /** Spine in image pixels, flat x, y pairs. */
  readonly points: Float64Array;
  /** Arc length at each vertex (one more entry for a closed spine). */
  readonly arcs: Float64Array;
}

export interface RoundObject {
  readonly id: number;
  /** Dust: an out-of-focus speck on the optics, a soft disc with a darker rim. */
  readonly type: 'nucleus' | 'debris' | 'haze' | 'dust';
  readonly x: number;
  readonly y: number;
  readonly radius: number;
  /** Peak optical density (haze: absolute; others: relative to the stain). */
  readonly density: number;
  readonly aspect: number;
  readonly angle: number;
}

/** A faint straight scratch on the slide, drawn after the blur. */
export interface Scratch {
  readonly id: number;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly width: number;
  readonly density: number;
}

export interface LabelBox {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly text: string;
  /** Size of one font pixel. */
  readonly pixel: number;
}

/** The optics drawn for one image. */
export interface CellOptics {
  readonly background: number;
  readonly contrast: number;
  readonly blurSigma: number;
  readonly noiseSigma: number;
  /** Optical density of a chromatid's core. */
  readonly stainDensity: number;
  readonly gradientX: number;
  readonly gradientY: number;
  readonly vignette: number;
  readonly vignetteX: number;
  readonly vignetteY: number;
  /** Background colour and per-channel stain absorption (purple RGB output). */
  readonly tint: readonly [number, number, number];
  readonly absorption: readonly [number, number, number];
}

export interface SynthCell {
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly doseGy: number;
  readonly rejectedCells: number;
  readonly draw: AberrationDraw;
  readonly longestChromosomePx: number;
  readonly widthPx: number;
  /** The cell's sister-chromatid separation, 0 (tight) to 1 (fully splayed). */
  readonly sisterSeparation: number;
  readonly bodies: readonly PlacedBody[];
  readonly rounds: readonly RoundObject[];
  readonly label: LabelBox | undefined;
  readonly scratches: readonly Scratch[];
  readonly optics: CellOptics;
  /** Present when the run makes bad frames (`badFrames`): scorable, or the defect made. */
  readonly quality: FrameQuality | undefined;
}

export interface CellRequest {
  readonly index: number;
  /** A fixed dose (calibration); absent: drawn uniformly from `doseRange`. */
  readonly doseGy?: number;
  readonly doseRange: readonly [number, number];
  /** Redraw the cell (dose and aberrations) until dicentrics + fragments reach this. */
  readonly minAberrations: number;
}

const MAX_REJECTIONS = 100_000;

function drawContent(
  seed: number,
  request: CellRequest,
  params: SynthParameters,
): { doseGy: number; draw: AberrationDraw; rejected: number; random: SeededRandom } {
  const random = new SeededRandom(seed, request.index, STREAM.content);
  for (let rejected = 0; ; rejected++) {
    const doseGy = request.doseGy ?? random.between(request.doseRange[0], request.doseRange[1]);
    const draw = drawAberrations(random, doseGy, params.yields);
    const score = aberrationScore(draw);
    if (score.dicentric + score.fragment >= request.minAberrations) {
      return { doseGy, draw, rejected, random };
    }
    if (rejected >= MAX_REJECTIONS) {
      throw new RangeError(
        `no cell with ≥ ${request.minAberrations} aberrations in ${MAX_REJECTIONS} draws; lower the minimum or raise the doses`,
      );
    }
  }
}

function drawOptics(random: SeededRandom, params: SynthParameters): CellOptics {
  const o = params.optics;
  const contrast = random.between(o.contrast[0], o.contrast[1]);
  return {
    background: random.between(o.backgroundGrey[0], o.backgroundGrey[1]),
    contrast,
    blurSigma: random.between(o.blurSigmaPx[0], o.blurSigmaPx[1]) * Math.max(0.4, params.scale),
    noiseSigma: random.between(o.noiseSigma[0], o.noiseSigma[1]),
    // a chromatid's blurred, gap-averaged mean is about 0.8 of its core density
    stainDensity: Math.log(contrast) / 0.8,
    gradientX: random.between(-1, 1) * o.illuminationGradient,
    gradientY: random.between(-1, 1) * o.illuminationGradient,
    vignette: random.between(0, 1) * o.vignetting,
    vignetteX: random.between(0.3, 0.7) * params.width,
    vignetteY: random.between(0.3, 0.7) * params.height,
    tint: [random.between(0.97, 1.03), random.between(0.93, 1.0), random.between(1.0, 1.08)],
    absorption: [random.between(0.7, 0.85), random.between(1.2, 1.3), random.between(0.45, 0.65)],
  };
}

/** What a cell holds before anything is placed: its bodies and how they are drawn. */
interface CellPlan {
  readonly longest: number;
  readonly widthPx: number;
  readonly sisterSeparation: number;
  readonly bodies: readonly BodySpec[];
  readonly style: ShapeStyle;
}

function planCell(
  seed: number,
  index: number,
  contentRandom: SeededRandom,
  draw: AberrationDraw,
  params: SynthParameters,
): CellPlan {
  const { scale } = params;
  const cellParams = params.cell;
  const longest =
    contentRandom.between(cellParams.longestChromosomePx[0], cellParams.longestChromosomePx[1]) *
    scale;
  // compact chromosomes are thicker: width falls as the longest length grows
  const [l0, l1] = cellParams.longestChromosomePx;
  const condensed = l1 > l0 ? 1 - (longest / scale - l0) / (l1 - l0) : 0.5;
  const [w0, w1] = cellParams.chromosomeWidthPx;
  const widthPx = (w0 + (w1 - w0) * (0.7 * condensed + 0.3 * contentRandom.uniform())) * scale;
  const karyotype = cellKaryotype(
    params.chromosomes,
    contentRandom.chance(cellParams.maleProbability),
  );
  const content = buildCellContent(contentRandom, karyotype, longest, widthPx, draw);
  // its own stream, drawn only when asked for, so cells without separation keep their old draws
  const [s0, s1] = cellParams.sisterSeparation ?? [0, 0];
  const sisterSeparation =
    s1 > 0 ? new SeededRandom(seed, index, STREAM.sisters).between(s0, s1) : 0;
  const conf = params.confounders;
  const style: ShapeStyle = {
    widthPx,
    gapPx: contentRandom.between(cellParams.sisterGapPx[0], cellParams.sisterGapPx[1]) * scale,
    bendRad: (cellParams.bendDeg * Math.PI) / 180,
    sharpBendProbability: conf.sharpBendProbability,
    splayedProbability: conf.splayedProbability,
    separatedProbability: conf.separatedProbability,
    separation: sisterSeparation,
  };
  return { longest, widthPx, sisterSeparation, bodies: content.bodies, style };
}

/** The spread: an off-centre ellipse, widened when the bodies need more room. */
function drawSpread(layout: SeededRandom, plan: CellPlan, params: SynthParameters): Spread {
  const { width, height, scale } = params;
  const cellParams = params.cell;
  const widthPx = plan.widthPx;
  const footprint = plan.bodies.reduce(
    (sum, body) => sum + (body.lengthPx + widthPx) * (widthPx * 2),
    0,
  );
  const diameter =
    layout.between(cellParams.spreadDiameterPx[0], cellParams.spreadDiameterPx[1]) * scale;
  const aspect = layout.between(cellParams.spreadAspect[0], cellParams.spreadAspect[1]);
  let a = diameter / 2;
  const neededA = Math.sqrt((footprint * 3) / (Math.PI * aspect));
  a = Math.max(a, neededA);
  const b = a * aspect;
  const angle = layout.between(0, Math.PI);
  const slackX = Math.max(0, width / 2 - a * 0.8);
  const slackY = Math.max(0, height / 2 - a * 0.8);
  return {
    cx: width / 2 + cellParams.spreadOffset * layout.between(-1, 1) * slackX,
    cy: height / 2 + cellParams.spreadOffset * layout.between(-1, 1) * slackY,
    a,
    b,
    angle,
    growth: 1,
  };
}

/** The frame-number label box, top-left, as in many capture systems. */
function placeLabel(
  layout: SeededRandom,
  params: SynthParameters,
  obstacles: Obstacle[],
): Omit<LabelBox, 'id'> | undefined {
  if (!layout.chance(params.confounders.labelProbability)) return undefined;
  const scale = params.scale;
  const text = String(layout.integer(1, 999));
  const pixel = Math.max(1, Math.round(2.5 * scale));
  const boxWidth = (text.length * 4 + 3) * pixel;
  const boxHeight = 9 * pixel;
  const label = {
    x: Math.round(6 * scale),
    y: Math.round(6 * scale),
    width: boxWidth,
    height: boxHeight,
    text,
    pixel,
  };
  const midY = label.y + boxHeight / 2;
  obstacles.push({
    owner: -1,
    kind: 'label',
    shape: polylineCapsules(
      [label.x + boxHeight / 2, midY, label.x + boxWidth - boxHeight / 2, midY],
      boxHeight / 2 + 1,
    ),
  });
  return label;
}

/** Interphase nuclei, outside the spread, possibly cut by the frame edge. */
function placeNuclei(
  layout: SeededRandom,
  params: SynthParameters,
  spread: Spread,
  margin: number,
  obstacles: Obstacle[],
  rounds: Omit<RoundObject, 'id'>[],
): void {
  const { width, height, scale } = params;
  const conf = params.confounders;
  const nucleusCount = layout.integer(Math.round(conf.nuclei[0]), Math.round(conf.nuclei[1]));
  const inSpreadChance = conf.nucleusInSpreadProbability ?? 0;
  for (let n = 0; n < nucleusCount; n++) {
    const radius =
      (layout.between(conf.nucleusDiameterPx[0], conf.nucleusDiameterPx[1]) * scale) / 2;
    // a nucleus in the spread is no obstacle: chromosomes may lie over it
    const inSpread = inSpreadChance > 0 && layout.chance(inSpreadChance);
    for (let attempt = 0; attempt < 30; attempt++) {
      const [x, y] = inSpread
        ? pointInSpread(layout, spread)
        : [
            layout.between(-0.25 * radius, width + 0.25 * radius),
            layout.between(-0.25 * radius, height + 0.25 * radius),
          ];
      if (!inSpread && circleMeetsSpread(spread, x, y, radius + margin)) continue;
      const shape = circleCapsule(x, y, radius);
      if (obstacles.some((o) => o.kind !== 'debris' && shapeOverlap(o, shape))) continue;
      if (inSpreadChance > 0 && nucleiMeet(rounds, x, y, radius)) continue;
      if (!inSpread) obstacles.push({ owner: -1, kind: 'nucleus', shape });
      rounds.push({
        type: 'nucleus',
        x,
        y,
        radius,
        density: layout.between(0.45, 0.95),
        aspect: layout.between(0.85, 1),
        angle: layout.between(0, Math.PI),
      });
      break;
    }
  }
}

/** True when a circle meets a nucleus already placed (in-spread nuclei are no obstacles). */
function nucleiMeet(
  rounds: readonly Omit<RoundObject, 'id'>[],
  x: number,
  y: number,
  radius: number,
): boolean {
  return rounds.some(
    (r) => r.type === 'nucleus' && Math.hypot(r.x - x, r.y - y) < r.radius + radius,
  );
}

const isTarget = (spec: BodySpec) =>
  spec.type === 'dicentric' || spec.type === 'tricentric' || spec.type === 'fragment';

/**
 * Places the bodies: targets first (they must never touch anything), then the
 * rest, longest first; the shortest monocentrics are kept back to touch or
 * cross an already placed one.
 */
function placeBodies(
  request: CellRequest,
  streams: { layout: SeededRandom; shapes: SeededRandom },
  params: SynthParameters,
  plan: CellPlan,
  spread: Spread,
  margin: number,
  obstacles: Obstacle[],
  defect: FrameDefect | undefined,
): PlacedBody[] {
  const { layout, shapes } = streams;
  const frame = { width: params.width, height: params.height };
  // an incomplete spread: chromosomes beyond the edge are missing, those on it cut
  const cut = defect === 'incomplete-spread';
  const bodyFrame = { ...frame, partial: cut };
  const inFrame = ([x, y]: [number, number]) =>
    x >= 0 && y >= 0 && x < frame.width && y < frame.height;
  const conf = params.confounders;
  const order = plan.bodies
    .map((spec, i) => ({ spec, i, target: isTarget(spec) }))
    .sort(
      (x, y) =>
        Number(y.target) - Number(x.target) ||
        Number(y.spec.closed) - Number(x.spec.closed) ||
        y.spec.lengthPx - x.spec.lengthPx ||
        x.i - y.i,
    );
  const placed: PlacedBody[] = [];
  const targetRule: ClashRule = {
    margins: { target: margin, body: margin, nucleus: margin, label: margin },
  };
  const looseRule: ClashRule = { margins: { target: margin, nucleus: 0, label: margin } };
  // a clumped spread: chromosomes pile onto each other (never onto a target)
  const bodyRule: ClashRule =
    defect === 'clumped'
      ? looseRule
      : { margins: { target: margin, body: 1, nucleus: margin, label: margin } };

  const monocentrics = order.filter((o) => o.spec.type === 'monocentric');
  const touching = Math.min(
    layout.poisson(conf.touchingPairsMean),
    Math.floor(monocentrics.length / 4),
  );
  const crossing = Math.min(
    layout.poisson(conf.crossingPairsMean),
    Math.floor(monocentrics.length / 4),
  );
  // partners: the shorter monocentrics, attached after the others are placed
  const partners = new Map<number, 'touching-end-to-end' | 'crossing'>();
  const shortest = [...monocentrics].reverse();
  for (let k = 0; k < touching + crossing; k++) {
    partners.set(shortest[2 * k]!.i, k < touching ? 'touching-end-to-end' : 'crossing');
  }

  const record = (
    spec: BodySpec,
    shape: LocalShape,
    target: boolean,
    at: Placement,
    tags: ConfounderTag[],
  ) => {
    const body: PlacedBody = {
      id: placed.length,
      spec,
      shape,
      target,
      tags: new Set(tags),
      points: at.points,
      arcs: arcLengths(at.points, shape.closed),
    };
    if (shape.sharpBend) body.tags.add('sharp-bend');
    if (shape.sisters === 'splayed') body.tags.add('splayed-sisters');
    if (shape.sisters === 'separated') body.tags.add('separated-sisters');
    if (spec.smallAcrocentric) body.tags.add('small-acrocentric');
    placed.push(body);
    obstacles.push({ owner: body.id, kind: target ? 'target' : 'body', shape: at.shape });
    return body;
  };

  const deferred: {
    spec: BodySpec;
    shape: LocalShape;
    kind: 'touching-end-to-end' | 'crossing';
  }[] = [];
  for (const { spec, i, target } of order) {
    const shape = drawBodyShape(shapes, spec, plan.style, target);
    const pairing = partners.get(i);
    if (pairing) {
      deferred.push({ spec, shape, kind: pairing });
      continue;
    }
    if (cut && !target && !inFrame(pointInSpread(layout, spread))) continue;
    let at = placeInSpread(
      layout,
      shape,
      spread,
      target ? frame : bodyFrame,
      obstacles,
      target ? targetRule : bodyRule,
      400,
    );
    const tags: ConfounderTag[] = [];
    if (!at && !target) {
      at = placeInSpread(layout, shape, spread, bodyFrame, obstacles, looseRule, 400);
      tags.push('overlapping');
    }
    if (!at) {
      throw new RangeError(
        `image ${request.index}: no room for a ${spec.type} of ${spec.lengthPx.toFixed(0)} px in a ${frame.width}×${frame.height} frame; use a larger --size or fewer chromosomes`,
      );
    }
    record(spec, shape, target, at, tags);
  }

  const targetContact = conf.targetContactProbability ?? 0;
  for (const { spec, shape, kind } of deferred) {
    // drawn only when asked for, so the fixed difficulties keep their old draws
    const onTarget = targetContact > 0 && layout.chance(targetContact);
    const anchors = placed.filter((p) =>
      onTarget
        ? p.target && !p.tags.has('touching-end-to-end') && !p.tags.has('crossing')
        : p.spec.type === 'monocentric' && p.tags.size === 0,
    );
    let done = false;
    for (let attempt = 0; attempt < 40 && anchors.length > 0 && !done; attempt++) {
      const anchor = layout.pick(anchors);
      const at =
        kind === 'touching-end-to-end'
          ? placeTouching(layout, anchor, shape, frame, obstacles)
          : placeCrossing(layout, anchor, shape, frame, obstacles);
      if (at) {
        anchor.tags.add(kind);
        record(spec, shape, false, at, [kind]);
        done = true;
      }
    }
    if (!done) {
      let at = placeInSpread(layout, shape, spread, frame, obstacles, bodyRule, 400);
      const tags: ConfounderTag[] = [];
      if (!at) {
        at = placeInSpread(layout, shape, spread, frame, obstacles, looseRule, 4000);
        tags.push('overlapping');
      }
      if (!at)
        throw new RangeError(
          `image ${request.index}: no room for a chromosome; use a larger --size`,
        );
      record(spec, shape, false, at, tags);
    }
  }
  return placed;
}

/** Debris: small dark dots, mostly about the spread, never on a target. */
function placeDebris(
  layout: SeededRandom,
  params: SynthParameters,
  spread: Spread,
  margin: number,
  obstacles: Obstacle[],
  rounds: Omit<RoundObject, 'id'>[],
): void {
  const { width, height, scale } = params;
  const debrisCount = layout.poisson(params.confounders.debrisMean);
  for (let n = 0; n < debrisCount; n++) {
    const radius = layout.between(1.2, 4) * Math.max(scale, 0.5);
    for (let attempt = 0; attempt < 20; attempt++) {
      const [x, y] = layout.chance(0.6)
        ? pointInSpread(layout, spread, 1.4)
        : [layout.between(0, width), layout.between(0, height)];
      if (x < radius || y < radius || x > width - radius || y > height - radius) continue;
      const shape = circleCapsule(x, y, radius);
      if (
        obstacles.some(
          (o) => (o.kind === 'target' || o.kind === 'label') && shapeOverlap(o, shape, margin),
        )
      )
        continue;
      obstacles.push({ owner: -1, kind: 'debris', shape });
      rounds.push({
        type: 'debris',
        x,
        y,
        radius,
        density: layout.between(0.4, 1.1),
        aspect: layout.between(0.6, 1),
        angle: layout.between(0, Math.PI),
      });
      break;
    }
  }
}

/** Cytoplasm haze: broad, faint stain about the spread. */
function drawHaze(
  layout: SeededRandom,
  params: SynthParameters,
  spread: Spread,
  rounds: Omit<RoundObject, 'id'>[],
): void {
  if (!layout.chance(params.confounders.hazeProbability)) return;
  const blobs = layout.integer(1, 3);
  for (let n = 0; n < blobs; n++) {
    const [x, y] = pointInSpread(layout, spread, 0.6);
    rounds.push({
      type: 'haze',
      x,
      y,
      radius: spread.a * layout.between(0.4, 0.9),
      density: layout.between(0.03, 0.12),
      aspect: layout.between(0.6, 1),
      angle: layout.between(0, Math.PI),
    });
  }
}

/** Dust specks on the optics and scratches on the slide, from their own stream. */
function drawArtefacts(
  seed: number,
  index: number,
  params: SynthParameters,
  rounds: Omit<RoundObject, 'id'>[],
): Omit<Scratch, 'id'>[] {
  const dustMean = params.confounders.dustMean ?? 0;
  const scratchMean = params.confounders.scratchMean ?? 0;
  if (dustMean <= 0 && scratchMean <= 0) return [];
  const { width, height, scale } = params;
  const random = new SeededRandom(seed, index, STREAM.artefacts);
  const dust = random.poisson(dustMean);
  for (let n = 0; n < dust; n++) {
    rounds.push({
      type: 'dust',
      x: random.between(0, width),
      y: random.between(0, height),
      radius: random.between(6, 40) * scale,
      density: random.between(0.04, 0.2),
      aspect: random.between(0.8, 1),
      angle: random.between(0, Math.PI),
    });
  }
  const scratches: Omit<Scratch, 'id'>[] = [];
  const count = random.poisson(scratchMean);
  for (let n = 0; n < count; n++) {
    const x = random.between(0, width);
    const y = random.between(0, height);
    const length = random.between(0.2, 1) * Math.max(width, height);
    const angle = random.between(0, Math.PI);
    scratches.push({
      x0: x - (length / 2) * Math.cos(angle),
      y0: y - (length / 2) * Math.sin(angle),
      x1: x + (length / 2) * Math.cos(angle),
      y1: y + (length / 2) * Math.sin(angle),
      width: random.between(0.8, 2.5) * Math.max(scale, 0.6),
      density: random.between(0.05, 0.25),
    });
  }
  return scratches;
}

/**
 * Generates one synthetic metaphase: what it contains, where everything is and
 * how it will look, without drawing a pixel. Everything comes from the image's
 * own streams, so the result depends only on (seed, request, params).
 */
export function generateCell(
  seed: number,
  request: CellRequest,
  params: SynthParameters,
): SynthCell {
  const { doseGy, draw, rejected, random: contentRandom } = drawContent(seed, request, params);
  const badFrames = params.badFrames ?? 0;
  const flaws = badFrames > 0 ? new SeededRandom(seed, request.index, STREAM.quality) : undefined;
  const defect = flaws && drawFrameDefect(flaws, badFrames);
  const layout = new SeededRandom(seed, request.index, STREAM.layout);
  const shapes = new SeededRandom(seed, request.index, STREAM.shape);
  const optics = drawOptics(new SeededRandom(seed, request.index, STREAM.optics), params);
  const plan = planCell(seed, request.index, contentRandom, draw, params);
  let spread = drawSpread(layout, plan, params);
  if (defect === 'incomplete-spread') spread = cutSpread(flaws!, spread, params);
  if (defect === 'clumped') spread = clumpSpread(flaws!, spread);
  const obstacles: Obstacle[] = [];
  const rounds: Omit<RoundObject, 'id'>[] = [];
  const margin = 3 * params.scale + 1;
  const label = placeLabel(layout, params, obstacles);
  placeNuclei(layout, params, spread, margin, obstacles, rounds);
  const placed = placeBodies(
    request,
    { layout, shapes },
    params,
    plan,
    spread,
    margin,
    obstacles,
    defect,
  );
  if (defect === 'two-metaphases') {
    placed.push(...secondMetaphase(flaws!, params, plan, spread, margin, obstacles, placed.length));
  }
  if (defect === 'nucleus-over-spread') rounds.push(...nucleiOverSpread(flaws!, params, spread));
  placeDebris(layout, params, spread, margin, obstacles, rounds);
  drawHaze(layout, params, spread, rounds);
  const scratches = drawArtefacts(seed, request.index, params, rounds);

  const ids = placed.length;
  const scratchIds = ids + rounds.length;
  const labelId = scratchIds + scratches.length;
  return {
    index: request.index,
    width: params.width,
    height: params.height,
    doseGy,
    rejectedCells: rejected,
    draw,
    longestChromosomePx: plan.longest,
    widthPx: plan.widthPx,
    sisterSeparation: plan.sisterSeparation,
    bodies: placed,
    rounds: rounds.map((r, k) => ({ ...r, id: ids + k })),
    label: label ? { ...label, id: labelId } : undefined,
    scratches: scratches.map((line, k) => ({ ...line, id: scratchIds + k })),
    optics,
    quality: flaws && { scorable: !defect, defects: defect ? [defect] : [] },
  };
}

function shapeOverlap(obstacle: Obstacle, shape: CapsuleShape, margin = 0): boolean {
  return shapesClash(obstacle.shape, shape, margin);
}

const TOUCH_RULE = (except: number): ClashRule => ({
  margins: { target: 4, body: 1, nucleus: 2, label: 2 },
  except,
});

/** Puts `shape` so its first end meets an end of `anchor`, nearly in line: two chromosomes that read as one long one. */
function placeTouching(
  random: SeededRandom,
  anchor: PlacedBody,
  shape: LocalShape,
  frame: { width: number; height: number },
  obstacles: readonly Obstacle[],
): Placement | undefined {
  const p = anchor.points;
  const n = p.length / 2;
  if (n < 2) return undefined;
  const atEnd = random.chance(0.5);
  const [ex, ey, nx, ny] = atEnd
    ? [p[2 * n - 2]!, p[2 * n - 1]!, p[2 * n - 4]!, p[2 * n - 3]!]
    : [p[0]!, p[1]!, p[2]!, p[3]!];
  const outward = Math.atan2(ey - ny, ex - nx);
  const local = shape.points;
  const localHeading = Math.atan2(local[3]! - local[1]!, local[2]! - local[0]!);
  const heading = outward + random.between(-0.45, 0.45);
  const angle = heading - localHeading;
  const gap = (anchor.shape.chromatids.radius + shape.chromatids.radius) * 0.9;
  const sx = ex + gap * Math.cos(outward);
  const sy = ey + gap * Math.sin(outward);
  // where the local first point lands when placed at the origin, to shift it onto (sx, sy)
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const fx = cos * local[0]! - sin * local[1]!;
  const fy = sin * local[0]! + cos * local[1]!;
  return tryPlace(shape, angle, sx - fx, sy - fy, frame, obstacles, TOUCH_RULE(anchor.id));
}

/** Puts `shape` across the middle of `anchor` at a steep angle: overlapping chromosomes. */
function placeCrossing(
  random: SeededRandom,
  anchor: PlacedBody,
  shape: LocalShape,
  frame: { width: number; height: number },
  obstacles: readonly Obstacle[],
): Placement | undefined {
  const p = anchor.points;
  const n = p.length / 2;
  const k = Math.max(0, Math.min(n - 2, Math.floor(n / 2) - 1));
  if (n < 2) return undefined;
  const mx = (p[2 * k]! + p[2 * k + 2]!) / 2;
  const my = (p[2 * k + 1]! + p[2 * k + 3]!) / 2;
  const direction = Math.atan2(p[2 * k + 3]! - p[2 * k + 1]!, p[2 * k + 2]! - p[2 * k]!);
  const local = shape.points;
  const m = local.length / 2;
  const j = Math.max(0, Math.min(m - 2, Math.floor(m / 2) - 1));
  const localDirection =
    m < 2
      ? 0
      : Math.atan2(local[2 * j + 3]! - local[2 * j + 1]!, local[2 * j + 2]! - local[2 * j]!);
  const turn = (random.chance(0.5) ? 1 : -1) * random.between(0.7, 1.57);
  const angle = direction + turn - localDirection;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const lx = m < 2 ? local[0]! : (local[2 * j]! + local[2 * j + 2]!) / 2;
  const ly = m < 2 ? local[1]! : (local[2 * j + 1]! + local[2 * j + 3]!) / 2;
  const fx = cos * lx - sin * ly;
  const fy = sin * lx + cos * ly;
  return tryPlace(shape, angle, mx - fx, my - fy, frame, obstacles, TOUCH_RULE(anchor.id));
}
