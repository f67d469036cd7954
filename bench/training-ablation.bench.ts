/**
 * Which parts of the `cpu` recipe matter, at equal wall time (docs/training.md, “Choosing the recipe”).
 *
 * Every variant changes one thing from the base, the `cpu` preset with plain L2 (λ = 0;
 * the Sparse-Variation term is compared at full length by `npm run bench -- paper-claims`),
 * trained for a short budget: `--epochs` epochs of the base (one crop per training image
 * each). A variant whose training step costs more or less than the base's trains for
 * proportionally fewer or more epochs: the step rates are measured first, in this run, so
 * every variant gets the same training time on this machine. Its last epoch's validation
 * P/R (T_C 0.5) is its score; every epoch's is its learning curve.
 *
 *   npm run bench -- training-ablation --data DATASET.json [--work runs/ablation]
 *     [--epochs 5] [--distinct-images 400] [--variants base,stem-stride4,…]
 *
 * DATASET.json is a `dicentra synth` dataset with truth.json beside it (the look-alike
 * crops need its tags) and train and val images; without --data the `cpu` preset's data
 * are made (2,600 medium images, seed 31, ~4 min). Each variant is a `dicentra train`
 * run in WORK/VARIANT; an interrupted bench resumes them, finished ones are reused.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '../src/formats/atomic-write.js';
import { runCliStep } from '../src/engines/demo/cli-step.js';
import { TOOL_VERSION } from '../src/cli/tool-version.js';
import { findTrainingPython, WORKER_PYTHONPATH } from '../src/engines/train/python-runtime.js';
import { cpuModel } from './cpu-model.js';
import { learningCurvesSvg, readEpochEvents, type EpochEvent } from './learning-curves.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'training-ablation'),
  strict: false,
  options: {
    data: { type: 'string' },
    work: { type: 'string', default: 'runs/ablation' },
    epochs: { type: 'string', default: '5' },
    'distinct-images': { type: 'string', default: '400' },
    variants: { type: 'string' },
  },
});

interface Variant {
  readonly name: string;
  readonly change: string;
  /** Config keys over the base's. */
  readonly keys: Readonly<Record<string, unknown>>;
  /** Trains on the first --distinct-images training images, repeated to the full count. */
  readonly fewImages?: boolean;
}

const BASE_KEYS = { preset: 'cpu', lambda: 0, seed: 1 };
const VARIANTS: readonly Variant[] = [
  { name: 'base', change: '`cpu` preset, L2 only', keys: {} },
  { name: 'stem-stride4', change: 'stem to 1/4 (the first demo model)', keys: { stem: 'stride4' } },
  { name: 'width-12', change: 'base width 12 (2.2× the FLOPs)', keys: { baseWidth: 12 } },
  {
    name: 'distinct-images',
    change: `${args['distinct-images']} distinct training images, repeated`,
    keys: {},
    fewImages: true,
  },
  {
    name: 'crops-uniform',
    change: 'uniform crops (none placed on aberrations or look-alikes)',
    keys: { cropFocus: 0, lookalikeFocus: 0 },
  },
  { name: 'no-lookalikes', change: 'no crops placed on look-alikes', keys: { lookalikeFocus: 0 } },
  {
    name: 'lr-constant',
    change: "the paper's constant 3e-4, no warm-up",
    keys: { lrSchedule: 'constant', learningRate: 3e-4 },
  },
  {
    name: 'sv-from-start',
    change: 'Sparse Variation (λ 0.2) from the first step',
    keys: { lambda: 0.2, svStartEpoch: 1, svRampEpochs: 0 },
  },
];

