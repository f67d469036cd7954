import { Option, type Command } from 'commander';
import { DEFAULT_QC_RULES as RULES } from '../../cores/qc/qc-decision.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { checkCommandFiles } from '../command-files.js';
import { parseInteger, parseNumber } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';

interface QcOptions {
  images: string;
  out: string;
  detections?: string;
  model?: string;
  chromosomes: number;
  tolerance: number;
  maxBorderObjects: number;
  maxClusteredFraction: number;
  maxNucleiOverSpread: number;
  maxSpreadCoverage: number;
  minFocus: number;
  minContrast: number;
}

export function registerQcCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('qc')
      .summary(
        'judge each metaphase frame scorable or not (chromosome count, spread, nuclei, focus)',
      )
      .description(
        'Metaphase quality control: a classical segmentation of each frame estimates its chromosomes\n' +
          '(centromere-equivalents), whether the spread is cut by the frame edge, clumped or under a\n' +
          'nucleus, and its focus and contrast; documented rules (docs/qc.md) make the verdict.\n' +
          'calibrate, dose and detect then take --qc qc.json to score only the scorable cells.',
      )
      .requiredOption('--images <dir|dataset.json>', 'a folder of images, or a dataset.json')
      .requiredOption('--out <qc.json>', 'the verdicts, measures and rules (docs/formats.md)')
      .addOption(
        new Option(
          '--model <bundle>',
          "optional: detect dicentrics with this bundle (detect's default voting); one on an object counted one makes it two",
        ).conflicts('detections'),
      )
      .option(
        '--detections <detections.json>',
        "optional: `dicentra detect`'s output on these images, used as --model's detections are",
      )
      .option(
        '--chromosomes <n>',
        'expected centromere-equivalents per cell',
        parseInteger('--chromosomes', 1, 200),
        RULES.chromosomes,
      )
      .option(
        '--tolerance <n>',
        'accepted count either side',
        parseInteger('--tolerance', 0),
        RULES.tolerance,
      )
      .option(
        '--max-border-objects <n>',
        'most objects cut by the frame edge (more: incomplete-spread)',
        parseInteger('--max-border-objects', 0),
        RULES.maxBorderObjects,
      )
      .option(
        '--max-clustered-fraction <f>',
        'largest share of the count in clusters of ≥ 3 (more: clumped)',
        parseNumber('--max-clustered-fraction', 0, 1),
        RULES.maxClusteredFraction,
      )
      .option(
        '--max-nuclei-over-spread <n>',
        'most nuclei within the spread (more: nucleus-over-spread)',
        parseInteger('--max-nuclei-over-spread', 0),
        RULES.maxNucleiOverSpread,
      )
      .option(
        '--max-spread-coverage <f>',
        "largest share of the frame the spread's hull covers (more: spread-too-wide)",
        parseNumber('--max-spread-coverage', 0, 1),
        RULES.maxSpreadCoverage,
      )
      .option(
        '--min-focus <x>',
        'least sharpness (variance of the Laplacian ×10⁴)',
        parseNumber('--min-focus', 0),
        RULES.minFocus,
      )
      .option(
        '--min-contrast <x>',
        'least stain contrast (darkness p99.5 − median)',
        parseNumber('--min-contrast', 0, 1),
        RULES.minContrast,
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra qc --images case-17/ --out case-17-qc.json\n' +
          '  dicentra qc --images data/calib/dataset.json --out calib-qc.json --tolerance 3\n' +
          '  dicentra dose --curve curve.json --model models/demo --images case-17/ --qc case-17-qc.json',
      ),
  ).action(
    commandAction<QcOptions>(signal, async (options, context) => {
      const { readCaseImages } = await import('../../engines/import/case-images.js');
      const images = await readCaseImages(options.images);
      await checkCommandFiles({
        inputs: {
          '--images': [options.images, ...images.map((image) => image.file)],
          '--detections': options.detections,
          '--model': options.model,
        },
        outputFiles: { '--out': options.out },
      });
      const { runQc } = await import('../../engines/qc/run-qc.js');
      const progress = context.progress('qc', images.length);
      const document = await runQc({
        images,
        out: options.out,
        source: options.images,
        ...(options.detections ? { detections: options.detections } : {}),
        ...(options.model ? { model: options.model } : {}),
        rules: {
          chromosomes: options.chromosomes,
          tolerance: options.tolerance,
          maxBorderObjects: options.maxBorderObjects,
          maxClusteredFraction: options.maxClusteredFraction,
          maxNucleiOverSpread: options.maxNucleiOverSpread,
          maxSpreadCoverage: options.maxSpreadCoverage,
          minFocus: options.minFocus,
          minContrast: options.minContrast,
        },
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        onProgress: (done) => progress.update(done),
      }).finally(() => progress.finish());
      const { summary } = document;
      const reasons = Object.entries(summary.reasons)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${n} ${reason}`)
        .join(', ');
      context.result(
        `wrote ${options.out}: ${summary.scorable} of ${summary.images} frames scorable` +
          (reasons ? `; not scorable: ${reasons}` : ''),
        { ok: true, out: options.out, ...summary },
      );
    }),
  );
}
