import { DYNAMICS_FORMAT_VERSION, type DynamicsDocument } from '../../formats/dynamics.js';
import type { DynamicsAnalysis } from './analyse-dynamics.js';
import type { FeatureLocation } from './feature-locations.js';

/**
 * The dynamics.json document of an analysis: `locations` are the fitted rows
 * in order; the detections (if any) are the analysis's query locations.
 */
export function dynamicsDocument(
  analysis: DynamicsAnalysis,
  locations: readonly FeatureLocation[],
  source: DynamicsDocument['source'],
  provenance: DynamicsDocument['provenance'],
): DynamicsDocument {
  const { classes, grid, settings } = analysis;
  const className = (index: number) => classes[index]!;
  const cells = grid.columns * grid.rows;
  const uncertainAnnotations = locations
    .map((location, row) => ({
      image: location.imageId,
      x: location.x,
      y: location.y,
      class: className(location.classIndex),
      entropy: analysis.rowEntropy[row]!,
      aberration: location.classIndex > 0,
    }))
    .filter((entry) => entry.aberration && entry.entropy >= analysis.highEntropyThreshold)
    .sort((a, b) => b.entropy - a.entropy)
    .map(({ aberration: _aberration, ...entry }) => entry);
  const detections = analysis.queries
    .map((query) => ({
      image: query.imageId,
      x: query.x,
      y: query.y,
      class: className(query.classIndex),
      entropy: query.entropy,
      voteFraction: query.voteFraction ?? 0,
      highEntropy: query.entropy >= analysis.highEntropyThreshold,
    }))
    .sort((a, b) => b.entropy - a.entropy);
  return {
    version: DYNAMICS_FORMAT_VERSION,
    classes: [...classes],
    epochs: [...analysis.epochs],
    source,
    settings: {
      ...settings,
      svmGammaUsed: analysis.svmGamma,
      highEntropyThreshold: analysis.highEntropyThreshold,
    },
    locations: locations.map((l) => ({
      image: l.imageId,
      x: l.x,
      y: l.y,
      class: className(l.classIndex),
      u: l.u,
      v: l.v,
    })),
    alignment: analysis.alignment.map((a) => ({ ...a })),
    explainedVariance: [...analysis.explainedVariance],
    embeddings: analysis.embeddings.map((points, index) => ({
      epoch: analysis.epochs[index]!,
      points: Array.from(
        { length: points.length / 2 },
        (_, i) => [points[2 * i]!, points[2 * i + 1]!] as [number, number],
      ),
    })),
    svm: analysis.svm.map((s) => ({ ...s })),
    grid: {
      ...grid,
      meanProbabilities: Object.fromEntries(
        classes.map((name, r) => [
          name,
          Array.from(
            { length: cells },
            (_, cell) => analysis.meanProbabilities[cell * classes.length + r]!,
          ),
        ]),
      ),
      entropy: Array.from(analysis.entropy),
    },
    centroidTracks: analysis.tracks.map((track) => ({
      class: className(track.classIndex),
      cluster: track.cluster,
      size: track.size,
      path: track.path.map(([x, y]) => [x, y] as [number, number]),
    })),
    uncertain: { annotations: uncertainAnnotations, detections },
    agreement: analysis.agreement
      ? {
          detections: analysis.agreement.detections,
          spearman: analysis.agreement.spearman,
          highEntropy: { ...analysis.agreement.highEntropy },
          lowEntropy: { ...analysis.agreement.lowEntropy },
        }
      : null,
    ...(provenance ? { provenance } : {}),
  };
}
