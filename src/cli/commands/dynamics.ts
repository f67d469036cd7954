import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { throwIfInterrupted } from '../interrupt.js';
import { parseInteger } from '../parse-options.js';
import { TOOL_VERSION } from '../tool-version.js';
import type { Progress } from '../progress.js';

interface DynamicsOptions {
  model: string;
  data: string;
  split: string;
  epochs?: string;
  background: number;
  seed: number;
  detections?: string;
  grid: number;
  clusters: number;
  out: string;
}

const SPLITS = ['train', 'val', 'test', 'none', 'all'] as const;

/** First, middle and last member: the paper's Fig. 5 shows three epochs (82, 92, 100). */
function defaultPanels(epochs: readonly number[]): number[] {
  return [...new Set([epochs[0]!, epochs[Math.floor((epochs.length - 1) / 2)]!, epochs.at(-1)!])];
}

function parsePanels(text: string, epochs: readonly number[]): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  const bad = values.find((value) => !epochs.includes(value));
  if (bad !== undefined || values.length === 0) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--epochs ${text}: ${bad === undefined ? 'no epoch given' : `epoch ${bad} is not a member of the bundle`}`,
      { field: '--epochs', hint: `choose among the bundle's epochs: ${epochs.join(', ')}` },
    );
  }
  return [...new Set(values)];
}

