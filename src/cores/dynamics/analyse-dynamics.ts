import { DicentraError } from '../../formats/dicentra-error.js';
import { averageProbabilities, entropyPerCell } from './averaged-classifier.js';
import { centroidTracks, type CentroidTrack } from './centroid-tracks.js';
import { cellCentres, gridAround, interpolateGrid, type EmbeddingGrid } from './embedding-grid.js';
import { bagRows, type FeatureBags } from './feature-bags.js';
import { fitJointPca, projectOnAxes } from './joint-pca.js';
import {
  applyProcrustes,
  fitProcrustes,
  identityProcrustes,
  type ProcrustesFit,
} from './procrustes.js';
import type { SvmGridFitter } from './svm-grid-fitter.js';
import { voteAgreement, type VoteAgreement } from './vote-agreement.js';

/** Every choice the paper leaves open; docs/dynamics.md explains each default. */
export interface DynamicsSettings {
  /** Cells per side of the uniform grid over the embedding. */
  readonly gridSize: number;
  /** Grid box: per axis the gridTrim to 1 − gridTrim quantiles of all embedded points, widened by this share of its extent per side. */
  readonly gridMargin: number;
  /** Share of the pooled coordinates left beyond each side of the grid box (0 = bounding box). */
  readonly gridTrim: number;
  /** C of the RBF C-SVC. */
  readonly svmCost: number;
  /** γ of the RBF kernel; 'scale' = 1 / (2 · variance of all embedding coordinates, all epochs). */
  readonly svmGamma: number | 'scale';
  /** k of k-means per class (fewer when a class has fewer locations). */
  readonly clustersPerClass: number;
  /** Seed of k-means++. */
  readonly kmeansSeed: number;
  /** Procrustes with isotropic scale (true) or rotation and translation only. */
  readonly procrustesScale: boolean;
  /** A location is uncertain when its entropy is ≥ this share of log(classes). */
  readonly highEntropyFraction: number;
}

export const DEFAULT_DYNAMICS_SETTINGS: DynamicsSettings = {
  gridSize: 64,
  gridMargin: 0.1,
  gridTrim: 0.01,
  svmCost: 1,
  svmGamma: 'scale',
  clustersPerClass: 8,
  kmeansSeed: 1,
  procrustesScale: true,
  highEntropyFraction: 0.5,
};

/** Locations embedded with the fitted transforms but not used to fit them (detections). */
export interface QueryLocations {
  readonly items: readonly {
    readonly imageId: string;
    readonly x: number;
    readonly y: number;
    readonly classIndex: number;
    readonly voteFraction: number;
  }[];
  /** Per epoch, in the bags' epoch order: items × dims feature vectors. */
  readonly features: readonly Float64Array[];
}

export interface LocationEntropy {
  readonly imageId: string;
  readonly x: number;
  readonly y: number;
  readonly classIndex: number;
  /** Mean over epochs of H(p̄) where the location sits at that epoch, in nats. */
  readonly entropy: number;
  readonly voteFraction?: number;
}

export interface DynamicsAnalysis {
  readonly classes: readonly string[];
  readonly epochs: readonly number[];
  readonly referenceEpoch: number;
  readonly settings: DynamicsSettings;
  /** The γ actually used (resolved from 'scale'). */
  readonly svmGamma: number;
  readonly alignment: readonly { epoch: number; scale: number; residual: number }[];
  readonly explainedVariance: readonly number[];
  /** Per epoch: rows × 2 embedding coordinates. */
  readonly embeddings: readonly Float64Array[];
  readonly svm: readonly { epoch: number; accuracy: number; supportVectors: number }[];
  readonly grid: EmbeddingGrid;
  /** p̄ (eq. 8): cells × classes. */
  readonly meanProbabilities: Float64Array;
  /** H(p̄) (eq. 9) per cell, nats. */
  readonly entropy: Float64Array;
  /** Per-epoch probability grids (cells × classes) of the epochs asked for in `keepRegionsFor`. */
  readonly regions: ReadonlyMap<number, Float64Array>;
  readonly tracks: readonly CentroidTrack[];
  readonly highEntropyThreshold: number;
  /** Entropy per fitted row (every location, background included), in row order. */
  readonly rowEntropy: Float64Array;
  /** Query locations (detections) with their entropy and vote fraction, in input order. */
  readonly queries: readonly LocationEntropy[];
  /** null without query locations. */
  readonly agreement: VoteAgreement | null;
}

export type DynamicsStage = 'align' | 'pca' | 'svm' | 'tracks';

export interface AnalyseOptions {
  readonly settings?: Partial<DynamicsSettings>;
  /** Epochs whose own decision regions are kept (for the Fig. 5 panels). */
  readonly keepRegionsFor?: readonly number[];
  readonly queries?: QueryLocations;
  /** Called between steps; a throw (e.g. on Ctrl-C) stops the analysis. */
  readonly onProgress?: (stage: DynamicsStage, done: number, total: number) => void;
}

/** Variance of every coordinate of every epoch's embedding pooled (sklearn's X.var()). */
function pooledVariance(embeddings: readonly Float64Array[]): number {
  let count = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const points of embeddings) {
    for (const value of points) {
      count++;
      sum += value;
      sumSquares += value * value;
    }
  }
  const mean = sum / count;
  return Math.max(0, sumSquares / count - mean * mean);
}

