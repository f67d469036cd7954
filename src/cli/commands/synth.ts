import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import {
  DIFFICULTIES,
  resolveSynthParameters,
  type Difficulty,
} from '../../cores/synth/synth-presets.js';
import type { SplitRatios } from '../../cores/split-assignment.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { SynthMode } from '../../engines/synth/synth-dataset.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import {
  optionWithDefault,
  parseInteger,
  parseNumber,
  parseNumberList,
  parseSplitRatios,
} from '../parse-options.js';
import { checkCommandFiles } from '../command-files.js';
import { TOOL_VERSION } from '../tool-version.js';

interface SynthOptions {
  out: string;
  count?: number;
  seed: number;
  size: { width: number; height: number };
  difficulty: Difficulty;
  preset?: 'wide';
  mode: SynthMode;
  doses: number[];
  cellsPerDose: number;
  doseRange: number[];
  minAberrations?: number;
  labels?: boolean;
  split: SplitRatios;
  threads: number;
  chromosomes: number;
  scale?: number;
  dicentricYield?: number[];
  fragmentYield?: number[];
  fragmentProbability?: number;
  ringRatio?: number;
  tricentricProbability?: number;
  jpegQuality?: number;
  rgb?: boolean;
  badFrames: number;
  touchingPairs?: number;
}

const DEFAULT_DOSES = '0,0.1,0.2,0.3,0.5,0.7,0.9,1,1.5,2,3,4';

function parseSize(text: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 64 || height < 64 || width > 8192 || height > 8192) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--size must be WIDTHxHEIGHT in pixels (64–8192), got "${text}"`,
      {
        field: '--size',
        hint: 'e.g. --size 1008x888 (width 1008, height 888)',
      },
    );
  }
  return { width, height };
}

function parseChoice<T extends string>(flag: string, choices: readonly T[]) {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} must be one of ${choices.join(', ')}, got "${text}"`,
        {
          field: flag,
        },
      );
    }
    return text as T;
  };
}

function curve(flag: string, values: number[] | undefined) {
  if (!values) return undefined;
  if (values.length !== 3) {
    throw new DicentraError('DCN_E_OPTION_INVALID', `${flag} needs three numbers C,ALPHA,BETA`, {
      field: flag,
      hint: `e.g. ${flag} 0.001,0.02,0.06`,
    });
  }
  return { c: values[0]!, alpha: values[1]!, beta: values[2]! };
}