export function registerDynamicsCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('dynamics')
      .summary('training dynamics in feature space: aligned PCA, per-epoch SVM regions, entropy')
      .description(
        "Tracks how a bundle's checkpoints separate dicentrics, fragments and background in feature " +
          'space (Deschemps et al., Fig. 4-6, eqs. 8-9): feature vectors of every member at the ' +
          'annotated aberrations and at seeded background cells of a split; Procrustes alignment to the ' +
          'first member; one PCA over all epochs; per epoch an RBF SVM on the 2-D embedding; the entropy ' +
          'of the averaged classifier; k-means centroid trajectories. With --detections, every detection ' +
          "is scored by the entropy where it sits and compared with the ensemble's vote fraction. Writes " +
          'DIR/dynamics.json, decision-regions.svg, entropy-tracks.svg and explained-variance.svg.',
      )
      .requiredOption(
        '--model <bundle.json>',
        'model bundle or its folder; every member is analysed',
      )
      .requiredOption('--data <dataset.json>', 'dataset with annotated points')
      .option('--split <name>', `images analysed: ${SPLITS.join(', ')}`, 'test')
      .option(
        '--epochs <e1,e2,...>',
        'epochs drawn as decision-region panels (default: first, middle, last)',
      )
      .option(
        '--background <n>',
        'background cells drawn per image',
        parseInteger('--background', 0, 100000),
        20,
      )
      .option(
        '--seed <n>',
        'seed of the background draw and of k-means',
        parseInteger('--seed', 0),
        1,
      )
      .option(
        '--detections <detections.json>',
        'detections to score by entropy (from dicentra detect)',
      )
      .option(
        '--grid <n>',
        'cells per side of the entropy grid',
        parseInteger('--grid', 2, 512),
        64,
      )
      .option(
        '--clusters <k>',
        'k-means centroids per class',
        parseInteger('--clusters', 1, 1000),
        8,
      )
      .requiredOption('--out <dir>', 'output folder')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra dynamics --model run/bundle/bundle.json --data synth/dataset.json --out dyn/\n' +
          '  dicentra dynamics --model b/bundle.json --data d.json --split test --epochs 82,92,100 \\\n' +
          '      --background 20 --seed 7 --detections det.json --out dyn/ --json',
      ),
  ).action(
    commandAction<DynamicsOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: {
          '--model': options.model,
          '--data': options.data,
          '--detections': options.detections,
        },
        outputFolders: { '--out': options.out },
      });
      const { readBundleFile } = await import('../../formats/bundle-file.js');
      const { readDatasetFile } = await import('../../formats/dataset-file.js');
      const { readDetectionsFile } = await import('../../formats/detections-file.js');
      const { writeDynamicsFile } = await import('../../formats/dynamics-file.js');
      const { analyseBundleDynamics } = await import('../../engines/dynamics/bundle-dynamics.js');
      if (!(SPLITS as readonly string[]).includes(options.split)) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          `--split must be one of ${SPLITS.join(', ')}`,
          {
            field: '--split',
            hint: 'e.g. --split test',
          },
        );
      }
      const loaded = await readBundleFile(options.model);
      const members = [...loaded.bundle.members].sort((a, b) => a.epoch - b.epoch);
      const epochs = members.map((m) => m.epoch);
      if (members.length < 2) {
        throw new DicentraError(
          'DCN_E_DYNAMICS_TOO_FEW',
          `bundle ${options.model} has ${members.length} member; the analysis compares epochs`,
          {
            file: options.model,
            field: 'members',
            hint: 'train past the warm-up for several epochs',
          },
        );
      }
      const panelEpochs = options.epochs
        ? parsePanels(options.epochs, epochs)
        : defaultPanels(epochs);
      const dataset = await readDatasetFile(options.data);
      const detections = options.detections
        ? { path: options.detections, content: await readDetectionsFile(options.detections) }
        : undefined;
      context.log(
        `${members.length} members (epochs ${epochs[0]}–${epochs.at(-1)}), split "${options.split}", ` +
          `${options.background} background cells per image, seed ${options.seed}`,
      );
      let reading: Progress | undefined;
      const stages = new Map<string, Progress>();
      const { document, figures } = await analyseBundleDynamics({
        loaded,
        members,
        dataset,
        datasetPath: options.data,
        split: options.split as (typeof SPLITS)[number],
        panelEpochs,
        backgroundPerImage: options.background,
        seed: options.seed,
        settings: { gridSize: options.grid, clustersPerClass: options.clusters },
        ...(detections ? { detections } : {}),
        toolVersion: TOOL_VERSION,
        warn: (message) => context.warn(message),
        onImage: (done, total) => {
          throwIfInterrupted(context.signal);
          reading ??= context.progress('features', total);
          reading.update(done);
          if (done === total) reading.finish();
        },
        onStage: (stage, done, total) => {
          throwIfInterrupted(context.signal);
          let bar = stages.get(stage);
          if (!bar) stages.set(stage, (bar = context.progress(stage, total)));
          bar.update(done);
          if (done === total) bar.finish();
        },
      });
      await writeDynamicsFile(join(options.out, 'dynamics.json'), document);
      for (const [name, svg] of figures) await writeFileAtomic(join(options.out, name), svg);
      const accuracies = document.svm.map((s) => s.accuracy);
      const counts = Object.fromEntries(
        document.classes.map((name) => [
          name,
          document.locations.filter((l) => l.class === name).length,
        ]),
      );
      const agreement = document.agreement;
      context.result(
        `wrote ${options.out}: ${document.locations.length} locations (${document.classes
          .map((name) => `${counts[name]} ${name}`)
          .join(', ')}) × ${document.epochs.length} epochs; PC1+PC2 ${(
          100 *
          ((document.explainedVariance[0] ?? 0) + (document.explainedVariance[1] ?? 0))
        ).toFixed(1)}% of variance; SVM accuracy ${Math.min(...accuracies).toFixed(3)}–${Math.max(
          ...accuracies,
        ).toFixed(
          3,
        )}; ${document.uncertain.annotations.length} annotated aberrations in high-entropy regions` +
          (agreement
            ? `; ${agreement.highEntropy.count} of ${agreement.detections} detections uncertain, Spearman ρ(entropy, vote fraction) = ${
                agreement.spearman === null ? 'n/a' : agreement.spearman.toFixed(3)
              }`
            : ''),
        {
          ok: true,
          out: options.out,
          files: ['dynamics.json', ...figures.keys()],
          epochs: document.epochs,
          panelEpochs,
          locations: counts,
          explainedVariance: document.explainedVariance.slice(0, 2),
          svm: document.svm,
          uncertainAnnotations: document.uncertain.annotations.length,
          agreement,
        },
      );
    }),
  );
}
