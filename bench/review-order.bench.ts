/**
 * Review order (docs/review.md, "How much review a case needs").
 *
 * A synthetic case of 200 cells at 2 Gy (`synth --mode calibration --labels`: the
 * points are the generator's exact truth) is made a review case by `review --init`
 * with the bundle. A simulated reviewer goes through the queue and accepts a
 * candidate iff a true aberration of its class lies within the bundle's gtRadius,
 * rejecting it otherwise, in doubt order (the page's) and in image order. After
 * each tile the live panel's count and dose (Merkle 83%–83%, as the page shows
 * them) are recorded; at the end the reviewer adds the aberrations no candidate
 * marked (the cell view's click). The curve is fitted to the generator's own
 * scores under the case's counting rule (dicentrics in cells with a fragment),
 * 12 doses × 1000 cells, as an oracle detector would count them.
 *
 *   npm run bench -- review-order [--model models/demo] [--cells 200] [--dose 2]
 *     [--seed 5] [--work DIR] [--figure docs/img/review-order.svg]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TopLevelSpec } from 'vega-lite';
import { summariseDistribution } from '../src/cores/dosimetry/aberration-table.js';
import { cellDistribution } from '../src/cores/dosimetry/cell-counts.js';
import { fitDoseEffectCurve } from '../src/cores/dosimetry/curve-fit.js';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { aberrationScore, drawAberrations } from '../src/cores/synth/dose-model.js';
import { DEFAULT_YIELDS } from '../src/cores/synth/synth-presets.js';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { writeCurveFile } from '../src/formats/curve-file.js';
import { readDatasetFile } from '../src/formats/dataset-file.js';
import { provenanceNow } from '../src/formats/provenance.js';
import { curveRecord } from '../src/engines/dosimetry/curve-record.js';
import { renderVegaLiteSvg } from '../src/engines/figures/render-plot.js';
import { candidatesOf, readReviewCase, type Candidate } from '../src/engines/review/review-case.js';
import { reviewPanel } from '../src/engines/review/review-panel.js';
import type { AddedPoint, Decision, ReviewSnapshot } from '../src/engines/review/review-store.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const CALIBRATION_DOSES = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1, 1.5, 2, 3, 4];

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'review-order'),
  strict: false,
  options: {
    model: { type: 'string', default: 'models/demo' },
    cells: { type: 'string', default: '200' },
    dose: { type: 'string', default: '2' },
    seed: { type: 'string', default: '5' },
    work: { type: 'string', default: join(tmpdir(), 'dicentra-review-order') },
    figure: { type: 'string' },
  },
});
const str = (name: string) => String(args[name]);
const work = str('work');
const seed = Number(str('seed'));

function dicentra(argv: string[]): void {
  console.log(`  $ dicentra ${argv.join(' ')}`);
  const run = spawnSync(process.execPath, [CLI, ...argv, '--quiet'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`dicentra ${argv[0]} failed (exit ${run.status})`);
}

// ---- the case: synthetic cells with exact points, detected by the bundle ----
const synth = join(work, 'synth');
// One case per bundle (by its bytes), so another model is never scored from a stale case.
const model = str('model');
const bundleFile = model.endsWith('.json') ? model : join(model, 'bundle.json');
const bundleHash = createHash('sha256').update(readFileSync(bundleFile)).digest('hex').slice(0, 12);
const caseDir = join(work, `case-${bundleHash}`);
if (!existsSync(join(synth, 'dataset.json'))) {
  dicentra([
    ...['synth', '--mode', 'calibration', '--doses', str('dose'), '--cells-per-dose', str('cells')],
    ...['--labels', '--size', '768x672', '--scale', '1', '--seed', String(seed), '--out', synth],
  ]);
}
if (!existsSync(join(caseDir, 'detections.json'))) {
  dicentra(
    ['review', '--init', '--case', caseDir, '--images', join(synth, 'dataset.json')].concat([
      '--model',
      model,
    ]),
  );
}

// ---- the curve: the generator's scores under the case's rule, 12 doses × 1000 cells ----
const groups = CALIBRATION_DOSES.map((doseGy, i) => {
  const random = new SeededRandom(seed, 7, i);
  const scores = Array.from({ length: 1000 }, () => {
    const score = aberrationScore(drawAberrations(random, doseGy, DEFAULT_YIELDS));
    return score.fragment > 0 ? score.dicentric : 0;
  });
  const distribution = cellDistribution(scores);
  const summary = summariseDistribution(distribution);
  return { doseGy, cells: summary.cells, aberrations: summary.aberrations, distribution };
});
const fit = fitDoseEffectCurve(groups, { model: 'lq', family: 'automatic' });
await writeCurveFile(
  join(caseDir, 'curve.json'),
  curveRecord(
    fit,
    'automatic',
    { layout: 'distribution', groups },
    {
      ...provenanceNow('review-order bench', '0'),
      seed,
    },
  ),
);

// ---- the simulated reviewer ----
const reviewCase = await readReviewCase(caseDir);
const { bundle } = await readBundleFile(str('model'));
const truth = new Map(
  (await readDatasetFile(join(synth, 'dataset.json'))).images.map((image) => [
    image.id,
    image.points!,
  ]),
);
const isTrue = (candidate: Candidate) =>
  (truth.get(candidate.image)![candidate.class] ?? []).some(
    ([x, y]) => Math.hypot(x - candidate.x, y - candidate.y) <= bundle.gtRadius,
  );
const rule = reviewPanel(reviewCase, { decisions: new Map(), cells: new Map(), added: [] }).rule;
/** The truth count under the rule: the generator's points, scored as the case is. */
const truthCount = [...truth.values()].reduce(
  (sum, points) =>
    sum +
    (rule.requireClass === null || (points[rule.requireClass] ?? []).length > 0
      ? (points[rule.aberration] ?? []).length
      : 0),
  0,
);

