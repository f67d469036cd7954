/**
 * Metaphase quality control on the synthetic benchmark (docs/qc.md, "Measured").
 *
 * 1. QC accuracy: frames generated with --bad-frames 0.5; sensitivity per
 *    defect (share of bad frames judged not scorable), specificity (share of
 *    scorable frames judged scorable) and the count's error on scorable frames.
 * 2. Dose (with --model BUNDLE): a calibration at the paper's 12 doses and
 *    persons at U(0, 4) Gy, both with --bad-frames 0.3; the ensemble counts
 *    them as `calibrate` and `dose` do, with all cells, with the cells QC finds
 *    scorable (the default rules, as --qc auto), and with the truly scorable
 *    ones (truth.json: a perfect QC); dose error and 95% interval coverage.
 *
 *   npm run bench -- qc [--frames 200] [--model models/demo/bundle.json] [--persons 30]
 *     [--cells 20] [--calibration-cells 25] [--bad 0.3] [--size 768x672] [--scale 1] [--seed 1]
 *     [--work DIR]
 *
 * --work keeps the images and the heatmap cache, so a second run only counts.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { DEFAULT_QC_RULES, qcReasons } from '../src/cores/qc/qc-decision.js';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import type { Interval } from '../src/cores/dosimetry/dose-estimate.js';
import { selectMembers } from '../src/cores/ensemble/member-selection.js';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { DicentraError } from '../src/formats/dicentra-error.js';
import type { QcImage } from '../src/formats/qc.js';
import {
  FRAME_DEFECTS,
  truthSchema,
  type SynthParameters,
  type Truth,
} from '../src/formats/truth.js';
import { calibrateFromImages } from '../src/engines/dosimetry/calibrate-images.js';
import { curveRecord } from '../src/engines/dosimetry/curve-record.js';
import { estimateImageDoses } from '../src/engines/dosimetry/dose-from-images.js';
import { judgeFrames } from '../src/engines/qc/frame-qc.js';
import { generateSynthDataset } from '../src/engines/synth/synth-dataset.js';

const DOSES = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1, 1.5, 2, 3, 4];

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'qc'),
  strict: false,
  options: {
    frames: { type: 'string', default: '200' },
    model: { type: 'string' },
    persons: { type: 'string', default: '30' },
    cells: { type: 'string', default: '20' },
    'calibration-cells': { type: 'string', default: '25' },
    bad: { type: 'string', default: '0.3' },
    // the demo ensemble's training frames (models/demo/README.md): other scales it barely detects on
    size: { type: 'string', default: '768x672' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    work: { type: 'string' },
  },
});
const str = (name: string): string => String(args[name]);
const num = (name: string): number => Number(args[name]);
const fmt = (value: number, digits = 3) => value.toFixed(digits);
const seed = num('seed');
const work = args.work !== undefined ? str('work') : join(tmpdir(), `dicentra-qc-bench-${seed}`);
await mkdir(work, { recursive: true });
const threads = availableParallelism();
/** The default rules with the count's tolerance widened to the estimate's spread (docs/qc.md). */
const widened = { ...DEFAULT_QC_RULES, tolerance: 4 };

async function synth(
  outDir: string,
  params: SynthParameters,
  synthSeed: number,
  plan: { doses: number[]; cellsPerDose: number },
): Promise<Truth> {
  await generateSynthDataset({
    outDir,
    seed: synthSeed,
    params,
    mode: 'calibration',
    ...plan,
    doseRange: [0, 4],
    minAberrations: 0,
    labels: false,
    splitRatios: { train: 0.8, val: 0.1, test: 0.1 },
    threads,
    toolVersion: 'bench',
  });
  return truthSchema.parse(JSON.parse(await readFile(join(outDir, 'truth.json'), 'utf8')));
}

/** QC verdicts (reasons per image id) for a synthetic set, judged as `dicentra qc` does. */
async function judge(dir: string, truth: Truth): Promise<Map<string, QcImage>> {
  const judged = await judgeFrames({
    frames: truth.images.map((image) => ({
      id: image.id,
      file: join(dir, image.path),
      path: image.path,
    })),
    rules: DEFAULT_QC_RULES,
  });
  return new Map(judged.map((image) => [image.id, image]));
}

