/**
 * Dose validation on the synthetic benchmark (docs/dosimetry.md, "Validation").
 *
 * 1. Oracle detector (always; no images): the generator's exact per-cell
 *    dicentric scores. Calibration at the paper's 12 doses, persons at doses
 *    uniform in 0–4 Gy with 200–500 cells; coverage of the 95% dose intervals
 *    and the dose error. Isolates the statistics from any detector.
 * 2. Ensemble (with --model BUNDLE): synthetic calibration images at the 12
 *    doses and one synthetic person per folder; `calibrate` and `dose` engines
 *    as the commands run them; coverage of the statistical interval and of the
 *    interval widened by the sub-ensemble spread, dose errors, and the same
 *    persons scored by their truth.json counts (paired oracle).
 *
 *   npm run bench -- dose-validation [--model models/demo/bundle.json] [--persons 30]
 *     [--cells 200,500] [--calibration-cells 300] [--size 640x560] [--scale S]
 *     [--difficulty medium] [--method merkle|delta] [--sub-ensembles 100] [--quantile 0.3]
 *     [--members last:10] [--pool last:50] [--seed 1] [--work DIR] [--oracle-persons 2000]
 *
 * --work keeps the images and the heatmap cache, so a second run only counts.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { aberrationScore, drawAberrations } from '../src/cores/synth/dose-model.js';
import {
  DEFAULT_YIELDS,
  resolveSynthParameters,
  type Difficulty,
} from '../src/cores/synth/synth-presets.js';
import { summariseDistribution } from '../src/cores/dosimetry/aberration-table.js';
import { generaliseCurve } from '../src/cores/dosimetry/calibration-curve.js';
import { cellDistribution } from '../src/cores/dosimetry/cell-counts.js';
import { fitDoseEffectCurve } from '../src/cores/dosimetry/curve-fit.js';
import type { DoseGroup } from '../src/formats/count-table.js';
import type { Interval } from '../src/cores/dosimetry/dose-estimate.js';
import { selectMembers } from '../src/cores/ensemble/member-selection.js';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { truthSchema, type Truth } from '../src/formats/truth.js';
import { writeJsonAtomic } from '../src/formats/atomic-write.js';
import { parseMemberSelection } from '../src/engines/detect/ensemble-options.js';
import { calibrateFromImages } from '../src/engines/dosimetry/calibrate-images.js';
import { renderCalibrationFigure } from '../src/engines/dosimetry/calibration-figure.js';
import { calibrationCurveOf, curveRecord } from '../src/engines/dosimetry/curve-record.js';
import { estimateCaseDose } from '../src/engines/dosimetry/case-dose.js';
import {
  estimateImageDoses,
  type WholeBodyMethod,
} from '../src/engines/dosimetry/dose-from-images.js';
import { generateSynthDataset } from '../src/engines/synth/synth-dataset.js';
import { writeFileAtomic } from '../src/formats/atomic-write.js';
import { DicentraError } from '../src/formats/dicentra-error.js';

const DOSES = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1, 1.5, 2, 3, 4];
const TRUE_CURVE = DEFAULT_YIELDS.dicentric;

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'dose-validation'),
  strict: false,
  options: {
    model: { type: 'string' },
    persons: { type: 'string', default: '30' },
    cells: { type: 'string', default: '200,500' },
    'calibration-cells': { type: 'string', default: '300' },
    size: { type: 'string', default: '640x560' },
    scale: { type: 'string' },
    difficulty: { type: 'string', default: 'medium' },
    method: { type: 'string', default: 'merkle' },
    'sub-ensembles': { type: 'string', default: '100' },
    quantile: { type: 'string', default: '0.3' },
    members: { type: 'string', default: 'last:10' },
    pool: { type: 'string', default: 'last:50' },
    seed: { type: 'string', default: '1' },
    work: { type: 'string' },
    'oracle-persons': { type: 'string', default: '2000' },
  },
});
const str = (name: string): string => String(args[name]);
const num = (name: string): number => Number(args[name]);
const [cellsLow, cellsHigh] = str('cells').split(',').map(Number) as [number, number];
const seed = num('seed');
const methodName = str('method') === 'delta' ? 'delta' : 'merkle';
const method: WholeBodyMethod =
  methodName === 'delta'
    ? { kind: 'delta', conf: 0.95 }
    : { kind: 'merkle', confYield: 0.83, confCurve: 0.83 };
const methodLabel = methodName === 'delta' ? 'delta 95%' : 'Merkle 83%–83%';

const covers = (interval: Interval | undefined, dose: number) =>
  interval !== undefined && interval.lower <= dose && dose <= interval.upper;

/** A person whose interval cannot be computed (a curve that cannot reach the yield) counts as not covered. */
function attempt<T>(estimate: () => T): T | undefined {
  try {
    return estimate();
  } catch (error) {
    if (error instanceof DicentraError) return undefined;
    throw error;
  }
}
const fmt = (value: number, digits = 3) => value.toFixed(digits);