/** The true points no accepted candidate marks (what the reviewer adds by a click). */
function missed(decisions: ReadonlyMap<string, Decision>): AddedPoint[] {
  const added: AddedPoint[] = [];
  for (const [image, points] of truth) {
    for (const [name, list] of Object.entries(points)) {
      for (const [x, y] of list) {
        const marked = reviewCase.candidates.some(
          (c) =>
            c.image === image &&
            c.class === name &&
            decisions.get(c.id) === 'accepted' &&
            Math.hypot(x - c.x, y - c.y) <= bundle.gtRadius,
        );
        if (!marked) {
          added.push({ id: added.length + 1, image, class: name, x, y, reviewer: 'bench', at: '' });
        }
      }
    }
  }
  return added;
}

interface Step {
  readonly order: string;
  readonly tiles: number;
  readonly count: number;
  readonly dose: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

function simulate(order: string, queue: readonly Candidate[]): Step[] {
  const decisions = new Map<string, Decision>();
  const steps: Step[] = [];
  const record = (review: ReviewSnapshot, tiles: number) => {
    const panel = reviewPanel(reviewCase, review).cases[0]!;
    steps.push({
      order,
      tiles,
      count: panel.table.aberrations,
      dose: panel.dose?.estimate ?? null,
      lower: panel.dose?.lower ?? null,
      upper: panel.dose?.upper ?? null,
    });
  };
  record({ decisions, cells: new Map(), added: [] }, 0);
  queue.forEach((candidate, index) => {
    decisions.set(candidate.id, isTrue(candidate) ? 'accepted' : 'rejected');
    record({ decisions, cells: new Map(), added: [] }, index + 1);
  });
  record({ decisions, cells: new Map(), added: missed(decisions) }, queue.length + 1);
  return steps;
}

const doubt = simulate('doubt order', reviewCase.candidates);
const image = simulate('image order', candidatesOf(reviewCase.detections));
const total = reviewCase.candidates.length;
/** Tiles reviewed when the count first comes down (or up) to the truth count. */
const reachesTruth = (steps: readonly Step[]) => {
  const start = Math.sign(steps[0]!.count - truthCount);
  const k = steps.findIndex(
    (step) => step.tiles <= total && Math.sign(step.count - truthCount) !== start,
  );
  return k < 0 ? null : k;
};
/** Tiles reviewed when `share` of the false candidates are rejected. */
const falseRejected = (queue: readonly Candidate[], share: number) => {
  const wanted = Math.ceil(share * queue.filter((c) => !isTrue(c)).length);
  let seen = 0;
  return queue.findIndex((c) => !isTrue(c) && ++seen === wanted) + 1;
};
const at = (steps: readonly Step[], k: number) => steps[Math.min(k, steps.length - 1)]!;
const show = (step: Step) =>
  `${step.count} dicentrics, dose ${step.dose?.toFixed(3) ?? '—'} Gy [${step.lower?.toFixed(3) ?? '—'}, ${step.upper?.toFixed(3) ?? '—'}]`;
const falsePositives = reviewCase.candidates.filter((c) => !isTrue(c)).length;
console.log(
  `${reviewCase.detections.images.length} cells at ${str('dose')} Gy, ${total} candidates (${falsePositives} false), gtRadius ${bundle.gtRadius}; ` +
    `counting ${rule.aberration}s${rule.requireClass ? ` in cells with a ${rule.requireClass}` : ''}; truth ${truthCount}`,
);
for (const [steps, queue] of [
  [doubt, reviewCase.candidates],
  [image, candidatesOf(reviewCase.detections)],
] as const) {
  const k = reachesTruth(steps);
  console.log(
    `  ${steps[0]!.order}: the count reaches the truth (${truthCount}) after ${k ?? '—'} of ${total} tiles` +
      `${k === null ? '' : ` (${((100 * k) / total).toFixed(0)}%)`}; half of the false candidates rejected after ` +
      `${falseRejected(queue, 0.5)}, 90% after ${falseRejected(queue, 0.9)} tiles`,
  );
  for (const tiles of [
    0,
    Math.round(total / 10),
    Math.round(total / 4),
    Math.round(total / 2),
    total,
  ]) {
    console.log(`    ${String(tiles).padStart(4)} tiles: ${show(at(steps, tiles))}`);
  }
  console.log(`    + added: ${show(steps[steps.length - 1]!)}`);
}

if (args.figure) {
  const rows = [...doubt, ...image].filter((step) => step.tiles <= total && step.dose !== null);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Review of ${reviewCase.detections.images.length} synthetic cells at ${str('dose')} Gy: dose as tiles are reviewed`,
    width: 520,
    height: 260,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x: { field: 'tiles', type: 'quantitative', title: 'tiles reviewed' },
          color: { field: 'order', type: 'nominal', title: null },
          y: { field: 'lower', type: 'quantitative', title: 'dose (Gy), Merkle 83%–83%' },
          y2: { field: 'upper' },
        },
      },
      {
        mark: 'line',
        encoding: {
          x: { field: 'tiles', type: 'quantitative' },
          y: { field: 'dose', type: 'quantitative' },
          color: { field: 'order', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ dose: Number(str('dose')) }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: 'black' },
        encoding: { y: { field: 'dose', type: 'quantitative' } },
      },
    ],
  };
  await writeFile(str('figure'), await renderVegaLiteSvg(spec));
  console.log(`  wrote ${str('figure')}`);
}
await writeFile(join(work, 'review-order.json'), JSON.stringify({ doubt, image, truthCount }));
