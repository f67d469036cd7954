import type { Command } from 'commander';
import { DicentraError } from '../../formats/dicentra-error.js';
import { formatDuration } from '../../cores/format-duration.js';
import { parseJson, readTextFile } from '../../formats/json-file.js';
import type { TrainerEventOf } from '../../engines/train/trainer-events.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseInteger, parseNumber } from '../parse-options.js';
import type { Progress } from '../progress.js';

/** Flags that set one config key (docs/training.md lists every key and its paper value). */
const CONFIG_FLAGS = [
  [
    'preset',
    '--preset <name>',
    'a named recipe whose settings the config file and flags override: cpu, cpu-finetune (docs/training.md)',
    String,
  ],
  [
    'initFrom',
    '--init-from <run-dir>',
    'start from the final weights of an earlier run (fine-tuning): same architecture and classes',
    String,
  ],
  ['epochs', '--epochs <n>', 'epochs (paper: 100)', parseInteger('--epochs', 1)],
  [
    'warmup',
    '--warmup <n>',
    'epochs before the first member (paper: 50)',
    parseInteger('--warmup', 0),
  ],
  [
    'lambda',
    '--lambda <x>',
    'weight λ of the Sparse-Variation term; 0 = Model A (0.2)',
    parseNumber('--lambda', 0),
  ],
  [
    'svStartEpoch',
    '--sv-start-epoch <n>',
    'first epoch trained with the Sparse-Variation term (1: from the start, the paper)',
    parseInteger('--sv-start-epoch', 1),
  ],
  ['rho', '--rho <x>', 'ρ of the Sparse-Variation term (0.1)', parseNumber('--rho', 0, 1)],
  ['learningRate', '--lr <x>', 'constant learning rate (3e-4)', parseNumber('--lr', 0)],
  ['weightDecay', '--weight-decay <x>', 'weight decay (0.1)', parseNumber('--weight-decay', 0)],
  ['optimizer', '--optimizer <name>', 'adam (coupled L2, the paper) or adamw (decoupled)', String],
  ['batchSize', '--batch-size <n>', 'batch size (12)', parseInteger('--batch-size', 1)],
  [
    'crop',
    '--crop <px>',
    'train on random square crops of this size (default: whole images)',
    parseInteger('--crop', 1),
  ],
  [
    'cropFocus',
    '--crop-focus <p>',
    'share of crops placed around an annotated point (0: uniform crops)',
    parseNumber('--crop-focus', 0, 1),
  ],
  [
    'depth',
    '--depth <n>',
    'U-Net depth; images are padded to multiples of 2^depth (4)',
    parseInteger('--depth', 2, 8),
  ],
  [
    'baseWidth',
    '--base-width <n>',
    'channels at full resolution (16)',
    parseInteger('--base-width', 1),
  ],
  ['norm', '--norm <kind>', 'batch, group, instance or none (batch)', String],
  ['stem', '--stem <kind>', 'none, stride2 or stride4: early downsampling (none)', String],
  [
    'targetSigma',
    '--sigma <px>',
    'σ of the Gaussian targets in heatmap pixels (1.5)',
    parseNumber('--sigma', 0),
  ],
  [
    'gtRadius',
    '--gt-radius <px>',
    'ground-truth disk radius in input pixels (8)',
    parseNumber('--gt-radius', 0),
  ],
  [
    'seed',
    '--seed <n>',
    'initialisation seed; also the batch-order seed unless the config sets shuffleSeed (0)',
    parseInteger('--seed', 0),
  ],
  ['device', '--device <name>', 'auto, cpu, cuda or cuda:N (auto)', String],
  ['precision', '--precision <p>', 'auto, fp32 or bf16 (auto: bf16 on CUDA, fp32 on CPU)', String],
  [
    'threads',
    '--threads <n>',
    'CPU threads for PyTorch (default: all)',
    parseInteger('--threads', 1),
  ],
] as const;

