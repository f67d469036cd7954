/**
 * The paper's claims on the open synthetic benchmark (docs/benchmark.md):
 * Model A (L2, λ = 0) against Model B (Sparse Variation, λ = 0.2) as single
 * checkpoints, and the checkpoint ensemble at Model B's precision (Tables 1–2,
 * Fig. 3). Every stage is a `dicentra` command, reused when its inputs are
 * unchanged, so an interrupted run resumes where it stopped.
 *
 *   npm run bench -- paper-claims [--work runs/paper-claims] [--train-images 500]
 *     [--test-images 200] [--epochs 50] [--warmup 40] [--sv-start-epoch 11]
 *     [--model-a BUNDLE] [--model-b BUNDLE]   (use bundles already trained with the same recipe)
 *
 * On 2 CPU cores the defaults take about an hour (two trainings of ~20 min, then
 * inference on the test images); with a GPU, raise --train-images and --epochs
 * towards the paper's 4,344 images × 100 epochs.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCliStep, type CliStep } from '../src/engines/demo/cli-step.js';
import { DEMO_TRAINING } from '../src/engines/demo/demo-plan.js';
import { TOOL_VERSION } from '../src/cli/tool-version.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'paper-claims'),
  strict: false,
  options: {
    work: { type: 'string', default: 'runs/paper-claims' },
    'train-images': { type: 'string', default: '500' },
    'test-images': { type: 'string', default: '200' },
    epochs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '40' },
    'sv-start-epoch': { type: 'string', default: '11' },
    'model-a': { type: 'string' },
    'model-b': { type: 'string' },
  },
});
const work = resolve(String(args.work));
const at = (...parts: string[]) => join(work, ...parts);
const frame = ['--size', '768x672', '--scale', '1'];

/** The demo's training recipe with this run's epochs, for one λ. */
function trainArgs(lambda: string, svStart: string): string[] {
  const recipe: string[] = [...DEMO_TRAINING.trainArgs];
  const set = (flag: string, value: string) => {
    const index = recipe.indexOf(flag);
    if (index >= 0) recipe[index + 1] = value;
    else recipe.push(flag, value);
  };
  set('--epochs', String(args.epochs));
  set('--warmup', String(args.warmup));
  set('--lambda', lambda);
  set('--sv-start-epoch', svStart);
  return recipe;
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
            '--seed',
            '11',
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
console.log(
  `figures: ${at('evaluation')}/*.svg; ${((Date.now() - started) / 60000).toFixed(1)} min`,
);
