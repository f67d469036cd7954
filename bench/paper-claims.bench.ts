/**
 * The paper's claims on the open synthetic benchmark (docs/benchmark.md):
 * Model A (L2, λ = 0) against Model B (Sparse Variation, λ = 0.2) as single
 * checkpoints, and the checkpoint ensemble at Model B's precision (Tables 1–2,
 * Fig. 3). Every stage is a `dicentra` command, reused when its inputs are
 * unchanged, so an interrupted run resumes where it stopped.
 *
 *   npm run bench -- paper-claims [--work runs/paper-claims] [--train-images 2600]
 *     [--test-images 200] [--epochs 24] [--warmup 16] [--sv-start-epoch 9]
 *     [--model-a BUNDLE] [--model-b BUNDLE]   (use bundles already trained with the same recipe)
 *
 * Both models are the `cpu` preset (docs/training.md), Model A with λ = 0. Beside the
 * evaluation's tables and figures it writes WORK/evaluation/learning-curves.svg, both runs'
 * validation P/R per epoch (when their run folders are at hand). On 2 CPU
 * cores the defaults take about five hours (two trainings of ~2 h, then inference on
 * the test images); with a GPU, raise --train-images and --epochs towards the paper's
 * 4,344 images × 100 epochs.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCliStep, type CliStep } from '../src/engines/demo/cli-step.js';
import { DEMO_TRAINING } from '../src/engines/demo/demo-plan.js';
import { TOOL_VERSION } from '../src/cli/tool-version.js';
import { learningCurvesSvg, readEpochEvents } from './learning-curves.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'paper-claims'),
  strict: false,
  options: {
    work: { type: 'string', default: 'runs/paper-claims' },
    'train-images': { type: 'string', default: '2600' },
    'test-images': { type: 'string', default: '200' },
    epochs: { type: 'string', default: '24' },
    warmup: { type: 'string', default: '16' },
    'sv-start-epoch': { type: 'string', default: '9' },
    'model-a': { type: 'string' },
    'model-b': { type: 'string' },
  },
});
const work = resolve(String(args.work));
const at = (...parts: string[]) => join(work, ...parts);
const frame = ['--size', '768x672', '--scale', '1'];

/** The shipped model's first-stage recipe (the cpu preset) with this run's epochs, for one λ. */
function trainArgs(lambda: string, svStart: string): string[] {
  return [
    ...DEMO_TRAINING.trainArgs,
    ...['--epochs', String(args.epochs), '--warmup', String(args.warmup)],
    ...['--lambda', lambda, '--sv-start-epoch', svStart],
  ];
}

const modelA = args['model-a'] ? resolve(String(args['model-a'])) : at('model-a', 'bundle.json');
const modelB = args['model-b'] ? resolve(String(args['model-b'])) : at('model-b', 'bundle.json');

const needsTraining = !args['model-a'] || !args['model-b'];
const steps: CliStep[] = [
  ...(needsTraining
    ? [
        {
          name: 'synth-train',
          args: [
            'synth',
            '--out',
            at('train-set'),
            '--count',
            String(args['train-images']),
            ...['--seed', '31', '--split', '0.9,0.05,0.05', '--difficulty', 'medium'],
            ...frame,
          ],
          inputs: [],
          outputs: [at('train-set', 'dataset.json')],
        },
      ]
    : []),
  {
    name: 'synth-test',
    args: [
      'synth',
      '--out',
      at('test-set'),
      '--count',
      String(args['test-images']),
      '--seed',
      '77',
      '--split',
      '0,0,1',
      ...frame,
    ],
    inputs: [],
    outputs: [at('test-set', 'dataset.json')],
  },
  ...(args['model-a']
    ? []
    : [
        {
          name: 'train-model-a',
          args: [
            'train',
            '--data',
            at('train-set', 'dataset.json'),
            '--out',
            at('model-a'),
            ...trainArgs('0', '1'),
          ],
          inputs: [at('train-set', 'dataset.json')],
          outputs: [at('model-a', 'bundle.json')],
        },
      ]),
  ...(args['model-b']
    ? []
    : [
        {
          name: 'train-model-b',
          args: [
            'train',
            '--data',
            at('train-set', 'dataset.json'),
            '--out',
            at('model-b'),
            ...trainArgs('0.2', String(args['sv-start-epoch'])),
          ],
          inputs: [at('train-set', 'dataset.json')],
          outputs: [at('model-b', 'bundle.json')],
        },
      ]),
  {
    name: 'evaluate',
    args: [
      'evaluate',
      '--model',
      modelB,
      '--baseline',
      modelA,
      '--data',
      at('test-set', 'dataset.json'),
      '--split',
      'test',
      '--out',
      at('evaluation'),
      '--ensemble-size',
      '5',
    ],
    inputs: [modelA, modelB, at('test-set', 'dataset.json')],
    outputs: [at('evaluation', 'tables.md')],
  },
];

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const started = Date.now();
for (const [index, step] of steps.entries()) {
  console.error(`[paper-claims ${index + 1}/${steps.length}] dicentra ${step.args.join(' ')}`);
  const outcome = await runCliStep(step, at('steps'), TOOL_VERSION, controller.signal);
  if (outcome.reused) console.error(`[paper-claims ${index + 1}/${steps.length}] reused`);
}
console.log(await readFile(at('evaluation', 'tables.md'), 'utf8'));
// Both runs' validation P/R per epoch, when their run folders (train.log) are at hand.
const runs = [
  { name: 'Model A (L2)', folder: dirname(modelA) },
  { name: 'Model B (Sparse Variation)', folder: dirname(modelB) },
];
const logged = await Promise.all(
  runs.map(({ folder }) =>
    access(join(folder, 'train.log')).then(
      () => true,
      () => false,
    ),
  ),
);
if (logged.every(Boolean)) {
  const curves = await Promise.all(
    runs.map(async ({ name, folder }) => ({ name, curve: await readEpochEvents(folder) })),
  );
  await writeFile(
    at('evaluation', 'learning-curves.svg'),
    await learningCurvesSvg(curves, 'Model A and Model B: validation P/R per epoch'),
  );
}
console.log(
  `figures: ${at('evaluation')}/*.svg; ${((Date.now() - started) / 60000).toFixed(1)} min`,
);
