import type { TopLevelSpec } from 'vega-lite';
import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import type { Dataset } from '../../formats/dataset.js';
import type { Detections } from '../../formats/detections.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { DynamicsDocument } from '../../formats/dynamics.js';
import {
  analyseDynamics,
  type DynamicsSettings,
  type DynamicsStage,
} from '../../cores/dynamics/analyse-dynamics.js';
import { fitSvmOnGrid } from './rbf-svm.js';
import { dynamicsDocument } from '../../cores/dynamics/dynamics-document.js';
import { sampleFeatureLocations } from '../../cores/dynamics/feature-locations.js';
import {
  decisionRegionsSpec,
  entropyTracksSpec,
  explainedVarianceSpec,
} from '../../cores/dynamics/figure-specs.js';
import { extractFeatureBags } from './dynamics-features.js';
import { renderVegaLiteSvg } from '../figures/render-plot.js';

export interface BundleDynamicsRequest {
  readonly loaded: LoadedBundle;
  /** The members analysed, in epoch order (the first is the Procrustes reference). */
  readonly members: readonly BundleMember[];
  readonly dataset: Dataset;
  readonly datasetPath: string;
  readonly split: 'train' | 'val' | 'test' | 'none' | 'all';
  /** Epochs drawn as Fig. 5 panels. */
  readonly panelEpochs: readonly number[];
  readonly backgroundPerImage: number;
  readonly seed: number;
  readonly settings: Partial<DynamicsSettings>;
  readonly detections?: { readonly path: string; readonly content: Detections };
  readonly toolVersion: string;
  readonly onImage?: (done: number, total: number) => void;
  readonly onStage?: (stage: DynamicsStage, done: number, total: number) => void;
  readonly warn?: (message: string) => void;
}

export interface BundleDynamicsResult {
  readonly document: DynamicsDocument;
  /** File name → SVG text. */
  readonly figures: ReadonlyMap<string, string>;
}

/**
 * `dicentra dynamics` end to end: the annotated images of a split, their
 * aberration and seeded background locations, every member's feature vectors
 * there (and at the detections, if given), the analysis, dynamics.json and
 * the three figures.
 */
export async function analyseBundleDynamics(
  request: BundleDynamicsRequest,
): Promise<BundleDynamicsResult> {
  const { loaded, members, dataset } = request;
  const { bundle } = loaded;
  const images = dataset.images.filter(
    (image) => image.points && (request.split === 'all' || image.split === request.split),
  );
  if (images.length === 0) {
    throw new DicentraError(
      'DCN_E_DYNAMICS_TOO_FEW',
      `dataset ${request.datasetPath} has no annotated image in split "${request.split}"`,
      {
        file: request.datasetPath,
        field: '--split',
        hint: 'choose a split that has annotated images, or --split all',
      },
    );
  }
  const classes = ['background', ...bundle.classes];
  const exclusionRadius = bundle.gtRadius;
  const locations = sampleFeatureLocations(
    images.map((image) => ({ ...image, points: image.points ?? {} })),
    {
      aberrationClasses: bundle.classes,
      featuresStride: bundle.featuresStride,
      backgroundPerImage: request.backgroundPerImage,
      exclusionRadius,
      seed: request.seed,
    },
  );
  const imageIndex = new Map(images.map((image, index) => [image.id, index]));
  const queryItems: {
    imageId: string;
    imageIndex: number;
    x: number;
    y: number;
    classIndex: number;
    voteFraction: number;
  }[] = [];
  if (request.detections) {
    let outside = 0;
    for (const image of request.detections.content.images) {
      const index = imageIndex.get(image.id);
      for (const [name, list] of Object.entries(image.detections)) {
        const classIndex = classes.indexOf(name);
        if (index === undefined || classIndex < 1) {
          outside += list.length;
          continue;
        }
        for (const d of list) {
          queryItems.push({
            imageId: image.id,
            imageIndex: index,
            x: d.x,
            y: d.y,
            classIndex,
            voteFraction: d.voteFraction,
          });
        }
      }
    }
    if (outside > 0) {
      request.warn?.(
        `${outside} detections of ${request.detections.path} are on images outside split "${request.split}" or of another class; they are left out`,
      );
    }
  }
  const features = await extractFeatureBags({
    loaded,
    members,
    datasetPath: request.datasetPath,
    images,
    locations,
    queries: queryItems,
    ...(request.onImage ? { onImage: request.onImage } : {}),
  });
  const analysis = analyseDynamics(
    {
      classes,
      labels: Uint8Array.from(locations, (l) => l.classIndex),
      dims: features.dims,
      epochs: members.map((member, index) => ({
        epoch: member.epoch,
        data: features.locations[index]!,
      })),
    },
    fitSvmOnGrid,
    {
      settings: { kmeansSeed: request.seed, ...request.settings },
      keepRegionsFor: request.panelEpochs,
      ...(queryItems.length > 0
        ? { queries: { items: queryItems, features: features.queries } }
        : {}),
      ...(request.onStage ? { onProgress: request.onStage } : {}),
    },
  );
  const document = dynamicsDocument(
    analysis,
    locations,
    {
      bundle: { path: loaded.path, sha256: loaded.sha256 },
      dataset: { path: request.datasetPath },
      split: request.split,
      images: images.length,
      seed: request.seed,
      backgroundPerImage: request.backgroundPerImage,
      exclusionRadius,
      featuresStride: bundle.featuresStride,
      featureChannels: features.dims,
      ...(request.detections ? { detections: { path: request.detections.path } } : {}),
    },
    {
      tool: 'dicentra dynamics',
      toolVersion: request.toolVersion,
      createdAt: new Date().toISOString(),
    },
  );
  const labels = Uint8Array.from(locations, (l) => l.classIndex);
  const panels = request.panelEpochs.map((epoch) => ({
    epoch,
    probabilities: analysis.regions.get(epoch)!,
    embedding: analysis.embeddings[analysis.epochs.indexOf(epoch)]!,
  }));
  const specs: [string, TopLevelSpec][] = [
    ['decision-regions.svg', decisionRegionsSpec(panels, analysis.grid, labels, classes)],
    [
      'entropy-tracks.svg',
      entropyTracksSpec(analysis.grid, analysis.entropy, analysis.tracks, classes, analysis.epochs),
    ],
    ['explained-variance.svg', explainedVarianceSpec(analysis.explainedVariance)],
  ];
  const figures = new Map<string, string>();
  for (const [name, spec] of specs) figures.set(name, await renderVegaLiteSvg(spec));
  return { document, figures };
}
