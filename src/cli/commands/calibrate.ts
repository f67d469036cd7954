import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { FamilyChoice } from '../../cores/dosimetry/curve-fit.js';
import type { CurveModel } from '../../cores/dosimetry/count-groups.js';
import type { ThresholdChoice } from '../../engines/dosimetry/calibrate-images.js';
import type {
  CalibrateCurveResult,
  ReferenceChoice,
} from '../../engines/dosimetry/calibrate-curve.js';
import type { Progress } from '../progress.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseMemberSelection, parseTa, parseTc } from '../../engines/detect/ensemble-options.js';
import { parseInteger, parseNumber, parseNumberList } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';

interface CalibrateOptions {
  irradiation?: string;
  model: string;
  data: string;
  out: string;
  members: string;
  pool: string;
  subEnsembles: number;
  subEnsembleSize?: number;
  seed: number;
  tc: string;
  quantile: number;
  ta?: string;
  requireFragment: boolean;
  curveModel: CurveModel;
  family: 'auto' | 'poisson' | 'quasipoisson';
  reference?: string;
  referenceCoefficients?: number[];
  figure?: string;
  cache?: string;
  qc?: string;
}

function referenceOf(options: CalibrateOptions): ReferenceChoice | undefined {
  if (options.reference && options.referenceCoefficients) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      'give --reference or --reference-coefficients, not both',
      { field: '--reference', hint: 'one reference curve per figure' },
    );
  }
  if (options.reference) return { kind: 'file', path: options.reference };
  const values = options.referenceCoefficients;
  if (!values) return undefined;
  if (values.length !== 3 && values.length !== 2) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      '--reference-coefficients takes C,ALPHA,BETA (or C,ALPHA)',
      { field: '--reference-coefficients', hint: 'e.g. the generator’s truth 0.001,0.02,0.06' },
    );
  }
  return { kind: 'coefficients', values };
}

/** --tc: "adaptive" (each member's --quantile), or fixed values. */
function thresholdsOf(options: CalibrateOptions, classes: readonly string[]): ThresholdChoice {
  if (options.tc === 'adaptive') return { kind: 'adaptive', quantile: options.quantile };
  const rule = parseTc(options.tc, classes);
  return {
    kind: 'fixed',
    tc: Object.fromEntries(
      Object.entries(rule).map(([name, tc]) => [name, tc.kind === 'fixed' ? tc.tc : 0.5]),
    ),
  };
}

function describe(result: CalibrateCurveResult, options: CalibrateOptions): string {
  const { record, calibration } = result;
  const [c, alpha, beta] = record.coefficients.map((row) => row.estimate);
  const rule = calibration.detector.thresholdRule;
  return [
    `wrote ${options.out} and ${result.figurePath}`,
    `Y = ${c!.toPrecision(4)} + ${alpha!.toPrecision(4)}·D${beta === undefined ? '' : ` + ${beta.toPrecision(4)}·D²`}  (${calibration.fit.family}, ${calibration.fit.method})`,
    ...calibration.fit.coefficients.map(
      (row) =>
        `  ${row.name.padEnd(6)} ${row.estimate.toPrecision(5).padEnd(12)} ± ${row.stdError.toPrecision(3)}`,
    ),
    `thresholds: ${rule.kind === 'adaptive' ? `model-adaptive, q = ${rule.quantile} at ${rule.doseGy} Gy (${rule.images} images)` : 'fixed'}; T_A ${JSON.stringify(result.ta)}; dicentrics ${options.requireFragment ? 'only in images with a fragment' : 'in every image'}`,
    `sub-ensemble curves: ${calibration.detector.subEnsembles.curves.length} of ${options.subEnsembles}`,
    ...(result.qc
      ? [
          `QC (${result.qc.source}): ${result.qc.excluded.length} of ${result.qc.images} cells excluded`,
        ]
      : []),
    '',
    'dose (Gy)   cells   dicentrics   yield',
    ...calibration.groups.map(
      (g) =>
        `${String(g.doseGy).padEnd(10)}  ${String(g.cells).padEnd(6)}  ${String(g.aberrations).padEnd(11)}  ${(g.aberrations / g.cells).toFixed(4)}`,
    ),
  ].join('\n');
}

