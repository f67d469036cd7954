import { Command, Option } from 'commander';
import type { FamilyChoice } from '../../cores/dosimetry/curve-fit.js';
import type { CurveModel } from '../../cores/dosimetry/count-groups.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { TOOL_VERSION } from '../tool-version.js';

interface CurveFitOptions {
  counts: string;
  model: CurveModel;
  family: 'auto' | 'poisson' | 'quasipoisson';
  algorithm: 'glm' | 'maxlik';
  out: string;
  irradiation?: string;
}

const fmt = (value: number | null, digits = 4): string =>
  value === null || Number.isNaN(value) ? '—' : value.toPrecision(digits);

export function registerCurveCommand(program: Command, signal: AbortSignal): void {
  const curve = program
    .command('curve')
    .summary('fit a dose–effect calibration curve from aberration counts')
    .description('Calibration curves: `dicentra curve fit` (see docs/dosimetry.md).');
  withCommonOptions(
    curve
      .command('fit')
      .summary('fit Y = C + αD + βD² (or linear) to a calibration count table')
      .description(
        'Fit the dose–effect curve by Poisson maximum likelihood (GLM, identity link) to the per-dose\n' +
          'totals of a count table, as Biodose Tools does: quasi-Poisson covariance when the Pearson\n' +
          'dispersion exceeds 1 (--family auto), constrained maximum likelihood if the GLM fails.\n' +
          'Table layouts: D,C0,C1,… (cells with k aberrations per dose) or D,N,X (totals).',
      )
      .requiredOption('--counts <file.csv>', 'calibration count table (D,C0,C1,… or D,N,X)')
      .addOption(
        new Option('--model <model>', 'lq: C + αD + βD²; linear: C + αD')
          .choices(['lq', 'linear'])
          .default('lq'),
      )
      .addOption(
        new Option('--family <family>', 'auto: quasi-Poisson only when over-dispersed')
          .choices(['auto', 'poisson', 'quasipoisson'])
          .default('auto'),
      )
      .addOption(
        new Option('--algorithm <algorithm>', 'glm (with ML fallback) or constrained ML directly')
          .choices(['glm', 'maxlik'])
          .default('glm'),
      )
      .requiredOption('--out <curve.json>', 'where to write the curve')
      .option(
        '--irradiation <file.json>',
        'how the calibration samples were irradiated (source, radiation quality, dose rate, ' +
          'temperature, conditions, dosimetry, date; docs/formats.md), kept in curve.json for the report',
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra curve fit --counts calibration.csv --out curve.json\n' +
          '  dicentra curve fit --counts calibration.csv --irradiation co60-2024.json --out curve.json\n' +
          '  dicentra curve fit --counts totals.csv --model linear --family quasipoisson --out lin.json --json',
      ),
  ).action(
    commandAction<CurveFitOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: { '--counts': options.counts, '--irradiation': options.irradiation },
        outputFiles: { '--out': options.out },
      });
      const { summariseDistribution, summariseTotals } =
        await import('../../cores/dosimetry/aberration-table.js');
      const { bandFactor, generaliseCurve } =
        await import('../../cores/dosimetry/calibration-curve.js');
      const { fitDoseEffectCurve } = await import('../../cores/dosimetry/curve-fit.js');
      const { writeCurveFile } = await import('../../formats/curve-file.js');
      const { readCalibrationTable } = await import('../../formats/count-table.js');
      const { curveRecord } = await import('../../engines/dosimetry/curve-record.js');
      const { readIrradiationConditionsFile } =
        await import('../../formats/irradiation-conditions.js');
      const irradiation =
        options.irradiation === undefined
          ? undefined
          : await readIrradiationConditionsFile(options.irradiation);
      const table = await readCalibrationTable(options.counts);
      const familyChoice: FamilyChoice = options.family === 'auto' ? 'automatic' : options.family;
      const fit = fitDoseEffectCurve(table.groups, {
        model: options.model,
        family: familyChoice,
        algorithm: options.algorithm,
      });
      fit.warnings.forEach((warning) => context.warn(warning));
      const record = curveRecord(
        fit,
        familyChoice,
        table,
        {
          tool: 'dicentra curve fit',
          toolVersion: TOOL_VERSION,
          createdAt: new Date().toISOString(),
          source: options.counts,
        },
        irradiation,
      );
      await writeCurveFile(options.out, record);

      const summaries = table.groups.map((group) =>
        group.distribution
          ? summariseDistribution(group.distribution)
          : summariseTotals(group.cells, group.aberrations),
      );
      const band = bandFactor(
        generaliseCurve(
          fit.coefficients.map((row) => row.estimate),
          fit.varCov,
        ),
        0.95,
      );
      const lines = [
        `wrote ${options.out}: ${fit.model === 'lq' ? 'Y = C + αD + βD²' : 'Y = C + αD'}, ${fit.family} (${fit.method}), ${table.groups.length} doses`,
        '',
        'coefficient   estimate      std.error    statistic   p-value',
        ...fit.coefficients.map(
          (row) =>
            `${row.name.padEnd(12)}  ${fmt(row.estimate, 6).padEnd(12)}  ${fmt(row.stdError, 5).padEnd(11)}  ${fmt(row.statistic, 4).padEnd(10)}  ${fmt(row.pValue, 3)}`,
        ),
        '',
        `dispersion (Pearson) ${fmt(fit.pearsonDispersion)}  logLik ${fmt(fit.statistics.logLik, 6)}  deviance ${fmt(fit.statistics.deviance, 5)}  df ${fit.statistics.df}  AIC ${fmt(fit.statistics.aic, 6)}  BIC ${fmt(fit.statistics.bic, 6)}`,
        `95% curve band: Ŷ ± ${band.toFixed(3)}·SE(Ŷ)`,
        '',
        'dose (Gy)   cells   aberr.   yield     DI       u',
        ...table.groups.map((group, i) => {
          const s = summaries[i]!;
          const flag = s.u !== null && Math.abs(s.u) > 1.96 ? ' *' : '';
          return `${String(group.doseGy).padEnd(10)}  ${String(group.cells).padEnd(6)}  ${String(group.aberrations).padEnd(7)}  ${s.mean.toFixed(4).padEnd(8)}  ${fmt(s.dispersionIndex, 3).padEnd(7)}  ${fmt(s.u, 3)}${flag}`;
        }),
        ...(summaries.some((s) => s.u !== null && Math.abs(s.u) > 1.96)
          ? ['* |u| > 1.96: significant over- or under-dispersion']
          : []),
      ];
      context.result(lines.join('\n'), {
        ok: true,
        out: options.out,
        curve: record,
        countSummaries: table.groups.map((group, i) => ({ doseGy: group.doseGy, ...summaries[i] })),
      });
    }),
  );
}
