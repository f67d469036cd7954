import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { BundleMember } from '../../formats/bundle.js';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { selectMembers, type MemberSelection } from '../../cores/ensemble/member-selection.js';
import type { CalibrationCurve } from '../../cores/dosimetry/calibration-curve.js';
import type { CurveModel } from '../../cores/dosimetry/count-groups.js';
import type { FamilyChoice } from '../../cores/dosimetry/curve-fit.js';
import type { ThresholdChoice } from '../../engines/dosimetry/calibrate-images.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseMemberSelection, parseTa, parseTc } from '../ensemble-options.js';
import { parseInteger, parseNumber, parseNumberList } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';

interface CalibrateOptions {
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
}

function chooseMembers(
  members: readonly BundleMember[],
  text: string,
  flag: string,
): { selection: MemberSelection; chosen: BundleMember[] } {
  const selection = parseMemberSelection(text);
  try {
    const capped: MemberSelection =
      selection.mode === 'last'
        ? { mode: 'last', count: Math.min(selection.count, members.length) }
        : selection;
    return { selection, chosen: selectMembers(members, capped) };
  } catch (error) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `${flag} ${text}: ${(error as Error).message}`,
      {
        field: flag,
        hint: 'see the epochs listed in bundle.json',
      },
    );
  }
}