export function registerCalibrateCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('calibrate')
      .summary('calibrate a dose–effect curve from images at known doses, counted by the ensemble')
      .description(
        'Detect dicentrics (and fragments) on calibration images (one image = one cell; every image\n' +
          'has doseGy), count per cell, fit Y = C + αD + βD² to the per-dose table, and record in\n' +
          'curve.json the counting rule the curve is valid with: model-adaptive T_C (each member’s\n' +
          'q-quantile of its per-image maximum heatmap value on the highest-dose images), T_A, and\n' +
          'dicentrics counted only in images with a fragment (the paper’s §2.3). Each of --sub-ensembles\n' +
          'seeded sub-ensembles is counted and fitted too (from cached heatmaps), so `dicentra dose`\n' +
          'can carry the detector’s uncertainty into the dose. Writes a Fig. 10-style SVG.',
      )
      .requiredOption('--model <bundle.json>', 'the model bundle (or its folder)')
      .requiredOption(
        '--data <calibration.json>',
        'a dataset.json whose images all have doseGy (and usually sampleId)',
      )
      .requiredOption('--out <curve.json>', 'where to write the curve')
      .option('--members <rule>', 'the primary ensemble: all, last:K, epochs:…', 'last:10')
      .option('--pool <rule>', 'members the sub-ensembles are drawn from', 'last:50')
      .option(
        '--sub-ensembles <n>',
        'seeded sub-ensembles for the detector uncertainty (0: none)',
        parseInteger('--sub-ensembles', 0, 10000),
        100,
      )
      .option(
        '--sub-ensemble-size <n>',
        'members per sub-ensemble (default: the primary ensemble’s size, at most the pool’s − 1)',
        parseInteger('--sub-ensemble-size', 1),
      )
      .option('--seed <n>', 'seed of the sub-ensemble draws', parseInteger('--seed', 0), 1)
      .option(
        '--tc <value>',
        'T_C: "adaptive" (each member’s --quantile), a number, or per class (dicentric=0.6,fragment=0.5)',
        'adaptive',
      )
      .option(
        '--quantile <q>',
        'model-adaptive T_C: quantile of the per-image maxima at the highest dose',
        parseNumber('--quantile', 0, 1),
        0.3,
      )
      .option('--ta <value>', 'agreement threshold T_A, or per class (default: min(4, M − 1))')
      .option('--no-require-fragment', 'count dicentrics in every image, not only with a fragment')
      .option('--curve-model <model>', 'lq or linear', 'lq')
      .option('--family <family>', 'auto, poisson or quasipoisson', 'auto')
      .option('--reference <curve.json>', 'a reference curve to plot against (e.g. manual scoring)')
      .option(
        '--reference-coefficients <C,alpha,beta>',
        'a reference curve by its coefficients (synthetic data: 0.001,0.02,0.06)',
        parseNumberList('--reference-coefficients', 0),
      )
      .option('--figure <file.svg>', 'where to write the figure (default: OUT with .svg)')
      .option('--cache <dir>', 'heatmap cache folder (default: heatmap-cache beside OUT)')
      .option(
        '--qc <qc.json|auto>',
        'calibrate on the cells `dicentra qc` found scorable only (auto: judge them now, default rules)',
      )
      .option(
        '--irradiation <file.json>',
        'how the calibration samples were irradiated (source, radiation quality, dose rate, ' +
          'temperature, conditions, dosimetry, date; docs/formats.md), kept in curve.json for the report',
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra calibrate --model models/demo/bundle.json --data calib/dataset.json --out curve.json\n' +
          '  dicentra calibrate --model b/bundle.json --data calib/dataset.json --out curve.json \\\n' +
          '      --reference-coefficients 0.001,0.02,0.06 --quantile 0.25 --json',
      ),
  ).action(
    commandAction<CalibrateOptions>(signal, async (options, context) => {
      const figurePath = options.figure ?? options.out.replace(/(\.json)?$/i, '.svg');
      const cacheDir = options.cache ?? join(dirname(options.out), 'heatmap-cache');
      await checkCommandFiles({
        inputs: {
          '--model': options.model,
          '--data': options.data,
          '--reference': options.reference,
          '--qc': options.qc === 'auto' ? undefined : options.qc,
          '--irradiation': options.irradiation,
        },
        outputFiles: { '--out': options.out, '--figure': figurePath },
        outputFolders: { '--cache': cacheDir },
      });
      if (!['lq', 'linear'].includes(options.curveModel)) {
        throw new DicentraError('DCN_E_OPTION_INVALID', '--curve-model is lq or linear', {
          field: '--curve-model',
        });
      }
      if (!['auto', 'poisson', 'quasipoisson'].includes(options.family)) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          '--family is auto, poisson or quasipoisson',
          { field: '--family' },
        );
      }
      const reference = referenceOf(options);
      const { readIrradiationConditionsFile } =
        await import('../../formats/irradiation-conditions.js');
      const irradiation =
        options.irradiation === undefined
          ? undefined
          : await readIrradiationConditionsFile(options.irradiation);
      const { readBundleFile } = await import('../../formats/bundle-file.js');
      const { calibrateCurve } = await import('../../engines/dosimetry/calibrate-curve.js');
      const loaded = await readBundleFile(options.model);
      const classes = loaded.bundle.classes;
      let progress: Progress | null = null;
      let stage = '';
      const result = await calibrateCurve({
        loaded,
        data: options.data,
        out: options.out,
        figure: figurePath,
        cacheDir,
        members: { selection: parseMemberSelection(options.members), text: options.members },
        pool: { selection: parseMemberSelection(options.pool), text: options.pool },
        subEnsembles: {
          count: options.subEnsembles,
          ...(options.subEnsembleSize === undefined ? {} : { size: options.subEnsembleSize }),
          seed: options.seed,
        },
        thresholds: thresholdsOf(options, classes),
        ...(options.ta === undefined
          ? {}
          : { ta: parseTa(options.ta, classes, loaded.bundle.members.length) }),
        requireFragment: options.requireFragment,
        ...(options.qc === undefined ? {} : { qc: options.qc }),
        ...(irradiation ? { irradiation } : {}),
        model: options.curveModel,
        family: options.family === 'auto' ? 'automatic' : (options.family as FamilyChoice),
        ...(reference ? { reference } : {}),
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        onProgress: (name, done, total) => {
          if (name !== stage) {
            progress?.finish();
            progress = context.progress(name, total);
            stage = name;
          }
          progress!.update(done);
        },
        log: (message) => context.log(message),
        warn: (message) => context.warn(message),
      });
      (progress as Progress | null)?.finish();
      context.result(describe(result, options), {
        ok: true,
        out: options.out,
        figure: result.figurePath,
        computedHeatmaps: result.calibration.computedHeatmaps,
        ...(result.qc ? { qc: result.qc } : {}),
        failedSubEnsembles: result.calibration.failedSubEnsembles,
        curve: result.record,
      });
    }),
  );
}