const work = resolve(String(args.work));
const baseEpochs = Number(args.epochs);
const distinct = Number(args['distinct-images']);
const chosen = args.variants
  ? String(args.variants)
      .split(',')
      .map((name) => {
        const found = VARIANTS.find((v) => v.name === name);
        if (!found)
          throw new Error(
            `unknown variant ${name}; the variants are: ${VARIANTS.map((v) => v.name).join(', ')}`,
          );
        return found;
      })
  : VARIANTS;
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** A symbolic link at `path` to `target`, unless one is already there (a resumed bench). */
async function linkOnce(target: string, path: string): Promise<void> {
  await symlink(target, path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/** Crops per second of one training step of `keys` (256² crops, batch 12, this machine's cores). */
async function stepRate(keys: Record<string, unknown>): Promise<number> {
  const { python } = await findTrainingPython();
  const child = spawn(
    python,
    [
      '-m',
      'dicentra_train',
      'bench',
      '--config-json',
      JSON.stringify(keys),
      '--size',
      '256x256',
      '--batch',
      '12',
      '--steps',
      '8',
      '--precisions',
      'fp32',
    ],
    {
      env: { ...process.env, PYTHONPATH: WORKER_PYTHONPATH },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let rate = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { event: string; imagesPerSecond?: number };
    if (event.event === 'bench') rate = event.imagesPerSecond ?? 0;
  }
  return rate;
}

/** The base's data, or the preset's own when --data is not given. */
async function baseDataset(): Promise<string> {
  if (args.data) return resolve(String(args.data));
  const out = join(work, 'data');
  await runCliStep(
    {
      name: 'synth',
      args: [
        'synth',
        '--out',
        out,
        '--count',
        '2600',
        '--seed',
        '31',
        '--size',
        '768x672',
        '--scale',
        '1',
        '--difficulty',
        'medium',
        '--split',
        '0.9,0.05,0.05',
      ],
      inputs: [],
      outputs: [join(out, 'dataset.json')],
    },
    join(work, 'steps'),
    TOOL_VERSION,
    controller.signal,
  );
  return join(out, 'dataset.json');
}

interface ImageEntry {
  id: string;
  split: string;
  [key: string]: unknown;
}

/**
 * The first `count` training images of `source`, repeated (with new ids) until there are as
 * many as before, so an epoch still has as many crops; validation images unchanged. The
 * images are reached through links to the source folder's entries.
 */
async function fewImagesDataset(source: string, count: number): Promise<string> {
  const folder = join(work, `data-${count}-distinct`);
  const path = join(folder, 'dataset.json');
  if (await exists(path)) return path;
  await mkdir(folder, { recursive: true });
  const sourceFolder = dirname(source);
  for (const entry of await readdir(sourceFolder)) {
    if (entry === 'dataset.json' || entry === 'truth.json') continue;
    await linkOnce(join(sourceFolder, entry), join(folder, entry));
  }
  const repeat = <T extends ImageEntry>(images: T[]): T[] => {
    const train = images.filter((image) => image.split === 'train');
    const kept = train.slice(0, count);
    const repeated = train.map((_, index) => {
      const original = kept[index % kept.length]!;
      return { ...original, id: `${original.id}~${Math.floor(index / kept.length)}` };
    });
    return [...repeated, ...images.filter((image) => image.split !== 'train')];
  };
  const truth = JSON.parse(await readFile(join(sourceFolder, 'truth.json'), 'utf8')) as {
    images: ImageEntry[];
  };
  await writeJsonAtomic(join(folder, 'truth.json'), { ...truth, images: repeat(truth.images) });
  const dataset = JSON.parse(await readFile(source, 'utf8')) as { images: ImageEntry[] };
  await writeJsonAtomic(path, { ...dataset, images: repeat(dataset.images) });
  return path;
}

/** Trains one variant in WORK/NAME (resuming an interrupted run) with a shared decoded-image cache. */
async function trainVariant(variant: Variant, data: string, epochs: number): Promise<string> {
  const run = join(work, variant.name);
  const config = join(work, `${variant.name}.config.json`);
  // The last epoch is the scored member; a run of one epoch has no room for a warm-up epoch.
  const schedule = { epochs, warmup: epochs - 1, ...(epochs === 1 ? { lrWarmupEpochs: 0 } : {}) };
  await writeJsonAtomic(config, { ...BASE_KEYS, ...variant.keys, ...schedule });
  await mkdir(run, { recursive: true });
  await mkdir(join(work, 'cache'), { recursive: true });
  await linkOnce(join(work, 'cache'), join(run, 'cache'));
  const unfinished =
    (await exists(join(run, 'state', 'last.pt'))) && !(await exists(join(run, 'weights.pt')));
  await runCliStep(
    {
      name: `train-${variant.name}`,
      args: [
        'train',
        '--data',
        data,
        '--out',
        run,
        '--config',
        config,
        '--nproc',
        '2',
        '--threads',
        '1',
        ...(unfinished ? ['--resume'] : []),
      ],
      inputs: [data, config],
      outputs: [join(run, 'bundle.json'), join(run, 'weights.pt')],
    },
    join(work, 'steps'),
    TOOL_VERSION,
    controller.signal,
  );
  return run;
}

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : (100 * value).toFixed(1);

console.log(`cpu: ${cpuModel()}`);
const data = await baseDataset();
const fullTrain = (
  JSON.parse(await readFile(data, 'utf8')) as { images: ImageEntry[] }
).images.filter((image) => image.split === 'train').length;

// Equal time: a variant's epochs scale with its step rate against the base's, both measured now.
// Rates are kept in WORK/rates.json, so a resumed or repeated bench gives every variant the
// same epochs as before (and reuses its finished run).
const ratesPath = join(work, 'rates.json');
const rates = new Map<string, number>(
  Object.entries(
    (await readFile(ratesPath, 'utf8').then(JSON.parse, () => ({}))) as Record<string, number>,
  ),
);
const architectureKey = (keys: Readonly<Record<string, unknown>>) =>
  JSON.stringify([keys.stem ?? 'stride2', keys.baseWidth ?? 8]);
for (const keys of [{}, ...chosen.map((variant) => variant.keys)]) {
  const key = architectureKey(keys);
  if (!rates.has(key)) {
    rates.set(key, await stepRate({ ...BASE_KEYS, ...keys, threads: 2 }));
    await writeJsonAtomic(ratesPath, Object.fromEntries(rates));
  }
}
const baseRate = rates.get(architectureKey({}))!;

interface Row {
  variant: Variant;
  epochs: number;
  rate: number;
  minutes: number;
  curve: EpochEvent[];
}
const rows: Row[] = [];
for (const variant of chosen) {
  const rate = rates.get(architectureKey(variant.keys))!;
  const epochs = Math.max(1, Math.round((baseEpochs * rate) / baseRate));
  const variantData = variant.fewImages ? await fewImagesDataset(data, distinct) : data;
  console.error(`[ablation] ${variant.name}: ${epochs} epochs of ${fullTrain} crops`);
  const run = await trainVariant(variant, variantData, epochs);
  const curve = await readEpochEvents(run);
  rows.push({
    variant,
    epochs,
    rate,
    minutes: curve.reduce((sum, e) => sum + e.seconds, 0) / 60,
    curve,
  });
}

console.log(
  `\nEqual training time: ${baseEpochs} epochs of ${fullTrain} crops for the base (${baseRate.toFixed(1)} crops/s measured), ` +
    'others scaled by their measured step rate. Validation P/R of the last epoch, T_C 0.5.\n',
);
console.log(
  '| variant | change | crops/s | epochs | minutes | dicentric P | dicentric R | fragment P | fragment R |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const last = row.curve.at(-1);
  console.log(
    `| ${row.variant.name} | ${row.variant.change} | ${row.rate.toFixed(1)} | ${row.epochs} | ${row.minutes.toFixed(1)} | ` +
      `${percent(last?.precision.dicentric)} | ${percent(last?.recall.dicentric)} | ` +
      `${percent(last?.precision.fragment)} | ${percent(last?.recall.fragment)} |`,
  );
}
console.log('\nLearning curves (validation dicentric P/R per epoch):\n');
for (const row of rows) {
  const points = row.curve.map(
    (e) => `${e.epoch}: ${percent(e.precision.dicentric)}/${percent(e.recall.dicentric)}`,
  );
  console.log(`- ${row.variant.name}: ${points.join(', ')}`);
}
await writeJsonAtomic(join(work, 'ablation.json'), {
  cpu: cpuModel(),
  baseEpochs,
  trainImages: fullTrain,
  rows: rows.map((row) => ({ ...row, variant: row.variant.name })),
});
const figure = join(work, 'learning-curves.svg');
await writeFile(
  figure,
  await learningCurvesSvg(
    rows.map((row) => ({ name: row.variant.name, curve: row.curve })),
    'Training ablation at equal time: validation P/R per epoch',
  ),
);
console.log(`\nlearning curves: ${figure}`);