async function referenceCurve(
  options: CalibrateOptions,
): Promise<{ label: string; curve: CalibrationCurve } | null> {
  const { readCurveFile } = await import('../../formats/curve-file.js');
  const { calibrationCurveOf } = await import('../../engines/dosimetry/curve-record.js');
  const { generaliseCurve } = await import('../../cores/dosimetry/calibration-curve.js');
  if (options.reference && options.referenceCoefficients) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      'give --reference or --reference-coefficients, not both',
      { field: '--reference', hint: 'one reference curve per figure' },
    );
  }
  if (options.reference) {
    const file = await readCurveFile(options.reference);
    return { label: `reference (${options.reference})`, curve: calibrationCurveOf(file) };
  }
  const values = options.referenceCoefficients;
  if (!values) return null;
  if (values.length !== 3 && values.length !== 2) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      '--reference-coefficients takes C,ALPHA,BETA (or C,ALPHA)',
      { field: '--reference-coefficients', hint: 'e.g. the generator’s truth 0.001,0.02,0.06' },
    );
  }
  return {
    label: `reference (C, α, β = ${values.join(', ')})`,
    curve: generaliseCurve(values, [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]),
  };
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
        'T_C: "adaptive" (each member’s --quantile), a number, or per class',
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
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra calibrate --model models/demo/bundle.json --data calib/dataset.json --out curve.json\n' +
          '  dicentra calibrate --model b/bundle.json --data calib/dataset.json --out curve.json \\\n' +
          '      --reference-coefficients 0.001,0.02,0.06 --quantile 0.25 --json',
      ),
  ).action(
    commandAction<CalibrateOptions>(signal, async (options, context) => {
      const { readBundleFile } = await import('../../formats/bundle-file.js');
      const { writeCurveFile } = await import('../../formats/curve-file.js');
      const { readDatasetFile, resolveImagePath } = await import('../../formats/dataset-file.js');
      const { generaliseCurve } = await import('../../cores/dosimetry/calibration-curve.js');
      const { calibrateFromImages } = await import('../../engines/dosimetry/calibrate-images.js');
      const { renderCalibrationFigure } =
        await import('../../engines/dosimetry/calibration-figure.js');
      const { calibrationCurveOf, curveRecord } =
        await import('../../engines/dosimetry/curve-record.js');
      if (!['lq', 'linear'].includes(options.curveModel)) {
        throw new DicentraError('DCN_E_OPTION_INVALID', '--curve-model is lq or linear', {
          field: '--curve-model',
        });
      }
      if (!['auto', 'poisson', 'quasipoisson'].includes(options.family)) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          '--family is auto, poisson or quasipoisson',
          {
            field: '--family',
          },
        );
      }
      const reference = await referenceCurve(options);
      const loaded = await readBundleFile(options.model);
      const { bundle } = loaded;
      const primary = chooseMembers(bundle.members, options.members, '--members').chosen;
      const pool = chooseMembers(bundle.members, options.pool, '--pool').chosen;
      const size =
        options.subEnsembleSize ?? Math.max(1, Math.min(primary.length, pool.length - 1));
      if (options.subEnsembles > 0 && size > pool.length) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          `--sub-ensemble-size ${size} is larger than the pool (${pool.length} members)`,
          { field: '--sub-ensemble-size', hint: 'widen --pool or draw smaller sub-ensembles' },
        );
      }
      if (options.subEnsembles > 0 && size >= pool.length) {
        context.warn(
          `every sub-ensemble is the whole pool of ${pool.length} members: the detector spread will be 0`,
        );
      }
      const tcRule = parseTc(options.tc, bundle.classes);
      const kinds = new Set(Object.values(tcRule).map((rule) => rule.kind));
      if (kinds.size > 1) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          '--tc: calibrate takes "adaptive" or numbers for every class, not a mix',
          { field: '--tc', hint: 'e.g. --tc adaptive, or --tc dicentric=0.6,fragment=0.5' },
        );
      }
      const thresholds: ThresholdChoice = kinds.has('adaptive')
        ? { kind: 'adaptive', quantile: options.quantile }
        : {
            kind: 'fixed',
            tc: Object.fromEntries(
              Object.entries(tcRule).map(([name, rule]) => [
                name,
                rule.kind === 'fixed' ? rule.tc : 0.5,
              ]),
            ),
          };
      const ta = parseTa(
        options.ta ?? String(Math.min(4, primary.length - 1)),
        bundle.classes,
        primary.length,
      );

      const dataset = await readDatasetFile(options.data);
      const undated = dataset.images.filter((image) => image.doseGy === undefined);
      if (undated.length > 0) {
        throw new DicentraError(
          'DCN_E_DATASET_INVALID',
          `${undated.length} of ${dataset.images.length} images in ${options.data} have no doseGy (first: ${undated[0]!.id})`,
          {
            file: options.data,
            field: `images[${dataset.images.indexOf(undated[0]!)}].doseGy`,
            hint: 'a calibration dataset gives every image the dose its sample received',
          },
        );
      }
      const images = dataset.images.map((image) => ({
        id: image.id,
        file: resolveImagePath(options.data, image),
        doseGy: image.doseGy!,
      }));
      const cacheDir = options.cache ?? join(dirname(options.out), 'heatmap-cache');
      context.log(
        `${primary.length} members vote (epochs ${primary.map((m) => m.epoch).join(', ')}); ` +
          `${options.subEnsembles} sub-ensembles of ${size} from ${pool.length}; ${images.length} images; cache ${cacheDir}`,
      );
      let progress: ReturnType<typeof context.progress> | null = null;
      let stage = '';
      const result = await calibrateFromImages({
        loaded,
        images,
        primary,
        pool,
        thresholds,
        ta,
        subEnsembles: { count: options.subEnsembles, size, seed: options.seed },
        rule: {
          aberration: 'dicentric',
          requireClass: options.requireFragment ? 'fragment' : null,
        },
        model: options.curveModel,
        family: options.family === 'auto' ? 'automatic' : (options.family as FamilyChoice),
        cacheDir,
        signal: context.signal,
        onProgress: (name, done, total) => {
          if (name !== stage) {
            progress?.finish();
            progress = context.progress(name, total);
            stage = name;
          }
          progress!.update(done);
        },
      });
      (progress as ReturnType<typeof context.progress> | null)?.finish();
      result.fit.warnings.forEach((warning) => context.warn(warning));
      if (result.failedSubEnsembles > 0) {
        context.warn(
          `${result.failedSubEnsembles} of ${options.subEnsembles} sub-ensemble curves could not be fitted and are left out`,
        );
      }
      const record = {
        ...curveRecord(
          result.fit,
          options.family === 'auto' ? 'automatic' : (options.family as FamilyChoice),
          { layout: 'distribution', groups: result.groups },
          {
            tool: 'dicentra calibrate',
            toolVersion: TOOL_VERSION,
            createdAt: new Date().toISOString(),
            source: options.data,
          },
        ),
        detector: result.detector,
      };
      const curve = calibrationCurveOf(record);
      const figurePath = options.figure ?? options.out.replace(/(\.json)?$/i, '.svg');
      const svg = await renderCalibrationFigure({
        curve,
        groups: result.groups,
        subCurves: result.detector.subEnsembles.curves.map((sub) =>
          generaliseCurve(sub.estimates, sub.varCov),
        ),
        reference,
        title: `Calibration from images: ${images.length} cells, ${result.groups.length} doses`,
      });
      await writeCurveFile(options.out, record);
      await writeFileAtomic(figurePath, svg);

      const [c, alpha, beta] = curve.coefficients;
      const lines = [
        `wrote ${options.out} and ${figurePath}`,
        `Y = ${c.toPrecision(4)} + ${alpha.toPrecision(4)}·D + ${beta.toPrecision(4)}·D²  (${result.fit.family}, ${result.fit.method})`,
        ...result.fit.coefficients.map(
          (row) =>
            `  ${row.name.padEnd(6)} ${row.estimate.toPrecision(5).padEnd(12)} ± ${row.stdError.toPrecision(3)}`,
        ),
        `thresholds: ${result.detector.thresholdRule.kind === 'adaptive' ? `model-adaptive, q = ${options.quantile} at ${result.detector.thresholdRule.doseGy} Gy (${result.detector.thresholdRule.images} images)` : 'fixed'}; T_A ${JSON.stringify(ta)}; dicentrics ${options.requireFragment ? 'only in images with a fragment' : 'in every image'}`,
        `sub-ensemble curves: ${result.detector.subEnsembles.curves.length} of ${options.subEnsembles}`,
        '',
        'dose (Gy)   cells   dicentrics   yield',
        ...result.groups.map(
          (g) =>
            `${String(g.doseGy).padEnd(10)}  ${String(g.cells).padEnd(6)}  ${String(g.aberrations).padEnd(11)}  ${(g.aberrations / g.cells).toFixed(4)}`,
        ),
      ];
      context.result(lines.join('\n'), {
        ok: true,
        out: options.out,
        figure: figurePath,
        computedHeatmaps: result.computedHeatmaps,
        failedSubEnsembles: result.failedSubEnsembles,
        curve: record,
      });
    }),
  );
}
