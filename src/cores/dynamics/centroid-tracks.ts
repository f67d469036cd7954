import { kmeans } from 'ml-kmeans';

/** One k-means cluster of a class's locations and its centroid at every epoch. */
export interface CentroidTrack {
  readonly classIndex: number;
  readonly cluster: number;
  /** Locations in the cluster (the figure's line thickness is proportional to it). */
  readonly size: number;
  /** Centroid per epoch, in epoch order: [x, y] in embedding coordinates. */
  readonly path: readonly (readonly [number, number])[];
}

/**
 * Summarises each class's bag of locations by k-means centroids and follows
 * them over epochs (the paper's Fig. 6). A location's features over all
 * epochs are clustered together (its trajectory: the concatenated 2-D
 * embeddings, 2·Ne values), so cluster membership is fixed and a centroid's
 * path is the mean position of the same locations at each epoch. PCA is
 * linear, so that path is also the projection of the clusters' mean aligned
 * feature vector. k-means++ with a fixed seed (ml-kmeans).
 */
export function centroidTracks(
  embeddings: readonly Float64Array[],
  labels: Uint8Array,
  classCount: number,
  clustersPerClass: number,
  seed: number,
): CentroidTrack[] {
  const tracks: CentroidTrack[] = [];
  for (let classIndex = 0; classIndex < classCount; classIndex++) {
    const members: number[] = [];
    labels.forEach((label, row) => {
      if (label === classIndex) members.push(row);
    });
    if (members.length === 0) continue;
    const trajectories = members.map((row) =>
      embeddings.flatMap((points) => [points[2 * row]!, points[2 * row + 1]!]),
    );
    const k = Math.min(clustersPerClass, members.length);
    const result = kmeans(trajectories, k, { seed: seed + classIndex, initialization: 'kmeans++' });
    const sizes = new Array<number>(k).fill(0);
    for (const cluster of result.clusters) sizes[cluster]!++;
    result.centroids.forEach((centroid, cluster) => {
      if (sizes[cluster] === 0) return;
      tracks.push({
        classIndex,
        cluster,
        size: sizes[cluster]!,
        path: embeddings.map((_, e) => [centroid[2 * e]!, centroid[2 * e + 1]!] as const),
      });
    });
  }
  return tracks;
}
