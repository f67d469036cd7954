import { join } from 'node:path';
import type { Command } from 'commander';
import type { SplitRatios } from '../../cores/split-assignment.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { AnnotationSource } from '../../engines/import/import-dataset.js';
import { DEFAULT_YOLO_CLASSES, parseYoloClassMap } from '../../formats/yolo-labels.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseInteger, parseSplitRatios } from '../parse-options.js';

interface ImportOptions {
  images: string;
  points?: string;
  yolo?: string;
  yoloClasses: string;
  classes?: string;
  samples?: string;
  split?: SplitRatios;
  seed: number;
  groupBySample: boolean;
  out: string;
}

export function registerImportCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('import')
      .summary('build a dataset.json from a folder of images and point or YOLO annotations')
      .description(
        'Build a dataset.json from a folder of images (PNG, TIFF incl. 16-bit, JPEG) and their annotations:\n' +
          'either a CSV of points (image,class,x,y in pixels) or YOLO box labels (each box becomes its centre).\n' +
          'Every image is decoded and checked; nothing is written unless the whole dataset is valid.',
      )
      .requiredOption('--images <dir>', 'folder of images (not searched recursively)')
      .option(
        '--points <file.csv>',
        'CSV with header image,class,x,y (image = file name in --images)',
      )
      .option('--yolo <dir>', 'folder of YOLO labels NAME.txt ("class cx cy w h", normalised)')
      .option(
        '--yolo-classes <map>',
        'YOLO class id → name; "*=NAME" maps every id not listed, ID=- drops a class (e.g. 0=dicentric,*=-)',
        DEFAULT_YOLO_CLASSES,
      )
      .option(
        '--classes <names>',
        "class list of the dataset (default: the annotations' own names)",
      )
      .option('--samples <file.csv>', 'CSV with header image,sampleId[,doseGy]')
      .option(
        '--split <train,val,test>',
        'split images by these ratios, e.g. 0.8,0.1,0.1 (default: all "none")',
        parseSplitRatios('--split'),
      )
      .option('--seed <n>', 'seed of the split', parseInteger('--seed', 0), 1)
      .option('--no-group-by-sample', 'let images of one sample fall into different splits')
      .requiredOption(
        '--out <dataset.json>',
        'where to write the dataset (paths inside are relative to it)',
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra import --images scans/ --points points.csv --split 0.8,0.1,0.1 --seed 7 --out data/dataset.json\n' +
          '  dicentra import --images imgs/ --yolo labels/ --yolo-classes "*=chromosome" --out refs.json --json',
      ),
  ).action(
    commandAction<ImportOptions>(signal, async (options, context) => {
      const { writeDatasetFile } = await import('../../formats/dataset-file.js');
      const { importDataset } = await import('../../engines/import/import-dataset.js');
      if (Boolean(options.points) === Boolean(options.yolo)) {
        throw new DicentraError('DCN_E_USAGE', 'give exactly one of --points and --yolo', {
          field: options.points ? '--yolo' : '--points',
          hint: 'use --points FILE.csv for point tables or --yolo LABEL_DIR for YOLO boxes',
        });
      }
      const { listImageFiles } = await import('../../engines/import/image-folder.js');
      const imageFiles = await listImageFiles(options.images, { sharedIds: 'allowed' });
      await checkCommandFiles({
        inputs: {
          '--images': [options.images, ...imageFiles.map((name) => join(options.images, name))],
          '--points': options.points,
          '--yolo': options.yolo,
          '--samples': options.samples,
        },
        outputFiles: { '--out': options.out },
      });
      const annotations: AnnotationSource = options.points
        ? { kind: 'points', csv: options.points }
        : {
            kind: 'yolo',
            labelDir: options.yolo!,
            classMap: parseYoloClassMap(options.yoloClasses),
          };
      let progress: ReturnType<typeof context.progress> | undefined;
      const { dataset, warnings, notes } = await importDataset({
        imagesDir: options.images,
        annotations,
        outPath: options.out,
        ...(options.classes ? { classes: options.classes.split(',').map((c) => c.trim()) } : {}),
        ...(options.samples ? { samplesCsv: options.samples } : {}),
        ...(options.split
          ? {
              split: {
                ratios: options.split,
                seed: options.seed,
                groupBySample: options.groupBySample,
              },
            }
          : {}),
        onProgress: (done, total) => {
          progress ??= context.progress('checking images', total);
          progress.update(done);
        },
      });
      progress?.finish();
      warnings.forEach((warning) => context.warn(warning));
      notes.forEach((note) => context.log(`note: ${note}`));
      await writeDatasetFile(options.out, dataset);
      const perClass = Object.fromEntries(
        dataset.classes.map((name) => [
          name,
          dataset.images.reduce((sum, image) => sum + (image.points?.[name]?.length ?? 0), 0),
        ]),
      );
      const perSplit = Object.fromEntries(
        ['train', 'val', 'test', 'none'].map((split) => [
          split,
          dataset.images.filter((image) => image.split === split).length,
        ]),
      );
      context.result(
        `wrote ${options.out}: ${dataset.images.length} images, classes ${dataset.classes
          .map((name) => `${name} (${perClass[name]} points)`)
          .join(', ')}; splits ${Object.entries(perSplit)
          .filter(([, n]) => n > 0)
          .map(([split, n]) => `${split} ${n}`)
          .join(', ')}`,
        {
          ok: true,
          out: options.out,
          images: dataset.images.length,
          classes: dataset.classes,
          pointsPerClass: perClass,
          imagesPerSplit: perSplit,
          pointsPerImage: Object.fromEntries(
            dataset.images.map((image) => [
              image.id,
              Object.values(image.points ?? {}).reduce((sum, p) => sum + p.length, 0),
            ]),
          ),
          warnings,
        },
      );
    }),
  );
}
