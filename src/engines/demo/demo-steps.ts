import { join } from 'node:path';
import type { CliStep } from './cli-step.js';
import { DEMO_TRAINING, type DemoPlan } from './demo-plan.js';

/** What every step of the demo is planned from. */
interface StepPlan {
  readonly plan: DemoPlan;
  /** The ensemble's bundle.json (shipped, or trained by the demo). */
  readonly bundle: string;
  /** A path inside the demo's output folder. */
  at(...parts: string[]): string;
}

const list = (values: readonly number[]) => values.join(',');
const datasetOf = (s: StepPlan, dir: string) => s.at(dir, 'dataset.json');
const synthOutputs = (s: StepPlan, dir: string) => [datasetOf(s, dir), s.at(dir, 'truth.json')];
const lastMembers = (s: StepPlan) => `last:${s.plan.members}`;
const frame = (plan: DemoPlan) => ['--size', plan.size, '--scale', String(plan.scale)];

/** `--train`: a generated training set and `dicentra train` on it. */
function trainingSteps(s: StepPlan): CliStep[] {
  return [
    {
      name: 'synth-train',
      args: ['synth', '--out', s.at('train-set'), ...DEMO_TRAINING.synthArgs],
      inputs: [],
      outputs: synthOutputs(s, 'train-set'),
    },
    {
      name: 'train',
      args: [
        'train',
        ...['--data', datasetOf(s, 'train-set'), '--out', s.at('ensemble')],
        ...DEMO_TRAINING.trainArgs,
      ],
      inputs: [datasetOf(s, 'train-set')],
      outputs: [s.bundle],
    },
  ];
}

/** Labelled benchmark images, all in the test split. */
function testSetStep(s: StepPlan): CliStep {
  const { plan } = s;
  return {
    name: 'synth-test',
    args: [
      'synth',
      ...['--out', s.at('test-set'), '--count', String(plan.testImages)],
      ...['--seed', String(plan.seeds.test), '--split', '0,0,1'],
      ...frame(plan),
    ],
    inputs: [],
    outputs: synthOutputs(s, 'test-set'),
  };
}

/** Cells at known doses: the calibration set, or the simulated persons. */
function doseSetStep(
  s: StepPlan,
  name: string,
  dir: string,
  doses: readonly number[],
  cells: number,
  seed: number,
): CliStep {
  return {
    name,
    args: [
      'synth',
      ...['--mode', 'calibration', '--out', s.at(dir)],
      ...['--doses', list(doses), '--cells-per-dose', String(cells), '--seed', String(seed)],
      ...frame(s.plan),
    ],
    inputs: [],
    outputs: synthOutputs(s, dir),
  };
}

function calibrateStep(s: StepPlan): CliStep {
  const data = datasetOf(s, 'calibration-set');
  return {
    name: 'calibrate',
    args: [
      'calibrate',
      ...['--model', s.bundle, '--data', data, '--out', s.at('curve.json')],
      ...['--reference-coefficients', list(s.plan.trueCurve)],
      ...['--figure', s.at('calibration.svg'), '--cache', s.at('heatmap-cache')],
      ...['--members', lastMembers(s), '--pool', lastMembers(s)],
      ...['--sub-ensemble-size', String(s.plan.subEnsembleSize)],
    ],
    inputs: [s.bundle, data],
    outputs: [s.at('curve.json'), s.at('calibration.svg')],
  };
}

function doseStep(s: StepPlan): CliStep {
  const persons = datasetOf(s, 'persons');
  return {
    name: 'dose',
    args: [
      'dose',
      ...['--curve', s.at('curve.json'), '--model', s.bundle, '--images', persons],
      ...['--cache', s.at('heatmap-cache'), '--out', s.at('doses.json')],
      ...['--method', s.plan.doseMethod],
    ],
    inputs: [s.bundle, s.at('curve.json'), persons],
    outputs: [s.at('doses.json')],
  };
}

function evaluateStep(s: StepPlan): CliStep {
  const test = datasetOf(s, 'test-set');
  return {
    name: 'evaluate',
    args: [
      'evaluate',
      ...['--model', s.bundle, '--data', test, '--split', 'test', '--out', s.at('evaluation')],
      ...['--last', String(s.plan.members), '--ensemble-size', String(s.plan.subEnsembleSize)],
      ...['--cache', s.at('heatmap-cache')],
    ],
    inputs: [s.bundle, test],
    outputs: [s.at('evaluation', 'metrics.json'), s.at('evaluation', 'tables.md')],
  };
}

function detectStep(s: StepPlan): CliStep {
  const test = datasetOf(s, 'test-set');
  return {
    name: 'detect',
    args: [
      'detect',
      ...['--model', s.bundle, '--images', test, '--members', lastMembers(s)],
      ...['--out', s.at('test-detections.json'), '--cache', s.at('heatmap-cache')],
    ],
    inputs: [s.bundle, test],
    outputs: [s.at('test-detections.json')],
  };
}

/** The pipeline as `dicentra` command lines; each step's outputs feed the next. */
export function planSteps(
  plan: DemoPlan,
  outDir: string,
  bundle: string,
  train: boolean,
): CliStep[] {
  const s: StepPlan = { plan, bundle, at: (...parts) => join(outDir, ...parts) };
  return [
    ...(train ? trainingSteps(s) : []),
    testSetStep(s),
    doseSetStep(
      s,
      'synth-calibration',
      'calibration-set',
      plan.calibrationDoses,
      plan.calibrationCells,
      plan.seeds.calibration,
    ),
    doseSetStep(
      s,
      'synth-persons',
      'persons',
      plan.personDoses,
      plan.personCells,
      plan.seeds.persons,
    ),
    calibrateStep(s),
    doseStep(s),
    evaluateStep(s),
    detectStep(s),
  ];
}
