import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import { bundleFilePath } from '../../formats/bundle-file.js';
import { readCurveFile } from '../../formats/curve-file.js';
import { readDetectionsFile } from '../../formats/detections-file.js';
import { readTruthFile } from '../../formats/truth-file.js';
import { renderHtmlReport } from '../figures/html-report.js';
import { runCliStep, type CliStep } from './cli-step.js';
import { buildDemoReport, type DoseCase } from './demo-report.js';
import { DEMO_TRAINING, type DemoPlan } from './demo-plan.js';

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

const list = (values: readonly number[]) => values.join(',');

/** The pipeline as `dicentra` command lines; each step's outputs feed the next. */
function planSteps(request: DemoRequest, bundle: string): CliStep[] {
  const { plan, outDir } = request;
  const at = (...parts: string[]) => join(outDir, ...parts);
  const frame = ['--size', plan.size, '--scale', String(plan.scale)];
  const dataset = (dir: string) => at(dir, 'dataset.json');
  const synthOutputs = (dir: string) => [dataset(dir), at(dir, 'truth.json')];
  const lastMembers = `last:${plan.members}`;
  const trainSteps: CliStep[] = request.train
    ? [
        {
          name: 'synth-train',
          args: ['synth', '--out', at('train-set'), ...DEMO_TRAINING.synthArgs],
          inputs: [],
          outputs: synthOutputs('train-set'),
        },
        {
          name: 'train',
          args: [
            'train',
            '--data',
            dataset('train-set'),
            '--out',
            at('ensemble'),
            ...DEMO_TRAINING.trainArgs,
          ],
          inputs: [dataset('train-set')],
          outputs: [bundle],
        },
      ]
    : [];
  return [
    ...trainSteps,
    {
      name: 'synth-test',
      args: [
        'synth',
        '--out',
        at('test-set'),
        '--count',
        String(plan.testImages),
        '--seed',
        String(plan.seeds.test),
        '--split',
        '0,0,1',
        ...frame,
      ],
      inputs: [],
      outputs: synthOutputs('test-set'),
    },
    {
      name: 'synth-calibration',
      args: [
        'synth',
        '--mode',
        'calibration',
        '--out',
        at('calibration-set'),
        '--doses',
        list(plan.calibrationDoses),
        '--cells-per-dose',
        String(plan.calibrationCells),
        '--seed',
        String(plan.seeds.calibration),
        ...frame,
      ],
      inputs: [],
      outputs: synthOutputs('calibration-set'),
    },
    {
      name: 'synth-persons',
      args: [
        'synth',
        '--mode',
        'calibration',
        '--out',
        at('persons'),
        '--doses',
        list(plan.personDoses),
        '--cells-per-dose',
        String(plan.personCells),
        '--seed',
        String(plan.seeds.persons),
        ...frame,
      ],
      inputs: [],
      outputs: synthOutputs('persons'),
    },
    {
      name: 'calibrate',
      args: [
        'calibrate',
        '--model',
        bundle,
        '--data',
        dataset('calibration-set'),
        '--out',
        at('curve.json'),
        '--reference-coefficients',
        list(plan.trueCurve),
        '--figure',
        at('calibration.svg'),
        '--cache',
        at('heatmap-cache'),
        '--members',
        lastMembers,
        '--pool',
        lastMembers,
        '--sub-ensemble-size',
        String(plan.subEnsembleSize),
      ],
      inputs: [bundle, dataset('calibration-set')],
      outputs: [at('curve.json'), at('calibration.svg')],
    },
    {
      name: 'dose',
      args: [
        'dose',
        '--curve',
        at('curve.json'),
        '--model',
        bundle,
        '--images',
        dataset('persons'),
        '--cache',
        at('heatmap-cache'),
        '--out',
        at('doses.json'),
        '--method',
        plan.doseMethod,
      ],
      inputs: [bundle, at('curve.json'), dataset('persons')],
      outputs: [at('doses.json')],
    },
    {
      name: 'evaluate',
      args: [
        'evaluate',
        '--model',
        bundle,
        '--data',
        dataset('test-set'),
        '--split',
        'test',
        '--out',
        at('evaluation'),
        '--last',
        String(plan.members),
        '--ensemble-size',
        String(plan.subEnsembleSize),
        '--cache',
        at('heatmap-cache'),
      ],
      inputs: [bundle, dataset('test-set')],
      outputs: [at('evaluation', 'metrics.json'), at('evaluation', 'tables.md')],
    },
    {
      name: 'detect',
      args: [
        'detect',
        '--model',
        bundle,
        '--images',
        dataset('test-set'),
        '--members',
        lastMembers,
        '--out',
        at('test-detections.json'),
      ],
      inputs: [bundle, dataset('test-set')],
      outputs: [at('test-detections.json')],
    },
  ];
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
  const steps = planSteps({ ...request, outDir }, bundle);
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
  const doseCases = (
    JSON.parse(await readFile(join(outDir, 'doses.json'), 'utf8')) as { cases: DoseCase[] }
  ).cases;
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
