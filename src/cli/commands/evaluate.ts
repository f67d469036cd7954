import { join } from 'node:path';
import type { Command } from 'commander';
import { formatDuration } from '../../cores/format-duration.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { TOOL_VERSION } from '../tool-version.js';
import { CACHE_FLOOR } from '../../engines/inference/heatmap-cache.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseInteger, parseNumber, parseNumberList } from '../parse-options.js';

interface EvaluateOptions {
  model: string;
  baseline?: string;
  data: string;
  split: string;
  out: string;
  cache?: string;
  last: number;
  ensembleSize: number;
  ensembles: number;
  seed: number;
  tcGrid?: number[];
  singleTc: number;
  paperTc: number;
  paperTa: number;
  curveTa: number;
}

/** 0.05, 0.10, …, 0.95 and 0.99: twenty values holding the paper's 0.5 and 0.6. */
const DEFAULT_TC_GRID = [...Array.from({ length: 19 }, (_, i) => (i + 1) / 20), 0.99];

export function registerEvaluateCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('evaluate')
      .summary("precision and recall with the paper's intervals, curves, surface and reliability")
      .description(
        "Score a bundle on an annotated split the paper's way (Fig. 2 counting on ground-truth disks of the\n" +
          "bundle's radius): single checkpoints with q5–q95 over the last members, random sub-ensembles with\n" +
          'q5–q95, P/R against T_C (Fig. 3), the (T_C, T_A) surface, the Table 1–2 layout with the ensemble\n' +
          "point chosen to match Model B's precision, and precision by vote fraction. Member heatmaps are cached\n" +
          'so reruns and threshold sweeps never re-run the network.',
      )
      .requiredOption(
        '--model <bundle.json>',
        'the bundle (or its folder) to evaluate (Model B; its members form the ensembles)',
      )
      .option(
        '--baseline <bundle.json>',
        'a second bundle reported as single checkpoints (Model A, e.g. λ = 0)',
      )
      .requiredOption('--data <dataset.json>', 'the annotated dataset')
      .option('--split <name>', 'train, val, test, none or all', 'test')
      .requiredOption('--out <dir>', 'folder for metrics.json, tables.md and the SVG figures')
      .option('--cache <dir>', 'heatmap cache folder (default: OUT/heatmap-cache)')
      .option(
        '--last <n>',
        'use the last N checkpoints of each bundle',
        parseInteger('--last', 1),
        50,
      )
      .option(
        '--ensemble-size <n>',
        'members per random sub-ensemble',
        parseInteger('--ensemble-size', 1),
        10,
      )
      .option(
        '--ensembles <n>',
        'number of random sub-ensembles',
        parseInteger('--ensembles', 1),
        100,
      )
      .option('--seed <n>', 'seed of the sub-ensemble draws', parseInteger('--seed', 0), 1)
      .option(
        '--tc-grid <list>',
        'T_C values of the sweeps (default 0.05,0.10,…,0.95,0.99)',
        parseNumberList('--tc-grid', CACHE_FLOOR, 0.999),
      )
      .option(
        '--single-tc <x>',
        'T_C of single checkpoints in the table',
        parseNumber('--single-tc', CACHE_FLOOR, 0.999),
        0.6,
      )
      .option(
        '--paper-tc <x>',
        "the paper's ensemble T_C, reported too",
        parseNumber('--paper-tc', CACHE_FLOOR, 0.999),
        0.5,
      )
      .option(
        '--paper-ta <n>',
        "the paper's ensemble T_A, reported too",
        parseInteger('--paper-ta', 0),
        4,
      )
      .option(
        '--curve-ta <n>',
        'T_A of the ensemble curves over T_C',
        parseInteger('--curve-ta', 0),
        4,
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra evaluate --model runs/sv/bundle.json --baseline runs/l2/bundle.json --data synth/dataset.json --out eval/\n' +
          '  dicentra evaluate --model b/bundle.json --data d.json --split val --ensembles 20 --out eval-val/ --json',
      ),
  ).action(
    commandAction<EvaluateOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: {
          '--model': options.model,
          '--baseline': options.baseline,
          '--data': options.data,
        },
        outputFolders: { '--out': options.out, '--cache': options.cache },
      });
      const { readDatasetFile } = await import('../../formats/dataset-file.js');
      const { evaluationImages, prepareBundle } =
        await import('../../engines/evaluate/evaluate-bundle.js');
      const { writeEvaluation } = await import('../../engines/evaluate/evaluation-report.js');
      const { readBundleFile } = await import('../../formats/bundle-file.js');
      const { bundle } = await readBundleFile(options.model);
      const pool = Math.min(options.last, bundle.members.length);
      if (options.ensembleSize > pool) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          `--ensemble-size ${options.ensembleSize} is larger than the pool it is drawn from: ${pool} members ` +
            `(the last ${options.last} of the bundle's ${bundle.members.length} members)`,
          {
            field: '--ensemble-size',
            hint: `give --ensemble-size at most ${pool}`,
          },
        );
      }
      const dataset = await readDatasetFile(options.data);
      const images = evaluationImages(dataset, options.split);
      if (images.length === 0) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          `split "${options.split}" of ${options.data} has no annotated image`,
          {
            field: '--split',
            hint: 'choose a split that has images with points (train, val, test, none or all)',
          },
        );
      }
      const tcGrid = [
        ...new Set([...(options.tcGrid ?? DEFAULT_TC_GRID), options.singleTc, options.paperTc]),
      ].sort((a, b) => a - b);
      const cacheDir = options.cache ?? join(options.out, 'heatmap-cache');
      const prepare = async (bundlePath: string, label: string) => {
        const progress = context.progress(`heatmaps ${label}`, images.length);
        const prepared = await prepareBundle({
          bundlePath,
          lastMembers: options.last,
          dataset,
          datasetPath: options.data,
          images,
          cacheDir,
          signal: context.signal,
          onProgress: (done) => progress.update(done),
        });
        progress.finish();
        context.log(
          `${label}: ${prepared.members.length} members, ${prepared.computed} heatmaps computed, the rest cached`,
        );
        return prepared;
      };
      const model = await prepare(options.model, 'model');
      const baseline = options.baseline ? await prepare(options.baseline, 'baseline') : null;
      const started = performance.now();
      const metrics = await writeEvaluation(
        options.out,
        model,
        baseline,
        {
          tcGrid,
          singleTc: options.singleTc,
          paperTc: options.paperTc,
          paperTa: options.paperTa,
          curveTa: options.curveTa,
          subEnsembleSize: options.ensembleSize,
          subEnsembleCount: options.ensembles,
          seed: options.seed,
        },
        {
          dataset: options.data,
          split: options.split,
          images: images.length,
          toolVersion: TOOL_VERSION,
        },
      );
      context.log(`sweeps and figures in ${formatDuration((performance.now() - started) / 1000)}`);
      const classes = metrics.classes;
      context.result(
        `wrote ${options.out}: metrics.json, tables.md, pr-vs-tc.svg, pr-surface.svg, reliability.svg (${images.length} images; ` +
          Object.entries(classes)
            .map(
              ([name, c]) =>
                `${name} ensemble point T_C ${c.operatingPoint.tc}, T_A ${c.operatingPoint.ta}`,
            )
            .join('; ') +
          ')',
        { ok: true, out: options.out, metrics },
      );
    }),
  );
}