type ConfigKey = (typeof CONFIG_FLAGS)[number][0];
/** Commander's option name for each flag: `--base-width` → baseWidth. */
function optionName(flag: string): string {
  return flag
    .replace(/^--/, '')
    .replace(/ .*$/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

interface TrainOptions {
  data: string;
  out: string;
  config?: string;
  resume?: boolean;
  nproc: number;
  [flag: string]: unknown;
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const raw = parseJson(await readTextFile(path, 'training config'), path, 'training config');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DicentraError(
      'DCN_E_SCHEMA_INVALID',
      `training config ${path} is not a JSON object`,
      {
        file: path,
        hint: 'write the settings as {"epochs": 100, "lambda": 0.2, …}; see docs/training.md',
      },
    );
  }
  return raw as Record<string, unknown>;
}

function formatRates(values: Record<string, number | null> | null): string {
  if (!values) return '–';
  return Object.entries(values)
    .map(([name, value]) => `${name} ${value === null ? '–' : value.toFixed(2)}`)
    .join(', ');
}

export function registerTrainCommand(program: Command, signal: AbortSignal): void {
  const command = program
    .command('train')
    .summary('train the U-Net ensemble on a dataset.json (PyTorch worker)')
    .description(
      "Train the paper's U-Net heatmap regressor with the Sparse-Variation loss. After the warm-up,\n" +
        'every epoch is exported to ONNX as a member of the bundle RUN_DIR/bundle.json.\n' +
        'Needs Python 3 with PyTorch (DICENTRA_PYTHON, else /usr/bin/python3, else python3).\n' +
        'Ctrl-C stops at the next batch with a valid bundle; --resume continues exactly there.',
    )
    .requiredOption('--data <dataset.json>', 'the dataset (images with split train and val)')
    .requiredOption(
      '--out <run-dir>',
      'folder for bundle.json, members/, state/, cache/ and train.log',
    )
    .option('--config <file.json>', 'training settings as JSON (flags override its keys)')
    .option('--resume', 'continue the run in --out from its last finished epoch')
    .option(
      '--nproc <n>',
      'data-parallel processes on this machine (one per GPU)',
      parseInteger('--nproc', 1, 64),
      1,
    );
  for (const [, flag, help, parse] of CONFIG_FLAGS) {
    command.option(flag, help, parse as (value: string) => unknown);
  }
  withCommonOptions(
    command.addHelpText(
      'after',
      '\nExamples:\n' +
        "  dicentra train --data data/dataset.json --out runs/b                 # the paper's Model B\n" +
        '  dicentra train --data data/dataset.json --out runs/a --lambda 0      # Model A (plain L2)\n' +
        '  dicentra train --data d.json --out runs/cpu --preset cpu             # two CPU cores, ≤ 2.5 h\n' +
        '  dicentra train --data data/dataset.json --out runs/b --resume',
    ),
  ).action(
    commandAction<TrainOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: {
          '--data': options.data,
          '--config': options.config,
          '--init-from': options.initFrom as string | undefined,
        },
        outputFolders: { '--out': options.out },
      });
      const { readDatasetFile } = await import('../../formats/dataset-file.js');
      const { findDatasetProblems, throwIfProblems } =
        await import('../../engines/import/dataset-validation.js');
      const { runTrainer, RUN_LOG } = await import('../../engines/train/trainer-bridge.js');
      const fromFile = options.config ? await readConfigFile(options.config) : {};
      const config: Record<string, unknown> = { ...fromFile };
      for (const [key, flag] of CONFIG_FLAGS) {
        const value = options[optionName(flag)];
        if (value !== undefined) config[key satisfies ConfigKey] = value;
      }
      const dataset = await readDatasetFile(options.data);
      throwIfProblems(
        await findDatasetProblems(dataset, options.data, { decode: false }),
        options.data,
      );

      const { trainingChromosomeWidth } = await import('../../engines/train/training-width.js');
      const chromosomeWidthPx = options.resume
        ? null
        : await trainingChromosomeWidth(dataset, options.data);
      if (chromosomeWidthPx !== null) {
        context.log(
          `training images' chromosome width ${chromosomeWidthPx.toFixed(1)} px (recorded in bundle.json: ` +
            'inference brings other frames to it)',
        );
      }

      let progress: Progress | undefined;
      let started: TrainerEventOf<'started'> | undefined;
      let lastEpoch: TrainerEventOf<'epoch'> | undefined;
      const epochSeconds: number[] = [];
      const commandLine = ['dicentra', ...process.argv.slice(2)].join(' ');
      let done;
      try {
        done = await runTrainer(
          {
            dataPath: options.data,
            outDir: options.out,
            config,
            resume: Boolean(options.resume),
            nproc: options.nproc,
            commandLine,
            ...(chromosomeWidthPx !== null ? { chromosomeWidthPx } : {}),
          },
          {
            onEvent: (event) => {
              if (event.event === 'started') {
                started = event;
                context.log(
                  `training ${event.parameters.toLocaleString('en')} parameters on ${event.device} ` +
                    `(${event.precision}${event.world > 1 ? `, ${event.world} processes` : ''}): ` +
                    `${event.train} train / ${event.val} val images, epochs ${event.startEpoch + 1}–${event.epochs}, ` +
                    `members after epoch ${event.warmup}`,
                );
              } else if (event.event === 'batch') {
                if (event.batch === 1)
                  progress = context.progress(`epoch ${event.epoch}`, event.batches);
                progress?.update(event.batch);
              } else if (event.event === 'epoch') {
                progress?.finish();
                progress = undefined;
                lastEpoch = event;
                epochSeconds.push(event.seconds);
                const mean = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
                context.log(
                  `epoch ${event.epoch}/${event.epochs}: train loss ${event.trainLoss.toPrecision(4)}` +
                    (event.valLoss !== null
                      ? `, val loss ${event.valLoss.toPrecision(4)} (all-zero ${event.zeroLoss?.toPrecision(4)})` +
                        `, P ${formatRates(event.precision)}; R ${formatRates(event.recall)} at T_C ${event.tc}`
                      : '') +
                    (event.member ? `; member ${event.member}` : '') +
                    `; eta ${formatDuration(mean * (event.epochs - event.epoch))}`,
                );
              } else if (event.event === 'interrupted') {
                progress?.finish();
              }
            },
          },
          context.signal,
        );
      } catch (error) {
        progress?.finish();
        // Name the config file when the worker refuses one of its keys.
        if (
          error instanceof DicentraError &&
          options.config &&
          error.field !== undefined &&
          error.field in fromFile &&
          !(error.field in config && config[error.field] !== fromFile[error.field])
        ) {
          throw new DicentraError(error.code, `${error.message} (in ${options.config})`, {
            file: options.config,
            field: error.field,
            hint: error.hint,
          });
        }
        throw error;
      }
      context.result(
        `wrote ${done.bundle}: ${done.members} member${done.members === 1 ? '' : 's'} after ${done.epochs} epochs` +
          (lastEpoch && lastEpoch.valLoss !== null
            ? `; last validation loss ${lastEpoch.valLoss.toPrecision(4)} (all-zero prediction ${lastEpoch.zeroLoss?.toPrecision(4)})`
            : '') +
          `; log ${options.out}/${RUN_LOG}`,
        {
          ok: true,
          bundle: done.bundle,
          members: done.members,
          epochs: done.epochs,
          device: started?.device,
          lastEpoch: lastEpoch ?? null,
          log: `${options.out}/${RUN_LOG}`,
        },
      );
    }),
  );
}
