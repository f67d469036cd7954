import { Command, Option } from 'commander';
import type { Exposure } from '../../cores/dosimetry/protraction.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { DoseResult } from '../../formats/dose-result.js';
import type { DoseMethod } from '../../engines/dosimetry/case-dose.js';
import type { DoseSource } from '../../engines/dosimetry/estimate-dose.js';
import { confidenceLevels } from '../confidence-levels.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseNumber, parseNumberList } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';

type Method = 'merkle' | 'delta' | 'dolphin' | 'mixed';

interface DoseOptions {
  curve: string;
  counts?: string;
  model?: string;
  images?: string;
  cache?: string;
  method: Method;
  ci?: number[];
  exposure: 'acute' | 'protracted' | 'highly-protracted';
  timeH?: number;
  t0H: number;
  d0: number;
  gamma?: number;
  gammaError: number;
  case?: string;
  out?: string;
  qc?: string;
}

type Interval = { lower: number; estimate: number; upper: number };
const interval = (value: Interval, digits = 3): string =>
  `${value.estimate.toFixed(digits)} [${value.lower.toFixed(digits)}, ${value.upper.toFixed(digits)}]`;

function exposureOf(options: DoseOptions): Exposure {
  if (options.exposure === 'protracted') {
    if (options.timeH === undefined) {
      throw new DicentraError('DCN_E_OPTION_INVALID', '--exposure protracted needs --time-h', {
        field: '--time-h',
        hint: 'give the irradiation time in hours, e.g. --time-h 0.5 (and --t0-h, default 2)',
      });
    }
    return { kind: 'protracted', durationHours: options.timeH, repairTimeHours: options.t0H };
  }
  return { kind: options.exposure };
}

/** The method with its levels: Merkle takes yield,curve; the others one level. */
function methodOf(options: DoseOptions): DoseMethod {
  const levels = confidenceLevels(options.method, options.ci);
  const conf = levels[0]!;
  switch (options.method) {
    case 'merkle':
      return { kind: 'merkle', confYield: conf, confCurve: levels[1]! };
    case 'delta':
      return { kind: 'delta', conf };
    case 'dolphin':
      return {
        kind: 'dolphin',
        conf,
        d0: options.gamma === undefined ? options.d0 : 1 / options.gamma,
      };
    case 'mixed':
      return {
        kind: 'mixed',
        conf,
        gamma: options.gamma ?? 1 / options.d0,
        gammaStdError: options.gammaError,
      };
  }
}

/** --counts, or --model with --images. */
function sourceOf(options: DoseOptions): DoseSource {
  const fromImages = options.model !== undefined || options.images !== undefined;
  if (fromImages === (options.counts !== undefined)) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      'give either --counts, or --model with --images',
      {
        field: options.counts ? '--counts' : '--images',
        hint: 'a count table (--counts cases.csv), or images with the calibrated bundle (--model b.json --images case/)',
      },
    );
  }
  if (!fromImages) {
    if (options.qc !== undefined) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        '--qc screens images: it goes with --images',
        {
          field: '--qc',
          hint: 'a count table is already scored; use --qc with --model and --images',
        },
      );
    }
    return { kind: 'counts', counts: options.counts! };
  }
  if (!options.model || !options.images) {
    throw new DicentraError('DCN_E_OPTION_INVALID', '--model and --images go together', {
      field: options.model ? '--images' : '--model',
      hint: 'e.g. --model models/demo/bundle.json --images case-17/',
    });
  }
  return {
    kind: 'images',
    model: options.model,
    images: options.images,
    cacheDir: options.cache ?? null,
    ...(options.qc === undefined ? {} : { qc: options.qc }),
  };
}

const dispersion = (value: number | null) =>
  value === null || Number.isNaN(value) ? '—' : value.toFixed(3);

/** The result as text: the method, then per case its table and dose. */
function describe(result: DoseResult, out: string | undefined): string {
  const [first, second] = result.confidence.map((level) => Math.round(level * 100));
  const method =
    result.method === 'merkle' ? `Merkle ${first}%–${second}%` : `${result.method} ${first}%`;
  const source =
    result.source.kind === 'images'
      ? ` with the detector's spread; bundle ${result.source.model}`
      : '';
  const lines = [
    `${method}, ${result.exposure.kind} exposure (G = ${result.exposure.g.toFixed(4)}); curve ${result.curve}${source}`,
    '',
  ];
  for (const c of result.cases) {
    const t = c.table;
    const overDispersed = t.u !== null && t.u > 1.96;
    lines.push(
      `${c.id}: N ${t.cells}, X ${t.aberrations}, yield ${t.mean.toFixed(4)}, DI ${dispersion(t.dispersionIndex)}, u ${t.u === null || Number.isNaN(t.u) ? '—' : t.u.toFixed(2)}${overDispersed ? ' (over-dispersed: consider --method dolphin or mixed)' : ''}`,
    );
    if ('components' in c) {
      c.components.forEach((component, index) => {
        lines.push(
          `  component ${index + 1}: yield ${interval(component.yield)}  dose ${interval(component.dose)} Gy  cells ${component.cellFraction.estimate.toFixed(3)}  body ${component.bodyFraction.estimate.toFixed(3)} ± ${component.bodyFraction.stdError?.toFixed(3) ?? '—'}`,
        );
      });
      continue;
    }
    lines.push(`  yield ${interval(c.yield)}  dose ${interval(c.dose)} Gy`);
    if ('bodyFraction' in c) {
      lines.push(
        `  irradiated body fraction ${interval(c.bodyFraction)}  (scored cells from it: ${c.irradiatedCellFraction.estimate.toFixed(3)})`,
      );
    }
    if ('detector' in c && c.detector && c.statisticalDose) {
      lines.push(
        `  counting + curve ${interval(c.statisticalDose)} Gy; detector sd ${c.detector.sd.toFixed(3)} Gy over ${c.detector.count} sub-ensembles`,
      );
    }
  }
  if (out) lines.push('', `wrote ${out}`);
  return lines.join('\n');
}

