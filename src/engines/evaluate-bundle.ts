import { readFile } from 'node:fs/promises';
import type { BundleMember } from '../formats/bundle.js';
import { readBundleFile, type LoadedBundle } from '../formats/bundle-file.js';
import { resolveImagePath } from '../formats/dataset-file.js';
import type { Dataset, DatasetImage } from '../formats/dataset.js';
import { DicentraError } from '../formats/dicentra-error.js';
import { readGreyImage } from '../imaging/read-image.js';
import { buildPixelSet, countComponents } from '../cores/ensemble/pixel-set.js';
import { randomSubset, selectMembers } from '../cores/ensemble/member-selection.js';
import { voteStackFromSparse } from '../cores/ensemble/vote-stack.js';
import { rasteriseDisks } from '../cores/metrics/gt-disks.js';
import type { SweepItem } from '../cores/metrics/threshold-sweep.js';
import { BundleEnsemble } from './inference/bundle-ensemble.js';
import {
  CACHE_FLOOR,
  cacheKey,
  encodeHeatmap,
  readCachedHeatmap,
  writeCachedHeatmap,
  type CachedHeatmap,
} from './heatmap-cache.js';

/** A bundle's last members and their cached heatmaps on the evaluation images, as sweep items per class. */
export interface PreparedBundle {
  readonly loaded: LoadedBundle;
  readonly members: readonly BundleMember[];
  /** items[c][i]: class c of image i. */
  readonly items: SweepItem[][];
  /** How many (image, member) heatmaps were computed now (the rest came from the cache). */
  readonly computed: number;
}

/** The annotated images of a split (an image without `points` cannot be scored). */
export function evaluationImages(dataset: Dataset, split: string): DatasetImage[] {
  return dataset.images.filter(
    (image) => (split === 'all' || image.split === split) && image.points,
  );
}

/**
 * Loads a bundle, keeps its last `lastMembers` members, and makes sure every
 * member's heatmaps on every image are in the cache (running only what is
 * missing), then builds the sweep items with ground-truth disks of the
 * bundle's own radius.
 */
export async function prepareBundle(options: {
  bundlePath: string;
  lastMembers: number;
  dataset: Dataset;
  datasetPath: string;
  images: readonly DatasetImage[];
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}): Promise<PreparedBundle> {
  const loaded = await readBundleFile(options.bundlePath);
  const { bundle } = loaded;
  for (const name of options.dataset.classes) {
    if (!bundle.classes.includes(name) && options.images.some((i) => i.points?.[name]?.length)) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `the dataset's class "${name}" is not a class of bundle ${options.bundlePath} (${bundle.classes.join(', ')})`,
        { file: options.bundlePath, hint: 'evaluate with a bundle trained on the same classes' },
      );
    }
  }
  const members = selectMembers(bundle.members, {
    mode: 'last',
    count: Math.min(options.lastMembers, bundle.members.length),
  });
  let ensemble: BundleEnsemble | null = null;
  let computed = 0;
  const items: SweepItem[][] = bundle.classes.map(() => []);
  try {
    for (let i = 0; i < options.images.length; i++) {
      if (options.signal?.aborted) {
        throw new DicentraError('DCN_E_INTERRUPTED', 'interrupted; cached heatmaps are kept', {
          hint: 'run the same command again: it resumes from the cache',
        });
      }
      const image = options.images[i]!;
      const file = resolveImagePath(options.datasetPath, image);
      const bytes = await readFile(file).catch((error: unknown) => {
        throw new DicentraError('DCN_E_IMAGE_MISSING', `image ${file} cannot be read`, {
          file,
          hint: 'run `dicentra validate` on the dataset',
          cause: error,
        });
      });
      const keys = members.map((member) => cacheKey(member.sha256, bytes, bundle.input));
      const cached: (CachedHeatmap | null)[] = await Promise.all(
        keys.map((key) => readCachedHeatmap(options.cacheDir, key)),
      );
      const missing = cached.flatMap((entry, j) => (entry ? [] : [j]));
      if (missing.length > 0) {
        ensemble ??= await BundleEnsemble.open(loaded, members);
        const grey = await readGreyImage(file);
        const heatmaps = await ensemble.predict(grey, missing);
        const crop = {
          width: Math.ceil(grey.width / bundle.outputStride),
          height: Math.ceil(grey.height / bundle.outputStride),
        };
        const padded = { width: heatmaps.gridWidth, height: heatmaps.gridHeight };
        for (let m = 0; m < missing.length; m++) {
          const encoded = encodeHeatmap(heatmaps.members[m]!, heatmaps.classes, padded, crop);
          await writeCachedHeatmap(options.cacheDir, keys[missing[m]!]!, encoded);
          cached[missing[m]!] = (await readCachedHeatmap(options.cacheDir, keys[missing[m]!]!))!;
          computed++;
        }
      }
      const grid = { width: cached[0]!.gridWidth, height: cached[0]!.gridHeight };
      bundle.classes.forEach((name, c) => {
        const stack = voteStackFromSparse(
          cached.map((entry) => entry!.classes[c]!),
          grid,
          CACHE_FLOOR,
        );
        const gt = rasteriseDisks(
          image.points?.[name] ?? [],
          grid,
          bundle.outputStride,
          bundle.gtRadius,
        );
        const gtPixels = Int32Array.from(Array.from(gt).flatMap((v, index) => (v ? [index] : [])));
        const gtSet = buildPixelSet(grid.width, grid.height, gtPixels);
        const gtComponents = countComponents(
          gtSet,
          new Uint8Array(gtPixels.length).fill(1),
          new Int32Array(gtPixels.length),
        );
        const gtOnSet = Uint8Array.from(stack.set.pixels, (index) => gt[index]!);
        items[c]!.push({ stack, gtOnSet, gtComponents });
      });
      options.onProgress?.(i + 1, options.images.length);
    }
  } finally {
    await ensemble?.close();
  }
  return { loaded, members, items, computed };
}

/** `count` seeded random sub-ensembles of `size` member indices out of `memberCount`. */
export function subEnsembles(
  memberCount: number,
  size: number,
  count: number,
  seed: number,
): number[][] {
  return Array.from({ length: count }, (_, k) => randomSubset(memberCount, size, seed, k));
}
