import type { Command } from 'commander';
import type { CountResult } from '../../engines/dosimetry/count-detections.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';

interface CountsOptions {
  detections: string;
  out?: string;
  cells?: string;
  review?: string;
}

function describe(result: CountResult, options: CountsOptions): string {
  const { rule } = result;
  const ruleText = `${rule.aberration}s${rule.requireClass ? ` counted only in cells with a ${rule.requireClass}` : ' counted in every cell'} (${result.ruleFrom === 'detections' ? 'the calibration’s rule' : 'the default rule'})`;
  const width = Math.max(...result.cases.map((row) => row.distribution.length));
  const header = ['ID', ...Array.from({ length: width }, (_, k) => `C${k}`)];
  const lines = [
    ruleText,
    '',
    ['case', 'image', ...result.classes, 'scored'].join('\t'),
    ...result.cells.map((cell) =>
      [
        cell.caseId,
        cell.imageId,
        ...result.classes.map((name) => cell.counts[name] ?? 0),
        cell.aberrations,
      ].join('\t'),
    ),
    '',
    header.join(','),
    ...result.cases.map((row) =>
      [row.id, ...header.slice(1).map((_, k) => row.distribution[k] ?? 0)].join(','),
    ),
  ];
  for (const file of [options.cells, options.out]) if (file) lines.push(`wrote ${file}`);
  return lines.join('\n');
}

export function registerCountsCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('counts')
      .summary('per-cell counts and the case table (ID,C0,C1,…) from a detections.json')
      .description(
        'Count each cell (one image = one metaphase) of a detections.json by the counting rule a\n' +
          'calibration records (`detect --curve` writes it into the file; otherwise dicentrics are\n' +
          'counted only in cells with a fragment, the paper’s §2.3), and tabulate each case (the\n' +
          'image’s sampleId) as cells with 0, 1, 2, … aberrations: the ID,C0,C1,… table that\n' +
          '`dicentra dose --counts` and Biodose Tools read. `dose --images` counts the same way.',
      )
      .requiredOption('--detections <detections.json>', 'from `dicentra detect`')
      .option('--out <counts.csv>', 'write the case table ID,C0,C1,… here')
      .option(
        '--cells <cells.csv>',
        'write the per-cell table (case, image, counts per class) here',
      )
      .option(
        '--review <case_dir>',
        'apply the review of `dicentra review` in this case folder: rejected detections dropped, added ones counted, excluded cells left out',
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra detect --model b/bundle.json --images case-17/ --curve curve.json --out case-17.json\n' +
          '  dicentra counts --detections case-17.json --out case-17.csv\n' +
          '  dicentra dose --curve curve.json --counts case-17.csv',
      ),
  ).action(
    commandAction<CountsOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: { '--detections': options.detections, '--review': options.review },
        outputFiles: { '--out': options.out, '--cells': options.cells },
      });
      const { countDetections } = await import('../../engines/dosimetry/count-detections.js');
      const result = await countDetections({
        detections: options.detections,
        ...(options.out === undefined ? {} : { out: options.out }),
        ...(options.cells === undefined ? {} : { cellsOut: options.cells }),
        ...(options.review === undefined ? {} : { review: options.review }),
        warn: (message) => context.warn(message),
      });
      context.result(describe(result, options), { ok: true, ...result });
    }),
  );
}