export function registerDoseCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('dose')
      .summary('estimate the dose of each case from its aberration counts and a calibration curve')
      .description(
        'Estimate doses with confidence intervals by the IAEA EPR-Biodosimetry (2011) methods as\n' +
          'Biodose Tools implements them: whole body by Merkle (83%–83% default) or the delta method\n' +
          '(95%), partial body by Dolphin (with D0), heterogeneous exposure by a mixed Poisson model;\n' +
          'acute or protracted exposure (Lea–Catcheside G). The case table is ID,C0,C1,… (cells with\n' +
          'k aberrations per case; `dicentra counts` writes it from a detections.json). Or, from images:\n' +
          '--model BUNDLE --images CASE_DIR|CASE.json with a curve from `dicentra calibrate` counts each\n' +
          'cell by the curve’s own rule, as `detect --curve` then `counts` would, and widens the (merkle\n' +
          'or delta) interval by the spread over its sub-ensembles (docs/dosimetry.md).',
      )
      .requiredOption(
        '--curve <curve.json>',
        'calibration curve from `dicentra curve fit` or `dicentra calibrate`',
      )
      .option('--counts <file.csv>', 'case table ID,C0,C1,…')
      .option(
        '--model <bundle.json>',
        'with --images: the bundle (or its folder) the curve was calibrated with',
      )
      .option(
        '--images <dir|case.json>',
        'with --model: a folder of one case’s images, or a dataset.json (cases by sampleId)',
      )
      .option('--cache <dir>', 'with --images: heatmap cache folder (default: none)')
      .option(
        '--qc <qc.json|auto>',
        'with --images: count only the cells `dicentra qc` found scorable (auto: judge them now, default rules)',
      )
      .addOption(
        new Option('--method <method>', 'merkle | delta (whole body), dolphin (partial), mixed')
          .choices(['merkle', 'delta', 'dolphin', 'mixed'])
          .default('merkle'),
      )
      .option(
        '--ci <levels>',
        'confidence: merkle yield,curve (default 0.83,0.83 ≈ 95% overall; 0.95,0.95 also usual); others one level (0.95)',
        parseNumberList('--ci', 0, 1),
      )
      .addOption(
        new Option('--exposure <kind>', 'acute, protracted (needs --time-h) or highly-protracted')
          .choices(['acute', 'protracted', 'highly-protracted'])
          .default('acute'),
      )
      .option(
        '--time-h <hours>',
        'irradiation time for a protracted exposure',
        parseNumber('--time-h', 0),
      )
      .option('--t0-h <hours>', 'repair (rejoining) time t0', parseNumber('--t0-h', 1e-9), 2)
      .option(
        '--d0 <Gy>',
        'D0 of lymphocyte survival (dolphin, mixed)',
        parseNumber('--d0', 1e-9),
        2.7,
      )
      .option(
        '--gamma <per-Gy>',
        'survival coefficient γ = 1/D0 instead of --d0 (mixed)',
        parseNumber('--gamma', 1e-9),
      )
      .option(
        '--gamma-error <per-Gy>',
        'standard error of γ (mixed)',
        parseNumber('--gamma-error', 0),
        0,
      )
      .option('--case <id>', 'estimate only this case')
      .option('--out <result.json>', 'also write the dose result to this file (docs/formats.md)')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra dose --curve curve.json --counts cases.csv\n' +
          '  dicentra dose --curve curve.json --counts cases.csv --method delta --json\n' +
          '  dicentra dose --curve curve.json --counts cases.csv --method dolphin --d0 3.0\n' +
          '  dicentra dose --curve curve.json --counts cases.csv --exposure protracted --time-h 4 --t0-h 2\n' +
          '  dicentra dose --curve curve.json --model models/demo/bundle.json --images case-17/',
      ),
  ).action(
    commandAction<DoseOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: {
          '--curve': options.curve,
          '--counts': options.counts,
          '--model': options.model,
          '--images': options.images,
          '--qc': options.qc === 'auto' ? undefined : options.qc,
        },
        outputFiles: { '--out': options.out },
        outputFolders: { '--cache': options.cache },
      });
      const method = methodOf(options);
      const exposure = exposureOf(options);
      const source = sourceOf(options);
      const progress = source.kind === 'images' ? context.progress('count cells', 0) : null;
      const { estimateDose } = await import('../../engines/dosimetry/estimate-dose.js');
      const result = await estimateDose({
        curvePath: options.curve,
        source,
        method,
        exposure,
        ...(options.case === undefined ? {} : { caseId: options.case }),
        ...(options.out === undefined ? {} : { out: options.out }),
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        onProgress: (done, total) => progress?.update(done, total),
        warn: (message) => context.warn(message),
      });
      progress?.finish();
      context.result(describe(result, options.out), { ok: true, ...result });
    }),
  );
}
