import type { Command } from 'commander';
import type { Background } from '../../cores/dosimetry/characteristic-limits.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { MAX_COUNT } from '../../formats/count-table.js';
import {
  optionWithDefault,
  parseInteger,
  parseNumber,
  parseNumberBetween,
  parseNumberList,
} from '../parse-options.js';

interface LimitsOptions {
  control?: Tally;
  backgroundRate?: number;
  cells: number[];
  curve?: string;
  case?: Tally;
  alpha: number;
  beta: number;
  maxCount: number;
}

/** Aberrations in cells, written X/N on the command line. */
interface Tally {
  readonly aberrations: number;
  readonly cells: number;
}

function parseTally(flag: string) {
  return (text: string): Tally => {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
    const aberrations = match ? Number(match[1]) : NaN;
    const cells = match ? Number(match[2]) : NaN;
    if (!match || cells < 1 || aberrations > MAX_COUNT || cells > MAX_COUNT) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} must be ABERRATIONS/CELLS with whole numbers up to ${MAX_COUNT} and at least one cell, got "${text}"`,
        { field: flag, hint: `e.g. ${flag} 4/1000 (4 dicentrics in 1,000 cells)` },
      );
    }
    return { aberrations, cells };
  };
}

/** Aberrations per cell: above any dicentric yield, and it keeps the expected counts countable. */
const MAX_BACKGROUND_RATE = 100;

const fmt = (value: number | null, digits = 3): string =>
  value === null ? '—' : value.toFixed(digits);

export function registerLimitsCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('limits')
      .summary('decision threshold, detection limit and case-vs-control test (ISO 19238)')
      .description(
        'Characteristic limits of dicentric scoring against a background, as ISO 19238 and Biodose\n' +
          'Tools define them, for each number of scored cells:\n' +
          '  decision threshold y_d  the largest count not significantly above the background\n' +
          '                          (exact two-sided Poisson test at --alpha);\n' +
          '  detection limit y_z     the mean count detected with probability 1 − --beta;\n' +
          '  with --curve, the minimum resolvable dose (yield (y_d + 1)/n) and the dose at the\n' +
          '  detection limit (yield y_z/n), on the curve without its band.\n' +
          'The background is a control sample (--control X/N) or a known rate (--background-rate).\n' +
          'With --case X/N, also tests whether the case is above the background (exact Poisson test).',
      )
      .option(
        '--control <X/N>',
        'background: X aberrations in N control cells',
        parseTally('--control'),
      )
      .option(
        '--background-rate <y>',
        'background: a known rate per cell instead of a control sample',
        parseNumber('--background-rate', 0, MAX_BACKGROUND_RATE),
      )
      .addOption(
        optionWithDefault(
          '--cells <n,…>',
          'numbers of scored cells to give the limits for',
          parseNumberList('--cells', 1, MAX_COUNT),
          '20,50,100,200,500,1000',
        ),
      )
      .option('--curve <curve.json>', 'calibration curve, for the doses of the limits')
      .option('--case <X/N>', 'a case to test against the background', parseTally('--case'))
      .option(
        '--alpha <α>',
        'type I error of the two-sided test',
        parseNumberBetween('--alpha', 0, 0.5),
        0.05,
      )
      .option(
        '--beta <β>',
        'type II error of the detection limit',
        parseNumberBetween('--beta', 0, 1),
        0.1,
      )
      .option(
        '--max-count <n>',
        'largest count tried for the decision threshold',
        parseInteger('--max-count', 1),
        100,
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra limits --control 4/1000 --curve curve.json\n' +
          '  dicentra limits --control 1/1000 --case 13/1000 --cells 1000 --json\n' +
          '  dicentra limits --background-rate 0.001 --cells 500,1000',
      ),
  ).action(
    commandAction<LimitsOptions>(signal, async (options, context) => {
      const { backgroundRate, characteristicLimits, compareCaseWithBackground } =
        await import('../../cores/dosimetry/characteristic-limits.js');
      const { readCurveFile } = await import('../../formats/curve-file.js');
      const { calibrationCurveOf } = await import('../../engines/dosimetry/curve-record.js');
      if ((options.control === undefined) === (options.backgroundRate === undefined)) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          'give the background either as a control sample (--control X/N) or as a rate (--background-rate), not both or neither',
          { field: '--control', hint: 'e.g. --control 4/1000' },
        );
      }
      const background: Background = options.control
        ? { kind: 'control', ...options.control }
        : { kind: 'rate', perCell: options.backgroundRate! };
      const rate = backgroundRate(background);
      for (const cells of options.cells) {
        if (!Number.isInteger(cells)) {
          throw new DicentraError(
            'DCN_E_OPTION_INVALID',
            `--cells must list whole numbers of cells, got ${cells}`,
            { field: '--cells', hint: 'e.g. --cells 100,500,1000' },
          );
        }
      }
      const curve = options.curve
        ? calibrationCurveOf(await readCurveFile(options.curve))
        : undefined;
      const limitOptions = {
        alpha: options.alpha,
        beta: options.beta,
        maxCount: options.maxCount,
      };
      const rows = options.cells.map((cells) =>
        characteristicLimits(cells, background, limitOptions, curve),
      );
      const caseTest = options.case ? compareCaseWithBackground(options.case, background) : null;
      const above =
        caseTest !== null &&
        caseTest.pValue < options.alpha &&
        caseTest.caseRate > caseTest.controlRate;

      const lines = [
        `background ${background.kind === 'control' ? `${background.aberrations}/${background.cells} cells` : 'rate'} = ${rate.toPrecision(3)} per cell; α ${options.alpha}, β ${options.beta}`,
        '',
        `cells    y_d    y_z       ${curve ? 'min. resolvable dose (Gy)   dose at y_z (Gy)' : ''}`.trimEnd(),
        ...rows.map((row) =>
          [
            String(row.cells).padEnd(7),
            String(row.decisionThreshold ?? '—').padEnd(5),
            fmt(row.detectionLimit).padEnd(8),
            curve
              ? `${fmt(row.minimumResolvableDose).padEnd(26)}  ${fmt(row.doseAtDetectionLimit)}`
              : '',
          ]
            .join('  ')
            .trimEnd(),
        ),
        ...(rows.some((row) => row.decisionThreshold === null)
          ? [
              `— : no count up to --max-count ${options.maxCount} is significantly above the background`,
            ]
          : []),
        ...(caseTest
          ? [
              '',
              `case ${options.case!.aberrations}/${options.case!.cells} = ${caseTest.caseRate.toPrecision(3)} per cell vs background ${caseTest.controlRate.toPrecision(3)}: ` +
                `p = ${caseTest.pValue.toPrecision(3)} (exact, two-sided): ${above ? `above the background at α ${options.alpha}` : `not significantly above the background at α ${options.alpha}`}`,
            ]
          : []),
      ];
      context.result(lines.join('\n'), {
        ok: true,
        background: { ...background, rate },
        alpha: options.alpha,
        beta: options.beta,
        curve: options.curve ?? null,
        limits: rows,
        case: caseTest ? { ...options.case!, ...caseTest, aboveBackground: above } : null,
      });
    }),
  );
}
