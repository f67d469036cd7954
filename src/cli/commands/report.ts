import { Command, Option } from 'commander';
import type { Background } from '../../cores/dosimetry/characteristic-limits.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { CaseMetadata } from '../../formats/case-metadata.js';
import type { CaseReport } from '../../engines/report/case-report.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { optionWithDefault, parseNumber } from '../parse-options.js';
import { parseThresholds } from '../../cores/triage/category-label.js';
import { TOOL_VERSION } from '../tool-version.js';

interface ReportOptions {
  case: string;
  out: string;
  pdf?: string;
  counts?: string;
  reviewed?: boolean;
  caseId?: string;
  sampleId?: string;
  laboratory?: string;
  samplingDate?: string;
  irradiationDate?: string;
  analysisDate?: string;
  method: 'merkle' | 'delta';
  control?: string;
  backgroundRate?: number;
  thresholds: number[];
}

function parseControl(text: string): Background {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match || Number(match[2]) < 1) {
    throw new DicentraError('DCN_E_OPTION_INVALID', `--control must be X/N, got "${text}"`, {
      field: '--control',
      hint: 'e.g. --control 4/1000 (4 dicentrics in 1,000 control cells)',
    });
  }
  return { kind: 'control', aberrations: Number(match[1]), cells: Number(match[2]) };
}

async function metadataOf(options: ReportOptions): Promise<CaseMetadata> {
  const { isCaseDate } = await import('../../formats/case-metadata.js');
  const dates = {
    samplingDate: ['--sampling-date', options.samplingDate],
    irradiationDate: ['--irradiation-date', options.irradiationDate],
    analysisDate: ['--analysis-date', options.analysisDate],
  } as const;
  for (const [flag, value] of Object.values(dates)) {
    if (value !== undefined && !isCaseDate(value)) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} must be a date YYYY-MM-DD, got "${value}"`,
        {
          field: flag,
          hint: `e.g. ${flag} 2026-11-30`,
        },
      );
    }
  }
  const entries = {
    caseId: options.caseId,
    sampleId: options.sampleId,
    laboratory: options.laboratory,
    samplingDate: options.samplingDate,
    irradiationDate: options.irradiationDate,
    analysisDate: options.analysisDate,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

function describe(report: CaseReport, options: ReportOptions): string {
  const t = report.dose.table;
  const d = (report.dose.estimate as { dose: { lower: number; estimate: number; upper: number } })
    .dose;
  return [
    `case ${report.metadata.caseId}: N ${t.cells}, X ${t.aberrations}, DI ${t.dispersionIndex === null || Number.isNaN(t.dispersionIndex) ? '—' : t.dispersionIndex.toFixed(3)}, u ${t.u === null || Number.isNaN(t.u) ? '—' : t.u.toFixed(2)}`,
    `dose ${d.estimate.toFixed(3)} [${d.lower.toFixed(3)}, ${d.upper.toFixed(3)}] Gy (${report.method.kind})` +
      (report.limits.belowDecisionThreshold ? ' — below the decision threshold' : ''),
    `wrote ${options.out}`,
    ...(options.pdf ? [`wrote ${options.pdf}`] : []),
  ].join('\n');
}

export function registerReportCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('report')
      .summary('the case report (ISO 19238) as self-contained HTML, and PDF')
      .description(
        'Write the report of one case: the counts (from CASE_DIR/detections.json as `dicentra counts`\n' +
          'gives them, or reviewed counts with --counts), the dose with its interval as `dicentra dose`\n' +
          'gives it, the dispersion u-test, the calibration curve, the decision threshold and detection\n' +
          'limit against the laboratory’s background (`dicentra limits`), the model and software, and a\n' +
          'signature block. CASE_DIR holds detections.json, curve.json and optionally case.json (ids,\n' +
          'laboratory, dates; options override it). --pdf prints the page with Chromium (docs/report.md).',
      )
      .requiredOption('--case <dir>', 'the case folder: detections.json, curve.json, [case.json]')
      .requiredOption('--out <report.html>', 'the HTML report')
      .option('--pdf <report.pdf>', 'also print the report to PDF (Chromium)')
      .option(
        '--counts <case.csv>',
        'reviewed counts ID,C0,C1,… instead of counting detections.json',
      )
      .option('--reviewed', 'the counts were reviewed by a person (the report says so)')
      .option('--case-id <id>', 'coded case id (default: case.json, else the counted case)')
      .option('--sample-id <id>', 'coded sample id')
      .option('--laboratory <name>', 'the laboratory')
      .option('--sampling-date <date>', 'YYYY-MM-DD')
      .option('--irradiation-date <date>', 'YYYY-MM-DD, if known')
      .option('--analysis-date <date>', 'YYYY-MM-DD')
      .addOption(
        new Option('--method <method>', 'merkle (83%–83%) or delta (95%)')
          .choices(['merkle', 'delta'])
          .default('merkle'),
      )
      .option('--control <X/N>', 'the laboratory’s background: X dicentrics in N control cells')
      .option(
        '--background-rate <y>',
        'the background as a rate per cell',
        parseNumber('--background-rate', 0, 100),
      )
      .addOption(
        optionWithDefault(
          '--thresholds <Gy,…>',
          'triage category thresholds (ISO 21243)',
          parseThresholds,
          '1,2',
        ),
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra report --case case-17/ --out case-17.html --pdf case-17.pdf\n' +
          '  dicentra report --case case-17/ --counts case-17-reviewed.csv --reviewed --out case-17.html\n' +
          '  dicentra report --case case-17/ --case-id C17 --laboratory "Lab A" --analysis-date 2026-11-30 --out r.html',
      ),
  ).action(
    commandAction<ReportOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: { '--case': options.case, '--counts': options.counts },
        outputFiles: { '--out': options.out, '--pdf': options.pdf },
      });
      if (options.control !== undefined && options.backgroundRate !== undefined) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          'give --control or --background-rate, not both',
          {
            field: '--control',
            hint: 'e.g. --control 4/1000',
          },
        );
      }
      const background: Background | undefined =
        options.control !== undefined
          ? parseControl(options.control)
          : options.backgroundRate !== undefined
            ? { kind: 'rate', perCell: options.backgroundRate }
            : undefined;
      const metadata = await metadataOf(options);
      const { writeCaseReport } = await import('../../engines/report/write-case-report.js');
      const report = await writeCaseReport({
        caseDir: options.case,
        ...(options.counts === undefined ? {} : { counts: options.counts }),
        reviewed: Boolean(options.reviewed),
        metadata,
        method:
          options.method === 'merkle'
            ? { kind: 'merkle', confYield: 0.83, confCurve: 0.83 }
            : { kind: 'delta', conf: 0.95 },
        ...(background ? { background } : {}),
        thresholds: options.thresholds,
        toolVersion: TOOL_VERSION,
        out: options.out,
        ...(options.pdf === undefined ? {} : { pdf: options.pdf }),
        warn: (message) => context.warn(message),
      });
      const { curve, ...rest } = report;
      context.result(describe(report, options), {
        ok: true,
        out: options.out,
        pdf: options.pdf ?? null,
        ...rest,
        curve: { file: report.files.curve, coefficients: curve.coefficients },
      });
    }),
  );
}