interface Person {
  readonly doseGy: number;
  readonly cells: number;
}

function drawPersons(count: number, random: SeededRandom): Person[] {
  return Array.from({ length: count }, () => ({
    doseGy: Math.round(random.between(0, 4) * 1e4) / 1e4,
    cells: random.integer(cellsLow, cellsHigh),
  }));
}

function groupsOf(doses: readonly number[], scores: readonly number[][]): DoseGroup[] {
  return doses.map((doseGy, i) => {
    const distribution = cellDistribution(scores[i]!);
    const summary = summariseDistribution(distribution);
    return { doseGy, cells: summary.cells, aberrations: summary.aberrations, distribution };
  });
}

function summarise(
  label: string,
  estimates: readonly (number | undefined)[],
  doses: readonly number[],
  covered: readonly boolean[],
): string {
  const errors = estimates.flatMap((value, i) => (value === undefined ? [] : [value - doses[i]!]));
  const failed = estimates.length - errors.length;
  const n = errors.length;
  const bias = errors.reduce((s, e) => s + e, 0) / n;
  const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / n);
  const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / n;
  const coverage = covered.filter(Boolean).length / covered.length;
  const se = Math.sqrt((0.95 * 0.05) / covered.length);
  return `  ${label.padEnd(44)} coverage ${fmt(coverage, 3)} (nominal 0.95 ± ${fmt(2 * se, 3)} at 2 SE, n = ${covered.length}${failed ? `, ${failed} without an interval` : ''})  bias ${fmt(bias)} Gy  RMSE ${fmt(rmse)} Gy  mean |error| ${fmt(mae)} Gy`;
}

/** Coverage per true-dose band: where an interval method misses, not only how often. */
function coverageByBand(doses: readonly number[], covered: readonly boolean[]): string {
  const bands = [0, 0.25, 0.5, 1, 2, 3, 4];
  return bands
    .slice(0, -1)
    .map((low, b) => {
      const high = bands[b + 1]!;
      const inBand = doses.flatMap((dose, i) =>
        dose >= low && (dose < high || (high === 4 && dose <= high)) ? [covered[i]!] : [],
      );
      const rate = inBand.filter(Boolean).length / inBand.length;
      return `${low}–${high} Gy ${fmt(rate, 2)} (${inBand.length})`;
    })
    .join(', ');
}

// ---- 1. oracle detector, pure generator core ----
{
  const persons = num('oracle-persons');
  const perCalibration = 40;
  const calibrations = Math.max(1, Math.ceil(persons / perCalibration));
  const cellsPerDose = num('calibration-cells');
  const estimates: (number | undefined)[] = [];
  const doses: number[] = [];
  const merkle: boolean[] = [];
  const delta: boolean[] = [];
  const started = performance.now();
  for (let c = 0; c < calibrations; c++) {
    const scores = DOSES.map((dose, i) => {
      const random = new SeededRandom(seed, 1, c, i);
      return Array.from(
        { length: cellsPerDose },
        () => aberrationScore(drawAberrations(random, dose, DEFAULT_YIELDS)).dicentric,
      );
    });
    const fit = fitDoseEffectCurve(groupsOf(DOSES, scores), { model: 'lq', family: 'automatic' });
    const curve = generaliseCurve(
      fit.coefficients.map((row) => row.estimate),
      fit.varCov,
    );
    const random = new SeededRandom(seed, 2, c);
    for (const person of drawPersons(Math.min(perCalibration, persons - doses.length), random)) {
      const cells = Array.from(
        { length: person.cells },
        () => aberrationScore(drawAberrations(random, person.doseGy, DEFAULT_YIELDS)).dicentric,
      );
      const row = { id: 'oracle', distribution: cellDistribution(cells) };
      const estimate = (method: WholeBodyMethod) =>
        attempt(() => estimateCaseDose(curve, row, method, 1, 'oracle').estimate);
      const m = estimate({ kind: 'merkle', confYield: 0.83, confCurve: 0.83 });
      const d = estimate({ kind: 'delta', conf: 0.95 });
      estimates.push(d?.dose.estimate);
      doses.push(person.doseGy);
      merkle.push(covers(m?.dose, person.doseGy));
      delta.push(covers(d?.dose, person.doseGy));
    }
  }
  console.log(
    `oracle detector (generator truth, no images): ${calibrations} calibrations × 12 doses × ${cellsPerDose} cells; ` +
      `${doses.length} persons at U(0, 4) Gy with ${cellsLow}–${cellsHigh} cells (${fmt((performance.now() - started) / 1000, 1)} s)`,
  );
  console.log(summarise('Merkle 83%–83%', estimates, doses, merkle));
  console.log(`    by true dose: ${coverageByBand(doses, merkle)}`);
  console.log(summarise('delta 95%', estimates, doses, delta));
  console.log(`    by true dose: ${coverageByBand(doses, delta)}`);
}

