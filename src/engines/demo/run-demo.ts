import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import { bundleFilePath } from '../../formats/bundle-file.js';
import { readCurveFile } from '../../formats/curve-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { readDoseResultFile } from '../../formats/dose-result.js';
import { readDetectionsFile } from '../../formats/detections-file.js';
import { readTruthFile } from '../../formats/truth-file.js';
import { renderHtmlReport } from '../figures/html-report.js';
import { runCliStep } from './cli-step.js';
import { planSteps } from './demo-steps.js';
import { buildDemoReport, type DoseCase } from './demo-report.js';
import type { DemoPlan } from './demo-plan.js';

export interface DemoRequest {
  readonly plan: DemoPlan;
  readonly outDir: string;
  /** The shipped (or a given) ensemble; ignored when `train` is set. */
  readonly bundlePath: string;
  /** Train a fresh ensemble with DEMO_TRAINING instead of using `bundlePath`. */
  readonly train: boolean;
  readonly toolVersion: string;
  readonly signal: AbortSignal;
  log(message: string): void;
}

export interface DemoResult {
  readonly reportPath: string;
  readonly doseCases: readonly DoseCase[];
  readonly trueDoses: Readonly<Record<string, number>>;
  readonly ensembleOrigin: string;
  readonly reusedSteps: readonly string[];
  readonly seconds: number;
}

/** The cases of a dose result estimated from images (each with its detector spread). */
async function readImageDoseCases(path: string): Promise<DoseCase[]> {
  const result = await readDoseResultFile(path);
  return result.cases.map((c) => {
    if (!('detector' in c) || !c.detector || !c.statisticalDose) {
      throw new DicentraError(
        'DCN_E_SCHEMA_INVALID',
        `${path}: case "${c.id}" was not estimated from images`,
        {
          file: path,
          field: 'cases',
          hint: 'the demo estimates doses with `dicentra dose --images`; delete the file to recompute it',
        },
      );
    }
    return { ...c, detector: c.detector, statisticalDose: c.statisticalDose };
  });
}

/**
 * The demo: synthetic benchmark → ensemble → calibration curve from automated
 * counts → doses of simulated persons → HTML report. Every stage is a
 * `dicentra` command whose outputs are reused when its inputs are unchanged.
 */
export async function runDemo(request: DemoRequest): Promise<DemoResult> {
  const started = Date.now();
  const outDir = resolve(request.outDir);
  const bundle = request.train
    ? join(outDir, 'ensemble', 'bundle.json')
    : resolve(await bundleFilePath(request.bundlePath));
  const ensembleOrigin = request.train
    ? 'Ensemble trained in this run by `dicentra train` on a generated training set'
    : `Ensemble shipped with dicentra (${request.bundlePath}), trained by \`dicentra train\` with the recorded command (it does not fit the demo's time budget on a CPU; \`dicentra demo --train\` repeats it)`;
  request.log(ensembleOrigin);
  const steps = planSteps(request.plan, outDir, bundle, request.train);
  const reused: string[] = [];
  const results = new Map<string, unknown>();
  for (const [index, step] of steps.entries()) {
    request.log(
      `[demo ${index + 1}/${steps.length + 1}] ${step.name}: dicentra ${step.args.join(' ')}`,
    );
    const outcome = await runCliStep(
      step,
      join(outDir, 'steps'),
      request.toolVersion,
      request.signal,
    );
    if (outcome.reused) {
      reused.push(step.name);
      request.log(
        `[demo ${index + 1}/${steps.length + 1}] ${step.name}: reused (inputs unchanged)`,
      );
    }
    results.set(step.name, outcome.result);
  }
  request.log(`[demo ${steps.length + 1}/${steps.length + 1}] report`);
  const doseCases = await readImageDoseCases(join(outDir, 'doses.json'));
  const personsTruth = await readTruthFile(join(outDir, 'persons', 'truth.json'));
  const seconds = (Date.now() - started) / 1000;
  const report = await buildDemoReport({
    plan: request.plan,
    ensembleOrigin,
    bundlePath: bundle,
    curve: await readCurveFile(join(outDir, 'curve.json')),
    calibrationFigureSvg: await readFile(join(outDir, 'calibration.svg'), 'utf8'),
    calibrationTruth: await readTruthFile(join(outDir, 'calibration-set', 'truth.json')),
    personsTruth,
    doseCases,
    detections: await readDetectionsFile(join(outDir, 'test-detections.json')),
    detectionsDir: outDir,
    testTruth: await readTruthFile(join(outDir, 'test-set', 'truth.json')),
    evaluationDir: join(outDir, 'evaluation'),
    seconds,
    reusedSteps: reused,
  });
  const reportPath = join(outDir, 'report.html');
  await writeFileAtomic(reportPath, renderHtmlReport(report));
  const trueDoses = Object.fromEntries(
    doseCases.map((c) => [
      c.id,
      personsTruth.images.find((i) => i.sampleId === c.id)?.doseGy ?? Number.NaN,
    ]),
  );
  return { reportPath, doseCases, trueDoses, ensembleOrigin, reusedSteps: reused, seconds };
}
