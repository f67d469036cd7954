import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { SplitRatios } from '../../cores/split-assignment.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { ExitCode } from '../../formats/exit-codes.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { optionWithDefault, parseInteger, parseSplitRatios } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';

interface ReviewOptions {
  case: string;
  port: number;
  host: string;
  reviewer?: string;
  init?: boolean;
  images?: string;
  model?: string;
  curve?: string;
}

interface ExportOptions {
  case: string;
  dataset: string;
  split: SplitRatios;
  seed: number;
}

function defaultReviewer(): string {
  try {
    return userInfo().username || 'reviewer';
  } catch {
    return 'reviewer';
  }
}

/** --init needs --images and --model; serving takes neither. */
function checkInitOptions(options: ReviewOptions): void {
  const initOnly = (['images', 'model', 'curve'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (!options.init && initOnly.length > 0) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `${initOnly.map((name) => `--${name}`).join(', ')} go with --init`,
      { field: `--${initOnly[0]}`, hint: 'create the case with --init first, then review it' },
    );
  }
  if (options.init && (!options.images || !options.model)) {
    throw new DicentraError('DCN_E_OPTION_INVALID', '--init needs --images and --model', {
      field: options.images ? '--model' : '--images',
      hint: 'e.g. dicentra review --init --case case-17 --images scans/ --model models/demo',
    });
  }
}

export function registerReviewCommand(program: Command, signal: AbortSignal): void {
  const review = withCommonOptions(
    program
      .command('review')
      .summary(
        'review detections in the browser: accept, reject, add, exclude; live counts and dose',
      )
      .description(
        'Serve a case folder (detections.json from `dicentra detect`, the images, optional curve.json\n' +
          'and dynamics.json) as a local web page for a person to review the detections: a queue of\n' +
          'candidate tiles, most doubtful first, keyboard-first decisions, the whole cell, and a live\n' +
          'panel with the C0…Cn table, dispersion u-test and (with a curve) the dose and its interval.\n' +
          'Every decision is committed to CASE/review.sqlite before the page is answered. The page’s\n' +
          'address, with its session token, is printed on stdout; nothing is opened. `counts --review`\n' +
          'and `review export` apply the review without the server (docs/review.md).',
      )
      .requiredOption('--case <dir>', 'the case folder')
      .option(
        '--port <n>',
        'port to listen on (0: any free port)',
        parseInteger('--port', 0, 65535),
        0,
      )
      .option('--host <address>', 'address to listen on', '127.0.0.1')
      .option(
        '--reviewer <name>',
        'who decides (recorded with each change; default: the user name)',
      )
      .option(
        '--init',
        'create the case folder instead: copy --images in and run `dicentra detect`',
      )
      .option('--images <dir|dataset.json>', 'with --init: the case’s images')
      .option('--model <bundle.json>', 'with --init: the bundle (or its folder) to detect with')
      .option(
        '--curve <curve.json>',
        'with --init: a curve from `dicentra calibrate` (detect as it does; dose in the panel)',
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra review --init --case case-17 --images scans/ --model models/demo --curve curve.json\n' +
          '  dicentra review --case case-17 --reviewer "A. Smith"\n' +
          '  dicentra counts --detections case-17/detections.json --review case-17 --out case-17.csv\n' +
          '  dicentra review export --case case-17 --dataset reviewed/dataset.json',
      ),
  )
    // `review export --case …`: the options after `export` are export's own
    .enablePositionalOptions()
    .action(
      commandAction<ReviewOptions>(signal, async (options, context) => {
        checkInitOptions(options);
        if (options.init) {
          await checkCommandFiles({
            inputs: {
              '--images': options.images,
              '--model': options.model,
              '--curve': options.curve,
            },
            outputFolders: { '--case': options.case },
          });
          const { initReviewCase } = await import('../../engines/review/init-case.js');
          context.log(`detecting on the images of ${options.images} into ${options.case}`);
          const result = await initReviewCase({
            caseDir: options.case,
            images: options.images!,
            model: options.model!,
            ...(options.curve === undefined ? {} : { curve: options.curve }),
            toolVersion: TOOL_VERSION,
            signal: context.signal,
          });
          context.result(
            `created case ${options.case} (${result.images} images); review it with: dicentra review --case ${options.case}`,
            { ok: true, case: options.case, images: result.images },
          );
          return;
        }
        const { startReviewServer } = await import('../../engines/review/review-server.js');
        const server = await startReviewServer({
          caseDir: options.case,
          host: options.host,
          port: options.port,
          reviewer: options.reviewer ?? defaultReviewer(),
          warn: (message) => context.warn(message),
        });
        context.result(server.url, { ok: true, url: server.url });
        context.log('open the address above in a browser; Ctrl-C stops the server');
        await new Promise<void>((done) => {
          if (context.signal.aborted) done();
          else context.signal.addEventListener('abort', () => done(), { once: true });
        });
        await server.close();
        context.log(`review server stopped; every decision is in ${options.case}/review.sqlite`);
        process.exitCode = ExitCode.interrupted;
      }),
    );
  withCommonOptions(
    review
      .command('export')
      .summary('write a dataset.json whose points are the reviewed truth (for fine-tuning)')
      .description(
        'Write the reviewed cells as a dataset.json (docs/formats.md): each included cell whose every\n' +
          'candidate was accepted or rejected, with the accepted detections and the added points as\n' +
          'its annotation, split cell by cell. Fine-tune on it with `dicentra train --init-from RUN_DIR`.',
      )
      .requiredOption('--case <dir>', 'the reviewed case folder')
      .requiredOption('--dataset <out.json>', 'where to write the dataset.json')
      .addOption(
        optionWithDefault(
          '--split <train,val,test>',
          'split of the cells by these ratios',
          parseSplitRatios('--split'),
          '0.9,0.1,0',
        ),
      )
      .option('--seed <n>', 'seed of the split', parseInteger('--seed', 0), 1)
      .addHelpText(
        'after',
        '\nExample:\n' +
          '  dicentra review export --case case-17 --dataset reviewed/dataset.json\n' +
          '  dicentra train --data reviewed/dataset.json --init-from runs/b --out runs/b-lab',
      ),
  ).action(
    commandAction<ExportOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: { '--case': options.case },
        outputFiles: { '--dataset': options.dataset },
      });
      const { exportReviewedDataset } = await import('../../engines/review/export-dataset.js');
      const result = await exportReviewedDataset({
        caseDir: options.case,
        out: options.dataset,
        split: options.split,
        seed: options.seed,
        toolVersion: TOOL_VERSION,
      });
      const points = Object.entries(result.points)
        .map(([name, count]) => `${count} ${name}`)
        .join(', ');
      context.result(
        `wrote ${result.out}: ${result.images} reviewed cells (${points}); left out ${result.excluded} excluded and ${result.undecided} not fully reviewed`,
        { ok: true, ...result },
      );
    }),
  );
}
