import type { Point, Split } from '../../formats/dataset.js';
import type { SynthParameters, TruthCounts, TruthImage, TruthObject } from '../../formats/truth.js';
import type { PlacedBody, SynthCell } from './generate-cell.js';

/** Coordinates in files keep two decimals: far below a pixel, and stable text. */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The point at arc length `s` along a placed body's spine. */
export function pointAtArc(body: PlacedBody, s: number): Point {
  const { points, arcs } = body;
  const n = points.length / 2;
  const length = arcs[arcs.length - 1]!;
  const at = body.shape.closed
    ? ((s % length) + length) % length
    : Math.max(0, Math.min(length, s));
  let segment = 0;
  while (segment < arcs.length - 2 && arcs[segment + 1]! < at) segment++;
  const j = (segment + 1) % n;
  const span = arcs[segment + 1]! - arcs[segment]!;
  const t = span > 0 ? (at - arcs[segment]!) / span : 0;
  return [
    points[2 * segment]! + t * (points[2 * j]! - points[2 * segment]!),
    points[2 * segment + 1]! + t * (points[2 * j + 1]! - points[2 * segment + 1]!),
  ];
}

/**
 * The annotation points of a body: a dicentric's lies on its spine midway
 * (along the body) between its two centromeres; a tricentric gives one per
 * neighbouring pair (it scores as two dicentrics); a fragment's is the middle
 * of its spine. The spine runs between the sisters, inside the stained band.
 */
export function annotationPoints(body: PlacedBody): Point[] {
  const arcs = body.shape.centromereArcs;
  switch (body.spec.type) {
    case 'dicentric':
    case 'tricentric':
      return arcs.slice(1).map((c, k) => pointAtArc(body, (arcs[k]! + c) / 2));
    case 'fragment':
      return [pointAtArc(body, body.arcs[body.arcs.length - 1]! / 2)];
    default:
      return [];
  }
}

/** Doses keep four decimals (0.1 mGy). */
export function roundDose(doseGy: number): number {
  return Math.round(doseGy * 1e4) / 1e4;
}

function roundPoint(point: Point): Point {
  return [round2(point[0]), round2(point[1])];
}

function bodyBox(
  body: PlacedBody,
  width: number,
  height: number,
): [number, number, number, number] {
  let xMin = Infinity;
  let yMin = Infinity;
  let xMax = -Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < body.points.length; i += 2) {
    xMin = Math.min(xMin, body.points[i]!);
    xMax = Math.max(xMax, body.points[i]!);
    yMin = Math.min(yMin, body.points[i + 1]!);
    yMax = Math.max(yMax, body.points[i + 1]!);
  }
  const r = body.shape.reach;
  return [
    round2(Math.max(0, xMin - r)),
    round2(Math.max(0, yMin - r)),
    round2(Math.min(width, xMax + r)),
    round2(Math.min(height, yMax + r)),
  ];
}

export function cellCounts(cell: SynthCell): TruthCounts {
  const bodies = cell.bodies;
  const ofType = (type: string) => bodies.filter((b) => b.spec.type === type).length;
  const tricentric = ofType('tricentric');
  const dicentricBodies = ofType('dicentric');
  return {
    dicentric: dicentricBodies + 2 * tricentric,
    fragment: ofType('fragment'),
    dicentricBodies,
    tricentric,
    ring: ofType('ring'),
    centromeres: bodies.reduce((sum, b) => sum + b.spec.centromeres.length, 0),
    centricBodies: bodies.filter((b) => b.spec.centromeres.length > 0).length,
    nuclei: cell.rounds.filter((r) => r.type === 'nucleus').length,
    debris: cell.rounds.filter((r) => r.type === 'debris').length,
  };
}

export interface ImageIdentity {
  readonly id: string;
  readonly path: string;
  readonly split: Split;
  readonly sampleId?: string;
}

/**
 * The full ground truth of one generated image, as truth.json records it;
 * with `drawn`, the image's own parameters (the wide preset draws them per image).
 */
export function cellTruth(
  cell: SynthCell,
  identity: ImageIdentity,
  drawn?: SynthParameters,
): TruthImage {
  const objects: TruthObject[] = cell.bodies.map((body) => ({
    id: body.id,
    type: body.spec.type,
    target: body.target,
    tags: [...body.tags].sort(),
    spine: Array.from({ length: body.points.length / 2 }, (_, i) =>
      roundPoint([body.points[2 * i]!, body.points[2 * i + 1]!]),
    ),
    closed: body.shape.closed,
    centromeres: body.shape.centromereArcs.map((c) => roundPoint(pointAtArc(body, c))),
    lengthPx: round2(body.spec.lengthPx),
    widthPx: round2(2 * (body.shape.chromatids.offset + body.shape.chromatids.radius)),
    sisterSeparation: round2(body.shape.chromatids.separationLevel),
    bbox: bodyBox(body, cell.width, cell.height),
    points: annotationPoints(body).map(roundPoint),
  }));
  for (const round of cell.rounds) {
    const r = round.radius;
    objects.push({
      id: round.id,
      type: round.type,
      target: false,
      centre: roundPoint([round.x, round.y]),
      radiusPx: round2(r),
      bbox: [
        round2(Math.max(0, round.x - r)),
        round2(Math.max(0, round.y - r)),
        round2(Math.min(cell.width, round.x + r)),
        round2(Math.min(cell.height, round.y + r)),
      ],
    });
  }
  for (const line of cell.scratches) {
    const w = line.width;
    objects.push({
      id: line.id,
      type: 'scratch',
      target: false,
      from: roundPoint([line.x0, line.y0]),
      to: roundPoint([line.x1, line.y1]),
      widthPx: round2(w),
      bbox: [
        round2(Math.max(0, Math.min(line.x0, line.x1) - w)),
        round2(Math.max(0, Math.min(line.y0, line.y1) - w)),
        round2(Math.min(cell.width, Math.max(line.x0, line.x1) + w)),
        round2(Math.min(cell.height, Math.max(line.y0, line.y1) + w)),
      ],
    });
  }
  if (cell.label) {
    const l = cell.label;
    objects.push({
      id: l.id,
      type: 'label',
      target: false,
      text: l.text,
      bbox: [l.x, l.y, l.x + l.width, l.y + l.height],
    });
  }
  return {
    id: identity.id,
    path: identity.path,
    width: cell.width,
    height: cell.height,
    split: identity.split,
    ...(identity.sampleId ? { sampleId: identity.sampleId } : {}),
    doseGy: roundDose(cell.doseGy),
    index: cell.index,
    rejectedCells: cell.rejectedCells,
    longestChromosomePx: round2(cell.longestChromosomePx),
    sisterSeparation: round2(cell.sisterSeparation),
    counts: cellCounts(cell),
    optics: {
      backgroundGrey: round2(cell.optics.background),
      contrast: round2(cell.optics.contrast),
      blurSigmaPx: round2(cell.optics.blurSigma),
      noiseSigma: round2(cell.optics.noiseSigma),
    },
    ...(drawn ? { parameters: drawn } : {}),
    ...(cell.quality ? { quality: cell.quality } : {}),
    objects,
  };
}

/** The dataset points of an image, per class. */
export function cellPoints(cell: SynthCell): { dicentric: Point[]; fragment: Point[] } {
  const dicentric: Point[] = [];
  const fragment: Point[] = [];
  for (const body of cell.bodies) {
    const points = annotationPoints(body).map(roundPoint);
    if (body.spec.type === 'fragment') fragment.push(...points);
    else dicentric.push(...points);
  }
  return { dicentric, fragment };
}