// ---- 1. QC accuracy against the generator's labels ----
{
  const params = {
    ...resolveSynthParameters({ width: 1008, height: 888, difficulty: 'medium' }),
    badFrames: 0.5,
  };
  const dir = join(work, 'accuracy');
  const frames = num('frames');
  let started = performance.now();
  const truth = await synth(dir, params, seed, { doses: [1], cellsPerDose: frames });
  const synthSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const verdicts = await judge(dir, truth);
  const perFrame = ((performance.now() - started) / frames).toFixed(0);
  console.log(
    `QC accuracy: ${frames} medium 1008×888 frames, --bad-frames 0.5 (synth ${fmt(synthSeconds, 0)} s, QC ${perFrame} ms/frame)`,
  );
  const rate = (hits: number, n: number) => `${fmt(n > 0 ? hits / n : NaN, 2)} (${hits}/${n})`;
  for (const defect of FRAME_DEFECTS) {
    const bad = truth.images.filter((image) => image.quality!.defects.includes(defect));
    const caught = bad.filter((image) => verdicts.get(image.id)!.reasons.length > 0);
    console.log(`  sensitivity ${defect.padEnd(20)} ${rate(caught.length, bad.length)}`);
  }
  const allBad = truth.images.filter((image) => !image.quality!.scorable);
  const caughtAll = allBad.filter((image) => verdicts.get(image.id)!.reasons.length > 0);
  console.log(
    `  sensitivity ${'(all defects)'.padEnd(20)} ${rate(caughtAll.length, allBad.length)}`,
  );
  const good = truth.images.filter((image) => image.quality!.scorable);
  const passed = good.filter((image) => verdicts.get(image.id)!.reasons.length === 0);
  console.log(
    `  specificity ${'(scorable frames)'.padEnd(20)} ${rate(passed.length, good.length)}`,
  );
  const decide = (image: Truth['images'][number]) =>
    qcReasons(verdicts.get(image.id)!.measures, widened).length === 0;
  console.log(
    `  with --tolerance 4: specificity ${rate(good.filter(decide).length, good.length)}, ` +
      `sensitivity ${rate(allBad.filter((image) => !decide(image)).length, allBad.length)}`,
  );
  const reasons = new Map<string, number>();
  for (const image of good) {
    for (const reason of verdicts.get(image.id)!.reasons)
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  console.log(
    `  scorable frames rejected by: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`,
  );
}

// ---- 2. dose with and without QC ----
const modelPath = args.model === undefined ? undefined : str('model');
if (!modelPath) {
  console.log('dose with and without QC: skipped (give --model BUNDLE)');
} else {
  const [width, height] = str('size').split('x').map(Number) as [number, number];
  const params = {
    ...resolveSynthParameters({ width, height, difficulty: 'medium', scale: num('scale') }),
    badFrames: num('bad'),
  };
  let started = performance.now();
  const calibrationDir = join(work, 'calibration');
  const calibrationTruth = await synth(calibrationDir, params, seed, {
    doses: DOSES,
    cellsPerDose: num('calibration-cells'),
  });
  const random = new SeededRandom(seed, 3);
  const persons = Array.from({ length: num('persons') }, (_, p) => ({
    p,
    doseGy: Math.round(random.between(0, 4) * 1e4) / 1e4,
    dir: join(work, `person-${p}`),
  }));
  const personTruths: Truth[] = [];
  for (const person of persons) {
    personTruths.push(
      await synth(person.dir, params, seed * 1000 + person.p + 1, {
        doses: [person.doseGy],
        cellsPerDose: num('cells'),
      }),
    );
  }
  console.log(
    `dose: calibration 12 doses × ${num('calibration-cells')} cells, ${persons.length} persons × ${num('cells')} cells at U(0, 4) Gy, ` +
      `${width}×${height} medium at scale ${num('scale')}, --bad-frames ${num('bad')} everywhere (synth ${fmt((performance.now() - started) / 1000, 0)} s)`,
  );
  started = performance.now();
  const calibrationQc = await judge(calibrationDir, calibrationTruth);
  const personQc = await Promise.all(
    persons.map((person, p) => judge(person.dir, personTruths[p]!)),
  );
  console.log(`  QC of every frame: ${fmt((performance.now() - started) / 1000, 0)} s`);

  const loaded = await readBundleFile(modelPath);
  // the last five members vote and make the sub-ensembles: inference on five members per cell
  const primary = selectMembers(loaded.bundle.members, {
    mode: 'last',
    count: Math.min(5, loaded.bundle.members.length),
  });
  const pool = primary;
  const size = Math.max(1, Math.min(primary.length, pool.length - 1));
  const cacheDir = join(work, 'heatmap-cache');
  type Keep = (truth: Truth['images'][number], qc: Map<string, QcImage>) => boolean;
  const variants: [string, Keep][] = [
    ['all cells (no QC)', () => true],
    ['QC (default rules, --qc auto)', (image, qc) => qc.get(image.id)!.reasons.length === 0],
    [
      'QC, count 46 ± 4 (--tolerance 4)',
      (image, qc) => qcReasons(qc.get(image.id)!.measures, widened).length === 0,
    ],
    ['truly scorable cells (perfect QC)', (image) => image.quality!.scorable],
  ];
  for (const [label, keep] of variants) {
    started = performance.now();
    const calibrationImages = calibrationTruth.images
      .filter((image) => keep(image, calibrationQc))
      .map((image) => ({
        id: image.id,
        file: join(calibrationDir, image.path),
        doseGy: image.doseGy,
      }));
    const calibration = await calibrateFromImages({
      loaded,
      images: calibrationImages,
      primary,
      pool,
      thresholds: { kind: 'adaptive', quantile: 0.3 },
      ta: Object.fromEntries(
        loaded.bundle.classes.map((name) => [name, Math.min(4, primary.length - 1)]),
      ),
      subEnsembles: { count: 50, size, seed },
      rule: { aberration: 'dicentric', requireClass: 'fragment' },
      model: 'lq',
      family: 'automatic',
      cacheDir,
    });
    const record = {
      ...curveRecord(
        calibration.fit,
        'automatic',
        { layout: 'distribution', groups: calibration.groups },
        { tool: 'bench qc' },
      ),
      detector: calibration.detector,
    };
    const errors: number[] = [];
    let covered = 0;
    let failed = 0;
    let cells = 0;
    /** Why persons got no interval: the error's code and message, counted. */
    const reasons = new Map<string, number>();
    for (let p = 0; p < persons.length; p++) {
      const person = persons[p]!;
      const images = personTruths[p]!.images.filter((image) => keep(image, personQc[p]!)).map(
        (image) => ({ id: image.id, file: join(person.dir, image.path), caseId: 'person' }),
      );
      cells += images.length;
      const dose = await estimateImageDoses({
        loaded,
        curve: record,
        curvePath: 'curve.json',
        cases: [{ id: 'person', images }],
        method: { kind: 'merkle', confYield: 0.83, confCurve: 0.83 },
        g: 1,
        conf: 0.95,
        cacheDir,
      }).then(
        ([result]) => result!.dose as Interval,
        (error: unknown) => {
          if (!(error instanceof DicentraError)) throw error;
          const reason = `${error.code}: ${error.message}`;
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          return undefined;
        },
      );
      if (!dose) {
        failed++;
        continue;
      }
      errors.push(dose.estimate - person.doseGy);
      if (dose.lower <= person.doseGy && person.doseGy <= dose.upper) covered++;
    }
    const n = errors.length;
    const bias = errors.reduce((s, e) => s + e, 0) / n;
    const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / n);
    const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / n;
    const [c, alpha, beta] = calibration.fit.coefficients.map((row) => row.estimate);
    console.log(
      `  ${label.padEnd(34)} calibration ${calibrationImages.length} cells (C ${c!.toPrecision(2)}, α ${alpha!.toPrecision(2)}, β ${beta!.toPrecision(2)}); ` +
        `persons ${fmt(cells / persons.length, 0)} cells each; mean |error| ${fmt(mae)} Gy, bias ${fmt(bias)} Gy, RMSE ${fmt(rmse)} Gy, ` +
        `coverage ${covered}/${persons.length}${failed ? ` (${failed} without an interval)` : ''} (${fmt((performance.now() - started) / 1000, 0)} s)`,
    );
    for (const [reason, count] of reasons) console.log(`    no interval for ${count}: ${reason}`);
  }
}
