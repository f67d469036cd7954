import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CELL_SIZE, writeCountedCell } from './counted-cell.js';

/** The curve of the review case: Y = C + αD + βD² with the docs/formats.md example's coefficients. */
export const REVIEW_CURVE = { c: 0.00128, alpha: 0.021, beta: 0.063 };

/** A detection of the review case: class, centre and votes out of 4 members. */
type Spot = [name: 'dicentric' | 'fragment', x: number, y: number, votes: number];

/**
 * Four 32×32 cells of case P1 (bright blocks where the dicentrics are, a dark one
 * for the fragment: test/support/counted-cell.ts), detected by a 4-member ensemble at T_A 0 (so a
 * detection's doubt is its vote fraction), dicentrics counted in every cell:
 * c1 two dicentrics (votes 2 and 4) and a fragment (3), c2 one dicentric (1),
 * c3 none, c4 one dicentric (4). Doubt order: c2 dicentric, c1 dicentric (2),
 * c1 fragment, c1 dicentric (4), c4 dicentric. Counts before review: C0…C2 = 1, 2, 1.
 */
export const REVIEW_CELLS: Record<string, Spot[]> = {
  c1: [
    ['dicentric', 6, 6, 2],
    ['dicentric', 14, 6, 4],
    ['fragment', 22, 6, 3],
  ],
  c2: [['dicentric', 6, 6, 1]],
  c3: [],
  c4: [['dicentric', 6, 6, 4]],
};

const detection = (x: number, y: number, votes: number) => ({
  x,
  y,
  area: 16,
  votes,
  voteFraction: votes / 4,
  meanValue: 0.6,
  maxValue: 0.9,
  spread: 0.05,
});

/**
 * Writes the case folder (images, detections.json, curve.json) into `dir`;
 * `paths` replaces the path detections.json records for some cells.
 */
export async function writeReviewCase(
  dir: string,
  paths: Readonly<Record<string, string>> = {},
): Promise<void> {
  await mkdir(join(dir, 'images'), { recursive: true });
  const images = [];
  for (const [id, spots] of Object.entries(REVIEW_CELLS)) {
    const dicentrics = spots.filter(([name]) => name === 'dicentric').length;
    await writeCountedCell(join(dir, 'images', `${id}.png`), dicentrics, spots.length - dicentrics);
    const byClass = (name: string) =>
      spots.filter(([n]) => n === name).map(([, x, y, votes]) => detection(x, y, votes));
    images.push({
      id,
      sampleId: 'P1',
      path: paths[id] ?? `images/${id}.png`,
      width: CELL_SIZE,
      height: CELL_SIZE,
      // c1 as a frame the detector saw resized (detections.json 1.2)
      ...(id === 'c1' ? { scaleFactor: 0.8 } : {}),
      detections: { dicentric: byClass('dicentric'), fragment: byClass('fragment') },
      counts: { dicentric: byClass('dicentric').length, fragment: byClass('fragment').length },
    });
  }
  const threshold = { tc: 0.5, adaptive: false, memberTc: [0.5, 0.5, 0.5, 0.5], ta: 0 };
  await writeFile(
    join(dir, 'detections.json'),
    JSON.stringify({
      version: '1.2',
      classes: ['dicentric', 'fragment'],
      bundle: {
        path: 'bundle.json',
        sha256: 'a'.repeat(64),
        memberEpochs: [1, 2, 3, 4],
        selection: { mode: 'all' },
      },
      thresholds: { dicentric: threshold, fragment: threshold },
      counting: { aberration: 'dicentric', requireClass: null },
      connectivity: 8,
      outputStride: 4,
      images,
      errors: [],
    }),
  );
  const { c, alpha, beta } = REVIEW_CURVE;
  await writeFile(
    join(dir, 'curve.json'),
    JSON.stringify({
      version: '1.0',
      aberration: 'dicentric',
      model: 'lq',
      family: 'poisson',
      familyChoice: 'automatic',
      method: 'glm',
      coefficients: [
        { name: 'C', estimate: c, stdError: 0.000471, statistic: 2.72, pValue: 0.0066 },
        { name: 'alpha', estimate: alpha, stdError: 0.00516, statistic: 4.08, pValue: 4.5e-5 },
        { name: 'beta', estimate: beta, stdError: 0.00401, statistic: 15.7, pValue: 9.6e-56 },
      ],
      varCov: [
        [2.2e-7, -9.9e-7, 4.4e-7],
        [-9.9e-7, 2.66e-5, -1.51e-5],
        [4.4e-7, -1.51e-5, 1.61e-5],
      ],
      correlation: [
        [1, -0.41, 0.23],
        [-0.41, 1, -0.73],
        [0.23, -0.73, 1],
      ],
      dispersion: null,
      pearsonDispersion: 0.822,
      statistics: { logLik: -35.71, deviance: 6.81, df: 8, aic: 77.42, bic: 78.62 },
      countTable: {
        layout: 'distribution',
        rows: [{ doseGy: 0, cells: 5000, aberrations: 8, distribution: [4992, 8, 0] }],
      },
      warnings: [],
    }),
  );
}

/** The dose the curve gives a yield: D = [−α + √(α² + 4β(Y − C))] / 2β. */
export function curveDose(yieldPerCell: number): number {
  const { c, alpha, beta } = REVIEW_CURVE;
  return (-alpha + Math.sqrt(alpha * alpha + 4 * beta * (yieldPerCell - c))) / (2 * beta);
}