export function registerSynthCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('synth')
      .summary(
        'generate synthetic Giemsa metaphases with exact dicentric and fragment ground truth',
      )
      .description(
        'Generate synthetic metaphase images (PNG) with a dataset.json (points per class) and a\n' +
          'truth.json (every object, its centromeres and outline, the cell dose). Aberrations follow a\n' +
          'linear-quadratic dose response. Same seed and options give byte-identical output whatever --threads.\n' +
          'train mode draws doses over --dose-range, keeps cells with ≥ --min-aberrations and splits 80/10/10;\n' +
          'calibration mode makes --cells-per-dose cells at each of --doses, grouped by sampleId, unlabelled.',
      )
      .requiredOption(
        '--out <dir>',
        'output folder (new, empty, or an earlier synth run to resume)',
      )
      .option('--count <n>', 'train mode: number of images', parseInteger('--count', 1))
      .option(
        '--seed <n>',
        'random seed (recorded in the outputs)',
        parseInteger('--seed', 0, 2 ** 31 - 1),
        1,
      )
      .addOption(
        optionWithDefault('--size <WxH>', 'image width x height in pixels', parseSize, '1008x888'),
      )
      .option(
        '--difficulty <level>',
        'easy, medium or hard',
        parseChoice('--difficulty', DIFFICULTIES),
        'medium',
      )
      .addOption(
        new Option(
          '--preset <name>',
          'wide: draw frame size, chromosome width (8–22 px), sister separation, grey or colour ' +
            'stain, JPEG, illumination, defocus, dust, scratches and crowding per image, for training ' +
            '(replaces --difficulty, --size, --scale, --rgb and --jpeg-quality: not with them)',
        )
          .argParser(parseChoice('--preset', ['wide'] as const))
          .conflicts(['difficulty', 'size', 'scale', 'rgb', 'jpegQuality', 'touchingPairs']),
      )
      .option(
        '--mode <mode>',
        'train or calibration',
        parseChoice('--mode', ['train', 'calibration'] as const),
        'train',
      )
      .option(
        '--doses <list>',
        'calibration mode: doses in Gy',
        parseNumberList('--doses', 0, 50),
        parseNumberList('--doses')(DEFAULT_DOSES),
      )
      .option(
        '--cells-per-dose <n>',
        'calibration mode: cells per dose',
        parseInteger('--cells-per-dose', 1),
        20,
      )
      .addOption(
        optionWithDefault(
          '--dose-range <low,high>',
          'train mode: doses drawn uniformly in Gy',
          parseNumberList('--dose-range', 0, 50),
          '0,5',
        ),
      )
      .option(
        '--min-aberrations <n>',
        'keep only cells with at least n dicentrics + fragments (train default 1, calibration 0)',
        parseInteger('--min-aberrations', 0, 20),
      )
      .option('--labels', 'calibration mode: write the points into dataset.json too')
      .addOption(
        optionWithDefault(
          '--split <train,val,test>',
          'train mode: split ratios',
          parseSplitRatios('--split'),
          '0.8,0.1,0.1',
        ),
      )
      .option(
        '--threads <n>',
        'rendering threads (default: all cores)',
        parseInteger('--threads', 1, 256),
        availableParallelism(),
      )
      .option('--chromosomes <n>', 'chromosomes per cell', parseInteger('--chromosomes', 2, 92), 46)
      .option(
        '--scale <x>',
        'length scale (default: 1 at 1008x888, smaller for smaller frames)',
        parseNumber('--scale', 0.1, 4),
      )
      .option(
        '--dicentric-yield <c,alpha,beta>',
        'dicentrics per cell Y = c + αD + βD² (default 0.001,0.02,0.06)',
        parseNumberList('--dicentric-yield', 0, 10),
      )
      .option(
        '--fragment-yield <c,alpha,beta>',
        'excess fragments per cell (default 0.01,0.03,0.03)',
        parseNumberList('--fragment-yield', 0, 10),
      )
      .option(
        '--fragment-probability <p>',
        "chance a dicentric's fragment is visible (default 0.8)",
        parseNumber('--fragment-probability', 0, 1),
      )
      .option(
        '--ring-ratio <r>',
        'centric rings per dicentric (default 0.05)',
        parseNumber('--ring-ratio', 0, 10),
      )
      .option(
        '--tricentric-probability <p>',
        'chance two dicentric events form a tricentric (default 0.02)',
        parseNumber('--tricentric-probability', 0, 1),
      )
      .option(
        '--jpeg-quality <q>',
        'add JPEG compression artefacts of this quality (1–100)',
        parseInteger('--jpeg-quality', 1, 100),
      )
      .option('--rgb', 'write purple RGB images instead of grey')
      .option(
        '--bad-frames <p>',
        'share of unscorable frames (incomplete spread, two metaphases, nucleus over the spread, ' +
          'clumped), each labelled in truth.json (quality); 0 writes no quality labels',
        parseNumber('--bad-frames', 0, 1),
        0,
      )
      .option(
        '--touching-pairs <mean>',
        'mean number of monocentric pairs touching end to end per image, the look-alike most ' +
          'often taken for a dicentric; raise it to make hard negatives for training (default: ' +
          "the difficulty's, 0.8 for medium)",
        parseNumber('--touching-pairs', 0, 20),
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra synth --out data/synth --count 1000 --seed 7\n' +
          '  dicentra synth --out data/hard --count 200 --difficulty hard --rgb --jpeg-quality 80\n' +
          '  dicentra synth --out data/calib --mode calibration --cells-per-dose 200 --seed 8\n' +
          '  dicentra synth --out data/qc --count 100 --bad-frames 0.3   # frames for dicentra qc\n' +
          '  dicentra synth --out data/hard-negatives --count 2000 --touching-pairs 3 --min-aberrations 0',
      ),
  ).action(
    commandAction<SynthOptions>(signal, async (options, context) => {
      await checkCommandFiles({ outputFolders: { '--out': options.out } });
      const { generateSynthDataset } = await import('../../engines/synth/synth-dataset.js');
      if (options.mode === 'train' && options.count === undefined) {
        throw new DicentraError('DCN_E_USAGE', 'train mode needs --count', {
          field: '--count',
          hint: 'e.g. --count 1000 (or --mode calibration with --cells-per-dose)',
        });
      }
      if (options.mode === 'calibration' && options.count !== undefined) {
        throw new DicentraError(
          'DCN_E_USAGE',
          'calibration mode takes --cells-per-dose, not --count',
          {
            field: '--count',
            hint: 'the number of images is (number of --doses) × --cells-per-dose',
          },
        );
      }
      if (options.doseRange.length !== 2 || options.doseRange[0]! > options.doseRange[1]!) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          '--dose-range needs LOW,HIGH with LOW ≤ HIGH',
          {
            field: '--dose-range',
            hint: 'e.g. --dose-range 0,5',
          },
        );
      }
      const yields = {
        ...(options.dicentricYield
          ? { dicentric: curve('--dicentric-yield', options.dicentricYield)! }
          : {}),
        ...(options.fragmentYield
          ? { excessFragment: curve('--fragment-yield', options.fragmentYield)! }
          : {}),
        ...(options.fragmentProbability !== undefined
          ? { fragmentWithDicentric: options.fragmentProbability }
          : {}),
        ...(options.ringRatio !== undefined ? { ringPerDicentric: options.ringRatio } : {}),
        ...(options.tricentricProbability !== undefined
          ? { tricentricProbability: options.tricentricProbability }
          : {}),
      };
      const resolved = resolveSynthParameters({
        width: options.size.width,
        height: options.size.height,
        difficulty: options.preset ?? options.difficulty,
        ...(options.scale !== undefined ? { scale: options.scale } : {}),
        chromosomes: options.chromosomes,
        yields,
        rgb: Boolean(options.rgb),
        jpegQuality: options.jpegQuality ?? null,
      });
      const withPairs =
        options.touchingPairs === undefined
          ? resolved
          : {
              ...resolved,
              confounders: { ...resolved.confounders, touchingPairsMean: options.touchingPairs },
            };
      const params =
        options.badFrames > 0 ? { ...withPairs, badFrames: options.badFrames } : withPairs;
      const total =
        options.mode === 'train' ? options.count! : options.doses.length * options.cellsPerDose;
      const progress = context.progress('synth', total);
      const summary = await generateSynthDataset({
        outDir: options.out,
        seed: options.seed,
        params,
        mode: options.mode,
        ...(options.mode === 'train'
          ? { count: options.count! }
          : { doses: options.doses, cellsPerDose: options.cellsPerDose }),
        doseRange: [options.doseRange[0]!, options.doseRange[1]!],
        minAberrations: options.minAberrations ?? (options.mode === 'train' ? 1 : 0),
        labels: Boolean(options.labels),
        splitRatios: options.split,
        threads: options.threads,
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        onProgress: (done) => progress.update(done),
      }).finally(() => progress.finish());
      const rate = summary.rendered / Math.max(summary.seconds, 1e-9);
      context.result(
        `wrote ${options.out}: ${summary.images} images (${summary.rendered} rendered, ${summary.reused} reused, ` +
          `${rate.toFixed(1)} images/s), ${summary.dicentric} dicentric and ${summary.fragment} fragment points; ` +
          `splits ${Object.entries(summary.imagesPerSplit)
            .filter(([, n]) => n > 0)
            .map(([split, n]) => `${split} ${n}`)
            .join(', ')}`,
        { ok: true, out: options.out, seed: options.seed, mode: options.mode, ...summary },
      );
    }),
  );
}