/**
 * The paper's visualisation of training dynamics (Methods, eqs. 8–9): align
 * every epoch's feature set to the first by Procrustes, fit one PCA over all
 * epochs, embed each epoch in the first two components, fit an RBF SVM per
 * epoch on its embedding, average the SVMs' probabilities over a uniform grid
 * and take the entropy (`fitSvmOnGrid` fits one epoch's classifier); summarise classes by k-means centroid tracks; score
 * locations (and detections) by the entropy where they sit.
 */
export function analyseDynamics(
  bags: FeatureBags,
  fitSvmOnGrid: SvmGridFitter,
  options: AnalyseOptions = {},
): DynamicsAnalysis {
  const settings: DynamicsSettings = { ...DEFAULT_DYNAMICS_SETTINGS, ...options.settings };
  const progress = options.onProgress ?? (() => undefined);
  const rows = bagRows(bags);
  const { dims } = bags;
  const classCount = bags.classes.length;
  if (bags.epochs.length < 2) {
    throw new DicentraError(
      'DCN_E_DYNAMICS_TOO_FEW',
      `the training-dynamics analysis needs at least two epochs, got ${bags.epochs.length}`,
      { hint: 'use a bundle with several members, or list more of them with --epochs' },
    );
  }
  const epochs = bags.epochs.map((e) => e.epoch);
  const reference = bags.epochs[0]!.data;

  const fits: ProcrustesFit[] = [];
  const aligned: Float64Array[] = [];
  bags.epochs.forEach(({ data }, index) => {
    const fit =
      index === 0
        ? identityProcrustes(reference, rows, dims)
        : fitProcrustes(data, reference, rows, dims, { scale: settings.procrustesScale });
    fits.push(fit);
    aligned.push(index === 0 ? data : applyProcrustes(fit, data, rows, dims));
    progress('align', index + 1, bags.epochs.length);
  });

  progress('pca', 0, 1);
  const pca = fitJointPca(aligned, rows, dims);
  const embeddings = aligned.map((data) => projectOnAxes(pca, data, rows, dims));
  aligned.length = 0; // the aligned copies are the largest arrays; free them before the SVMs
  progress('pca', 1, 1);

  const variance = pooledVariance(embeddings);
  const svmGamma =
    settings.svmGamma === 'scale' ? (variance > 0 ? 1 / (2 * variance) : 1) : settings.svmGamma;
  const grid = gridAround(embeddings, settings.gridSize, settings.gridMargin, settings.gridTrim);
  const cells = cellCentres(grid);
  const keep = new Set(options.keepRegionsFor ?? []);
  const regions = new Map<number, Float64Array>();
  const svm: { epoch: number; accuracy: number; supportVectors: number }[] = [];
  const perEpoch: Float64Array[] = [];
  embeddings.forEach((points, index) => {
    const fit = fitSvmOnGrid(points, bags.labels, classCount, cells, {
      cost: settings.svmCost,
      gamma: svmGamma,
    });
    perEpoch.push(fit.probabilities);
    if (keep.has(epochs[index]!)) regions.set(epochs[index]!, fit.probabilities);
    svm.push({ epoch: epochs[index]!, accuracy: fit.accuracy, supportVectors: fit.supportVectors });
    progress('svm', index + 1, embeddings.length);
  });
  const meanProbabilities = averageProbabilities(perEpoch);
  const entropy = entropyPerCell(meanProbabilities, classCount);

  progress('tracks', 0, 1);
  const tracks = centroidTracks(
    embeddings,
    bags.labels,
    classCount,
    settings.clustersPerClass,
    settings.kmeansSeed,
  );
  progress('tracks', 1, 1);

  const entropyAlong = (positions: readonly Float64Array[], row: number): number =>
    positions.reduce(
      (sum, points) => sum + interpolateGrid(grid, entropy, points[2 * row]!, points[2 * row + 1]!),
      0,
    ) / positions.length;
  const rowEntropy = new Float64Array(rows);
  for (let row = 0; row < rows; row++) rowEntropy[row] = entropyAlong(embeddings, row);

  const queries: LocationEntropy[] = [];
  const query = options.queries;
  if (query && query.items.length > 0) {
    if (query.features.length !== bags.epochs.length) {
      throw new RangeError('query features must be given for every epoch of the bags');
    }
    const count = query.items.length;
    const positions = query.features.map((data, index) =>
      projectOnAxes(pca, applyProcrustes(fits[index]!, data, count, dims), count, dims),
    );
    query.items.forEach((item, row) =>
      queries.push({ ...item, entropy: entropyAlong(positions, row) }),
    );
  }
  const highEntropyThreshold = settings.highEntropyFraction * Math.log(classCount);
  return {
    classes: bags.classes,
    epochs,
    referenceEpoch: epochs[0]!,
    settings,
    svmGamma,
    alignment: fits.map((fit, index) => ({
      epoch: epochs[index]!,
      scale: fit.scale,
      residual: fit.residual,
    })),
    explainedVariance: pca.explainedVariance,
    embeddings,
    svm,
    grid,
    meanProbabilities,
    entropy,
    regions,
    tracks,
    highEntropyThreshold,
    rowEntropy,
    queries,
    agreement:
      queries.length > 0
        ? voteAgreement(
            queries.map((q) => ({ entropy: q.entropy, voteFraction: q.voteFraction! })),
            highEntropyThreshold,
          )
        : null,
  };
}
