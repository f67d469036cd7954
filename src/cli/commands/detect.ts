import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import { ExitCode } from '../../formats/exit-codes.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseInteger } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';

interface DetectOptions {
  model: string;
  images: string;
  members?: string;
  tc?: string;
  ta?: string;
  curve?: string;
  out: string;
  csv?: string;
  cache?: string;
  qc?: string;
  threads: number;
}

export function registerDetectCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('detect')
      .summary('detect dicentrics and fragments with a checkpoint ensemble; write detections.json')
      .description(
        'Run the members of a model bundle on images and vote (the paper, eqs. 6–7):\n' +
          'Λ_j = φ_j > T_C, S = Σ_j Λ_j, D = S > T_A (both strict); detections are the\n' +
          '8-connected components of D, each with its votes and vote fraction (agreement).\n' +
          'Member heatmaps are cached (--cache): another threshold, or images that evaluate, calibrate\n' +
          'or dose already ran with this bundle, need no network run.\n' +
          'An unreadable image is listed under "errors" and the others still processed (exit 3).',
      )
      .requiredOption(
        '--model <bundle.json>',
        'the model bundle or its folder (every member’s sha256 is checked before it runs)',
      )
      .requiredOption('--images <dir|dataset.json>', 'a folder of images, or a dataset.json')
      .option(
        '--members <rule>',
        'which checkpoints vote: all, last:K, epochs:E1,E2,… or random:K[:SEED] (default: last:10)',
      )
      .option(
        '--tc <value>',
        'confidence threshold T_C: a number, or per class dicentric=0.5,fragment=0.6 (default: 0.5; model-adaptive T_C come with --curve)',
      )
      .option(
        '--ta <value>',
        'agreement threshold T_A (S > T_A), or per class (default: min(4, M − 1))',
      )
      .option(
        '--curve <curve.json>',
        'vote as a calibration from `dicentra calibrate` does: its members, per-member (model-adaptive) T_C and T_A (instead of --members, --tc, --ta); records its counting rule for `dicentra counts`',
      )
      .requiredOption('--out <detections.json>', 'where to write the detections')
      .option('--csv <file.csv>', 'also write one CSV row per detection')
      .option(
        '--cache <dir>',
        'heatmap cache folder, shared with evaluate, calibrate and dose (default: heatmap-cache beside OUT)',
      )
      .option(
        '--threads <n>',
        'inference threads (0: one per core); frames run side by side on one single-thread session per thread, up to 4',
        parseInteger('--threads', 0),
        0,
      )
      .option(
        '--qc <qc.json|auto>',
        'detect only on the cells `dicentra qc` found scorable (auto: judge them now, default rules)',
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra detect --model runs/b/bundle.json --images scans/ --out detections.json\n' +
          '  dicentra detect --model b/bundle.json --images data/dataset.json --members random:10:7 --tc 0.5 --ta 4 --csv det.csv --json\n' +
          '  dicentra detect --model b/bundle.json --images case/ --curve curve.json --out case-detections.json',
      ),
  ).action(
    commandAction<DetectOptions>(signal, async (options, context) => {
      const { readBundleFile } = await import('../../formats/bundle-file.js');
      const { writeDetectionsFile } = await import('../../formats/detections-file.js');
      const { detectImages, detectionsCsv } = await import('../../engines/detect/detect-images.js');
      const loaded = await readBundleFile(options.model);
      const { bundle } = loaded;
      const { chooseDetector } = await import('../../engines/detect/choose-detector.js');
      const { members, selection, tc, ta, counting } = await chooseDetector(
        options,
        loaded,
        (line) => context.log(line),
      );
      const { readCaseImages } = await import('../../engines/import/case-images.js');
      const all = await readCaseImages(options.images);
      const cacheDir = options.cache ?? join(dirname(options.out), 'heatmap-cache');
      await checkCommandFiles({
        inputs: {
          '--model': options.model,
          '--curve': options.curve,
          '--images': [options.images, ...all.map((image) => image.file)],
          '--qc': options.qc === 'auto' ? undefined : options.qc,
        },
        outputFiles: { '--out': options.out, '--csv': options.csv },
        outputFolders: { '--cache': cacheDir },
      });
      const { filterByQc, describeExclusion } = await import('../../engines/qc/qc-filter.js');
      const screened = options.qc ? await filterByQc(all, options.qc, context.signal) : undefined;
      if (screened) context.log(describeExclusion(screened.exclusion));
      const images = screened?.kept ?? all;
      context.log(
        `${members.length} members (epochs ${members.map((m) => m.epoch).join(', ')}) on ${images.length} images`,
      );
      const progress = context.progress('detect', images.length);
      const { detections, computedHeatmaps } = await detectImages({
        loaded,
        members,
        selection,
        tc,
        ta,
        images,
        cacheDir,
        ...(counting ? { counting } : {}),
        outPath: options.out,
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        threads: options.threads,
        onProgress: (done) => progress.update(done),
      });
      progress.finish();
      context.log(`${computedHeatmaps} member heatmaps computed, the rest read from ${cacheDir}`);
      const factors = detections.images.flatMap((image) => image.scaleFactor ?? []);
      if (factors.length > 0) {
        context.log(
          `${factors.length} of ${detections.images.length} frames resized to the bundle's chromosome ` +
            `width (factors ${Math.min(...factors).toFixed(2)}–${Math.max(...factors).toFixed(2)}; ` +
            'docs/evaluation.md, scale normalisation)',
        );
      }
      await writeDetectionsFile(options.out, detections);
      if (options.csv) await writeFileAtomic(options.csv, detectionsCsv(detections));
      const totals = Object.fromEntries(
        bundle.classes.map((name) => [
          name,
          detections.images.reduce((sum, image) => sum + image.counts[name]!, 0),
        ]),
      );
      const failed = detections.errors.length > 0;
      context.result(
        `wrote ${options.out}: ${detections.images.length} images, ${bundle.classes
          .map((name) => `${totals[name]} ${name}`)
          .join(', ')}${failed ? `; ${detections.errors.length} images failed` : ''}` +
          (screened ? `; QC excluded ${screened.exclusion.excluded.length} of ${all.length}` : ''),
        {
          ok: !failed,
          out: options.out,
          images: detections.images.length,
          memberEpochs: detections.bundle.memberEpochs,
          thresholds: detections.thresholds,
          detections: totals,
          errors: detections.errors,
          ...(screened ? { qc: screened.exclusion } : {}),
        },
      );
      if (failed) {
        for (const error of detections.errors) context.warn(`${error.path}: ${error.message}`);
        process.stderr.write(
          `error[DCN_E_IMAGES_FAILED]: ${detections.errors.length} of ${
            detections.errors.length + detections.images.length
          } images could not be read; ${options.out} holds the others and lists the failures under "errors"\n` +
            '  hint: fix or remove the listed images and run again\n',
        );
        process.exitCode = ExitCode.inputOutput;
      }
    }),
  );
}
