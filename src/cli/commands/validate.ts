import type { Command } from 'commander';
import { commandAction, withCommonOptions } from '../define-command.js';

interface ValidateOptions {
  headersOnly?: boolean;
}

export function registerValidateCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('validate')
      .summary('check a dataset.json and every image it names; list all problems at once')
      .description(
        'Check a dataset.json: its schema, unique ids, known classes, points inside their image,\n' +
          'and that every image exists, decodes and has the recorded size. All problems are listed at once.\n' +
          'Exit 0 when valid; 2 for content problems; 3 when an image is missing or undecodable.',
      )
      .argument('<dataset.json>', 'the dataset to check')
      .option('--headers-only', 'read image headers only (faster; misses truncated files)'),
  ).action(
    commandAction<ValidateOptions>(signal, async (options, context, [path]) => {
      const { readDatasetFile } = await import('../../formats/dataset-file.js');
      const { findDatasetProblems, throwIfProblems } =
        await import('../../engines/import/dataset-validation.js');
      const dataset = await readDatasetFile(path!);
      const progress = context.progress('checking images', dataset.images.length);
      const problems = await findDatasetProblems(dataset, path!, {
        decode: !options.headersOnly,
        onProgress: (done) => progress.update(done),
      });
      progress.finish();
      throwIfProblems(problems, path!);
      const points = dataset.images.reduce(
        (sum, image) => sum + Object.values(image.points ?? {}).reduce((s, p) => s + p.length, 0),
        0,
      );
      context.result(`${path}: valid (${dataset.images.length} images, ${points} points)`, {
        ok: true,
        file: path,
        images: dataset.images.length,
        points,
        classes: dataset.classes,
      });
    }),
  );
}
