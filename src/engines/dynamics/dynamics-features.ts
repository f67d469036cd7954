import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import { resolveImagePath } from '../../formats/dataset-file.js';
import type { DatasetImage } from '../../formats/dataset.js';
import { cellOf, type FeatureLocation } from '../../cores/dynamics/feature-locations.js';
import { gatherFeatureVectors } from '../../cores/dynamics/feature-map.js';
import { forEachImageStacks } from '../inference/member-heatmaps.js';

/** A location whose features are read but which is not fitted (a detection). */
export interface QueryPoint {
  readonly imageIndex: number;
  readonly x: number;
  readonly y: number;
}

export interface ExtractedFeatures {
  readonly dims: number;
  /** Per member (in member order): locations × dims. */
  readonly locations: Float64Array[];
  /** Per member: queries × dims. */
  readonly queries: Float64Array[];
}

/**
 * Runs each chosen member's `features` output on every image that has a
 * location or query point and keeps the feature vectors there (the paper's
 * bags f_{a,b}^i). The members run through the common image loop, one at a
 * time per image, so that only one feature map (F × H/stride × W/stride
 * floats) is in memory. `onImage` is called after each image; a throw there
 * (Ctrl-C) stops the extraction.
 */
export async function extractFeatureBags(request: {
  readonly loaded: LoadedBundle;
  readonly members: readonly BundleMember[];
  readonly datasetPath: string;
  readonly images: readonly DatasetImage[];
  readonly locations: readonly FeatureLocation[];
  readonly queries: readonly QueryPoint[];
  readonly onImage?: (done: number, total: number) => void;
}): Promise<ExtractedFeatures> {
  const { loaded, members, images, locations, queries } = request;
  const { bundle } = loaded;
  const dims = bundle.architecture.featureChannels;
  const locationData = members.map(() => new Float64Array(locations.length * dims));
  const queryData = members.map(() => new Float64Array(queries.length * dims));
  const used = images.flatMap((image, imageIndex) => {
    const rows = locations.flatMap((l, row) => (l.imageIndex === imageIndex ? [row] : []));
    const queryRows = queries.flatMap((q, row) => (q.imageIndex === imageIndex ? [row] : []));
    if (rows.length + queryRows.length === 0) return [];
    const cells = [
      ...rows.map((row) => locations[row]!),
      ...queryRows.map((row) => {
        const [u, v] = cellOf(
          queries[row]!.x,
          queries[row]!.y,
          image.width,
          image.height,
          bundle.featuresStride,
        );
        return { u, v };
      }),
    ];
    return [{ image, rows, queryRows, cells }];
  });
  await forEachImageStacks(
    {
      loaded,
      members,
      images: used.map(({ image }) => ({
        id: image.id,
        file: resolveImagePath(request.datasetPath, image),
      })),
      cacheDir: null,
      onFeatures: (index, member, map) => {
        const { rows, queryRows, cells } = used[index]!;
        const gathered = new Float64Array(cells.length * dims);
        gatherFeatureVectors(map, cells, gathered, 0);
        const scatter = (target: Float64Array, targetRows: number[], offset: number) =>
          targetRows.forEach((row, i) =>
            target.set(gathered.subarray((offset + i) * dims, (offset + i + 1) * dims), row * dims),
          );
        scatter(locationData[member]!, rows, 0);
        scatter(queryData[member]!, queryRows, rows.length);
      },
      ...(request.onImage ? { onProgress: request.onImage } : {}),
    },
    () => undefined,
  );
  return { dims, locations: locationData, queries: queryData };
}
