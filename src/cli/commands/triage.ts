import type { Command } from 'commander';
import type { TriageResult } from '../../formats/triage-result.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { optionWithDefault, parseInteger, parseNumberBetween } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';
import { parseThresholds } from '../../cores/triage/category-label.js';

interface TriageOptions {
  curve: string;
  model: string;
  images: string;
  cache?: string;
  thresholds: number[];
  alpha: number;
  maxCells: number;
  maxDicentrics: number;
  cells?: number;
  seed: number;
  out?: string;
}

const STOPS: Record<TriageResult['persons'][number]['stop'], string> = {
  resolved: 'interval in one category',
  cells: 'cell limit',
  dicentrics: 'dicentric limit',
  exhausted: 'no more images',
};

const gy = (value: number | null) => (value === null ? '∞' : value.toFixed(2));

function describe(result: TriageResult, out: string | undefined): string {
  const { rule } = result;
  const lines = [
    rule.sequential
      ? `triage: stop when the ${Math.round((1 - rule.alpha) * 100)}% anytime-valid dose interval lies in one category, or at ${rule.maxCells} cells or ${rule.maxAberrations} dicentrics; seed ${result.seed}`
      : `full estimate: ${rule.maxCells} cells per person; seed ${result.seed}`,
    '',
    ['person', 'category', 'dose Gy [interval]', 'cells', 'dicentrics', 'stopped at'].join('\t'),
    ...result.persons.map((p) =>
      [
        p.id,
        `${p.label}${p.resolved ? '' : ' (not resolved)'}`,
        `${gy(p.dose.estimate)} [${gy(p.dose.lower)}, ${gy(p.dose.upper)}]${p.merkleDose ? `; Merkle ${gy(p.merkleDose.estimate)} [${gy(p.merkleDose.lower)}, ${gy(p.merkleDose.upper)}]` : ''}`,
        `${p.cells}/${p.available}`,
        p.aberrations,
        STOPS[p.stop],
      ].join('\t'),
    ),
  ];
  if (out) lines.push('', `wrote ${out}`);
  return lines.join('\n');
}

export function registerTriageCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('triage')
      .summary('care category of many persons from as few cells as needed (ISO 21243)')
      .description(
        'Triage in a mass casualty: for each person (one folder of metaphase images), score cells in a\n' +
          'seeded random order with the calibrated curve’s detector and stop at the first of: the dose\n' +
          'interval lies wholly inside one care category (--thresholds, default < 1, 1–2, > 2 Gy), 50\n' +
          'cells, or 30 dicentrics (ISO 21243). The interval is anytime-valid: with probability at least\n' +
          '1 − --alpha it holds the true dose at every look, so stopping early keeps the error rate\n' +
          '(docs/triage.md). --cells N scores N cells per person for a full estimate instead.\n' +
          'Persons are listed by their dose estimate, highest first.',
      )
      .requiredOption('--curve <curve.json>', 'calibration curve from `dicentra calibrate`')
      .requiredOption(
        '--model <bundle.json>',
        'the bundle (or its folder) the curve was calibrated with',
      )
      .requiredOption(
        '--images <dir>',
        'a folder of per-person folders of images (or one person’s images)',
      )
      .option('--cache <dir>', 'heatmap cache folder (default: none)')
      .addOption(
        optionWithDefault(
          '--thresholds <Gy,…>',
          'ascending category thresholds in Gy',
          parseThresholds,
          '1,2',
        ),
      )
      .option(
        '--alpha <α>',
        'error rate of the anytime-valid interval (counting and curve)',
        parseNumberBetween('--alpha', 0, 0.5),
        0.05,
      )
      .option('--max-cells <n>', 'stop at this many cells', parseInteger('--max-cells', 1), 50)
      .option(
        '--max-dicentrics <n>',
        'stop at this many dicentrics',
        parseInteger('--max-dicentrics', 1),
        30,
      )
      .option(
        '--cells <n>',
        'score N cells per person (no early stop, no dicentric limit) for a full estimate',
        parseInteger('--cells', 1),
      )
      .option('--seed <n>', 'seed of the scoring order', parseInteger('--seed', 0), 1)
      .option('--out <triage.json>', 'also write the result to this file (docs/triage.md)')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra triage --curve curve.json --model models/demo --images persons/\n' +
          '  dicentra triage --curve curve.json --model models/demo --images persons/ --out triage.json --json\n' +
          '  dicentra triage --curve curve.json --model models/demo --images persons/ --cells 500',
      ),
  ).action(
    commandAction<TriageOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: { '--curve': options.curve, '--model': options.model, '--images': options.images },
        outputFiles: { '--out': options.out },
        outputFolders: { '--cache': options.cache },
      });
      const { DEFAULT_TRIAGE_RULE } = await import('../../cores/triage/triage-rule.js');
      const { triagePersons } = await import('../../engines/triage/triage-persons.js');
      const full = options.cells !== undefined;
      const progress = context.progress('triage cells', 0);
      const result = await triagePersons({
        curvePath: options.curve,
        model: options.model,
        images: options.images,
        cacheDir: options.cache ?? null,
        rule: {
          ...DEFAULT_TRIAGE_RULE,
          thresholds: options.thresholds,
          alpha: options.alpha,
          maxCells: full ? options.cells! : options.maxCells,
          maxAberrations: full ? Infinity : options.maxDicentrics,
          sequential: !full,
        },
        seed: options.seed,
        ...(options.out === undefined ? {} : { out: options.out }),
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        onProgress: (done, total) => progress.update(done, total),
        warn: (message) => context.warn(message),
      });
      progress.finish();
      context.result(describe(result, options.out), { ok: true, ...result });
    }),
  );
}
