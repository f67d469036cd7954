import { Command, Option } from 'commander';
import { summariseDistribution } from '../../cores/dosimetry/aberration-table.js';
import { protractionFactor, type Exposure } from '../../cores/dosimetry/protraction.js';
import { deltaCollapseWarning } from '../delta-collapse-warning.js';
import type { Interval } from '../../cores/dosimetry/dose-estimate.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { writeJsonAtomic } from '../../formats/atomic-write.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseNumber, parseNumberList } from '../parse-options.js';

type Method = 'merkle' | 'delta' | 'dolphin' | 'mixed';

export interface DoseOptions {
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
}

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

/** The confidence levels of a method: Merkle takes yield,curve; the others one level. */
function levelsOf(options: DoseOptions): number[] {
  const defaults = options.method === 'merkle' ? [0.83, 0.83] : [0.95];
  const levels = options.ci ?? defaults;
  if (levels.length !== defaults.length || levels.some((level) => !(level > 0 && level < 1))) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--ci for --method ${options.method} takes ${defaults.length === 2 ? 'two levels (yield,curve)' : 'one level'} in (0, 1)`,
      { field: '--ci', hint: `e.g. --ci ${defaults.join(',')}` },
    );
  }
  return levels;
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
          'k aberrations per case). Or, from images: --model BUNDLE --images CASE_DIR|CASE.json with a\n' +
          'curve from `dicentra calibrate` counts each cell by the curve’s own rule and widens the\n' +
          '(merkle or delta) interval by the spread over its sub-ensembles (docs/dosimetry.md).',
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
      .option('--out <result.json>', 'also write the result document to this file')
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
      const { estimateHeterogeneousMixedPoisson } =
        await import('../../cores/dosimetry/heterogeneous-mixed-poisson.js');
      const { estimatePartialBodyDolphin } =
        await import('../../cores/dosimetry/partial-body-dolphin.js');
      const { estimateWholeBodyDelta, yieldBelowIntercept } =
        await import('../../cores/dosimetry/whole-body-delta.js');
      const { estimateWholeBodyMerkle } =
        await import('../../cores/dosimetry/whole-body-merkle.js');
      const { readCurveFile } = await import('../../formats/curve-file.js');
      const { readCaseTable } = await import('../../formats/count-table.js');
      const { calibrationCurveOf } = await import('../../engines/dosimetry/curve-record.js');
      const { doseFromImages } = await import('./dose-images.js');
      const levels = levelsOf(options);
      const exposure = exposureOf(options);
      const g = protractionFactor(exposure);
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
      if (fromImages) {
        await doseFromImages(options, levels, { ...exposure, g }, context);
        return;
      }
      const counts = options.counts!;
      const curveFile = await readCurveFile(options.curve);
      const curve = calibrationCurveOf(curveFile);
      let cases = await readCaseTable(counts);
      if (options.case !== undefined) {
        cases = cases.filter((row) => row.id === options.case);
        if (cases.length === 0) {
          throw new DicentraError(
            'DCN_E_OPTION_INVALID',
            `no case "${options.case}" in ${options.counts}`,
            {
              file: options.counts,
              field: '--case',
              hint: 'use an id from the ID column',
            },
          );
        }
      }
      if (options.method === 'mixed' && cases.length > 1 && options.case === undefined) {
        context.warn('the mixed Poisson model is fitted to each case separately');
      }
      const gamma = options.gamma ?? 1 / options.d0;
      const results = cases.map((row) => {
        const summary = summariseDistribution(row.distribution);
        const withCase = <T>(estimate: () => T): T => {
          try {
            return estimate();
          } catch (error) {
            if (error instanceof DicentraError && !error.file) {
              throw new DicentraError(error.code, `case "${row.id}": ${error.message}`, {
                file: options.counts,
                field: `case ${row.id}`,
                ...(error.hint ? { hint: error.hint } : {}),
              });
            }
            throw error;
          }
        };
        const base = { id: row.id, table: summary };
        switch (options.method) {
          case 'merkle':
            return {
              ...base,
              ...withCase(() =>
                estimateWholeBodyMerkle(curve, summary, {
                  confYield: levels[0]!,
                  confCurve: levels[1]!,
                  g,
                }),
              ),
            };
          case 'delta':
            return {
              ...base,
              ...withCase(() => estimateWholeBodyDelta(curve, summary, { conf: levels[0]!, g })),
            };
          case 'dolphin':
            return {
              ...base,
              ...withCase(() =>
                estimatePartialBodyDolphin(curve, row.distribution, {
                  conf: levels[0]!,
                  g,
                  d0: 1 / gamma,
                }),
              ),
            };
          case 'mixed':
            return {
              ...base,
              ...withCase(() =>
                estimateHeterogeneousMixedPoisson(curve, row.distribution, {
                  conf: levels[0]!,
                  g,
                  gamma,
                  gammaStdError: options.gammaError,
                }),
              ),
            };
        }
      });
      const document = {
        ok: true,
        curve: options.curve,
        counts: options.counts,
        method: options.method,
        confidence: levels,
        exposure: { ...exposure, g },
        ...(options.method === 'dolphin' || options.method === 'mixed' ? { gamma } : {}),
        cases: results,
      };
      if (options.out) await writeJsonAtomic(options.out, document);
      if (options.method === 'delta') {
        for (const result of results) {
          if (yieldBelowIntercept(curve, result.table))
            context.warn(deltaCollapseWarning(result.id));
        }
      }

      const levelText =
        options.method === 'merkle'
          ? `Merkle ${Math.round(levels[0]! * 100)}%–${Math.round(levels[1]! * 100)}%`
          : `${options.method} ${Math.round(levels[0]! * 100)}%`;
      const lines = [
        `${levelText}, ${exposure.kind} exposure (G = ${g.toFixed(4)}); curve ${options.curve}`,
        '',
      ];
      for (const result of results) {
        const t = result.table;
        lines.push(
          `${result.id}: N ${t.cells}, X ${t.aberrations}, DI ${t.dispersionIndex === null || Number.isNaN(t.dispersionIndex) ? '—' : t.dispersionIndex.toFixed(3)}, u ${t.u === null || Number.isNaN(t.u) ? '—' : t.u.toFixed(2)}${t.u !== null && t.u > 1.96 ? ' (over-dispersed: consider --method dolphin or mixed)' : ''}`,
        );
        if ('components' in result) {
          result.components.forEach((component, index) => {
            lines.push(
              `  component ${index + 1}: yield ${interval(component.yield)}  dose ${interval(component.dose)} Gy  cells ${component.cellFraction.estimate.toFixed(3)}  body ${component.bodyFraction.estimate.toFixed(3)} ± ${component.bodyFraction.stdError.toFixed(3)}`,
            );
          });
        } else {
          lines.push(`  yield ${interval(result.yield)}  dose ${interval(result.dose)} Gy`);
          if ('bodyFraction' in result) {
            lines.push(
              `  irradiated body fraction ${interval(result.bodyFraction)}  (scored cells from it: ${result.irradiatedCellFraction.estimate.toFixed(3)})`,
            );
          }
        }
      }
      if (options.out) lines.push('', `wrote ${options.out}`);
      context.result(lines.join('\n'), document);
    }),
  );
}