// ---- 2. the ensemble on synthetic images ----
const modelPath = args.model === undefined ? undefined : str('model');
if (!modelPath) {
  console.log('ensemble: skipped (give --model BUNDLE to validate a trained ensemble on images)');
} else {
  const [width, height] = str('size').split('x').map(Number) as [number, number];
  const params = resolveSynthParameters({
    width,
    height,
    difficulty: str('difficulty') as Difficulty,
    ...(args.scale !== undefined ? { scale: num('scale') } : {}),
  });
  const work =
    args.work !== undefined ? str('work') : join(tmpdir(), `dicentra-dose-validation-${seed}`);
  await mkdir(work, { recursive: true });
  const threads = availableParallelism();
  const synth = async (outDir: string, doses: number[], cellsPerDose: number, synthSeed: number) =>
    generateSynthDataset({
      outDir,
      seed: synthSeed,
      params,
      mode: 'calibration',
      doses,
      cellsPerDose,
      doseRange: [0, 4],
      minAberrations: 0,
      labels: false,
      splitRatios: { train: 0.8, val: 0.1, test: 0.1 },
      threads,
      toolVersion: 'bench',
    });
  const readTruth = async (dir: string) =>
    truthSchema.parse(JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')));

  let started = performance.now();
  const calibrationDir = join(work, 'calibration');
  await synth(calibrationDir, DOSES, num('calibration-cells'), seed);
  const persons = drawPersons(num('persons'), new SeededRandom(seed, 3));
  for (let p = 0; p < persons.length; p++) {
    await synth(
      join(work, `person-${p}`),
      [persons[p]!.doseGy],
      persons[p]!.cells,
      seed * 1000 + p + 1,
    );
  }
  const imageCount =
    DOSES.length * num('calibration-cells') + persons.reduce((s, p) => s + p.cells, 0);
  console.log(
    `synthetic images: ${imageCount} at ${width}×${height} (${params.difficulty}, scale ${fmt(params.scale, 2)}) in ${fmt((performance.now() - started) / 1000, 0)} s`,
  );

  const loaded = await readBundleFile(modelPath);
  const pick = (rule: string) => {
    const selection = parseMemberSelection(rule);
    return selectMembers(
      loaded.bundle.members,
      selection.mode === 'last'
        ? { mode: 'last', count: Math.min(selection.count, loaded.bundle.members.length) }
        : selection,
    );
  };
  const primary = pick(str('members'));
  const pool = pick(str('pool'));
  const size = Math.max(1, Math.min(primary.length, pool.length - 1));
  const cacheDir = join(work, 'heatmap-cache');
  const calibrationTruth = await readTruth(calibrationDir);
  started = performance.now();
  const calibration = await calibrateFromImages({
    loaded,
    images: calibrationTruth.images.map((image) => ({
      id: image.id,
      file: join(calibrationDir, image.path),
      doseGy: image.doseGy,
    })),
    primary,
    pool,
    thresholds: { kind: 'adaptive', quantile: num('quantile') },
    ta: Object.fromEntries(
      loaded.bundle.classes.map((name) => [name, Math.min(4, primary.length - 1)]),
    ),
    subEnsembles: { count: num('sub-ensembles'), size, seed },
    rule: { aberration: 'dicentric', requireClass: 'fragment' },
    model: 'lq',
    family: 'automatic',
    cacheDir,
    onProgress: (stage, done, total) => {
      if (done === total || done % 500 === 0)
        console.error(`  calibrate ${stage} ${done}/${total}`);
    },
  });
  const record = {
    ...curveRecord(
      calibration.fit,
      'automatic',
      { layout: 'distribution', groups: calibration.groups },
      { tool: 'bench dose-validation' },
    ),
    detector: calibration.detector,
  };
  await writeJsonAtomic(join(work, 'curve.json'), record);
  await writeFileAtomic(
    join(work, 'curve.svg'),
    await renderCalibrationFigure({
      curve: calibrationCurveOf(record),
      groups: calibration.groups,
      subCurves: calibration.detector.subEnsembles.curves.map((s) =>
        generaliseCurve(s.estimates, s.varCov),
      ),
      reference: {
        label: 'generator truth',
        curve: generaliseCurve([TRUE_CURVE.c, TRUE_CURVE.alpha, TRUE_CURVE.beta], []),
      },
      title: 'Synthetic calibration: ensemble vs generator truth',
    }),
  );
  const coefficients = calibration.fit.coefficients
    .map((row) => `${row.name} ${row.estimate.toPrecision(3)} ± ${row.stdError.toPrecision(2)}`)
    .join(', ');
  console.log(
    `ensemble curve (${primary.length} members, T_C q = ${str('quantile')}, fragment-gated): ${coefficients}; ` +
      `truth C ${TRUE_CURVE.c}, alpha ${TRUE_CURVE.alpha}, beta ${TRUE_CURVE.beta}; ` +
      `${calibration.detector.subEnsembles.curves.length} sub-ensemble curves (${fmt((performance.now() - started) / 1000, 0)} s)`,
  );

  // the paired oracle: truth.json counts of the same images
  const truthCurveFit = fitDoseEffectCurve(
    groupsOf(
      DOSES,
      DOSES.map((dose) =>
        calibrationTruth.images
          .filter((image) => image.doseGy === dose)
          .map((image) => image.counts.dicentric),
      ),
    ),
    { model: 'lq', family: 'automatic' },
  );
  const truthCurve = generaliseCurve(
    truthCurveFit.coefficients.map((row) => row.estimate),
    truthCurveFit.varCov,
  );

  started = performance.now();
  const cases: { id: string; images: { id: string; file: string; caseId: string }[] }[] = [];
  const truths: Truth[] = [];
  for (let p = 0; p < persons.length; p++) {
    const dir = join(work, `person-${p}`);
    const truth = await readTruth(dir);
    truths.push(truth);
    cases.push({
      id: `person-${p}`,
      images: truth.images.map((image) => ({
        id: image.id,
        file: join(dir, image.path),
        caseId: `person-${p}`,
      })),
    });
  }
  const rows = [];
  for (let p = 0; p < cases.length; p++) {
    const dose = persons[p]!.doseGy;
    const [result] = await estimateImageDoses({
      loaded,
      curve: record,
      curvePath: join(work, 'curve.json'),
      cases: [cases[p]!],
      method,
      g: 1,
      conf: 0.95,
      cacheDir,
    }).catch((error: unknown) => {
      if (error instanceof DicentraError) return [undefined];
      throw error;
    });
    const truthRow = {
      id: `person-${p}`,
      distribution: cellDistribution(truths[p]!.images.map((image) => image.counts.dicentric)),
    };
    const oracle = attempt(
      () => estimateCaseDose(truthCurve, truthRow, method, 1, 'oracle').estimate,
    );
    rows.push({ person: p, dose, cells: persons[p]!.cells, result, oracle });
  }
  console.log(
    `persons: ${rows.length}, counted in ${fmt((performance.now() - started) / 1000, 0)} s; ${methodLabel}`,
  );
  console.log(
    '  person  dose   cells  oracle est. [95%]          ensemble est.  statistical        with detector      detector sd',
  );
  for (const row of rows) {
    const none = { lower: NaN, estimate: NaN, upper: NaN };
    const s = row.result?.estimate.dose ?? none;
    const c = row.result?.dose ?? none;
    const o = row.oracle?.dose ?? none;
    console.log(
      `  ${String(row.person).padEnd(6)}  ${fmt(row.dose, 2)}  ${String(row.cells).padEnd(5)}  ${fmt(o.estimate)} [${fmt(o.lower)}, ${fmt(o.upper)}]   ${fmt(c.estimate)}          [${fmt(s.lower)}, ${fmt(s.upper)}]   [${fmt(c.lower)}, ${fmt(c.upper)}]   ${fmt(row.result?.detector.sd ?? NaN)}`,
    );
  }
  const trueDoses = rows.map((row) => row.dose);
  const ensembleEstimates = rows.map((row) => row.result?.dose.estimate);
  console.log(
    summarise(
      'oracle (truth.json counts, same persons)',
      rows.map((r) => r.oracle?.dose.estimate),
      trueDoses,
      rows.map((r) => covers(r.oracle?.dose, r.dose)),
    ),
  );
  console.log(
    summarise(
      'ensemble, counting + curve only',
      ensembleEstimates,
      trueDoses,
      rows.map((r) => covers(r.result?.estimate.dose, r.dose)),
    ),
  );
  console.log(
    summarise(
      'ensemble, with the sub-ensemble spread',
      ensembleEstimates,
      trueDoses,
      rows.map((r) => covers(r.result?.dose, r.dose)),
    ),
  );
  await writeJsonAtomic(join(work, 'dose-validation.json'), {
    settings: args,
    persons: rows.map((row) => ({
      dose: row.dose,
      cells: row.cells,
      oracle: row.oracle?.dose ?? null,
      statistical: row.result?.estimate.dose ?? null,
      combined: row.result?.dose ?? null,
      detector: row.result?.detector ?? null,
      subEnsembleDoses: row.result?.subEnsembleDoses ?? null,
    })),
  });
  console.log(`  wrote ${join(work, 'dose-validation.json')}, curve.json and curve.svg`);
}
