import type { BundleMember } from '../../formats/bundle.js';
import { readBundleFile, type LoadedBundle } from '../../formats/bundle-file.js';
import { resolveImagePath } from '../../formats/dataset-file.js';
import type { Dataset, DatasetImage } from '../../formats/dataset.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { buildPixelSet, countComponents } from '../../cores/ensemble/pixel-set.js';
import { randomSubset, selectMembers } from '../../cores/ensemble/member-selection.js';
import { rasteriseDisks } from '../../cores/metrics/gt-disks.js';
import type { SweepItem } from '../../cores/metrics/threshold-sweep.js';
import { forEachImageStacks } from '../inference/member-heatmaps.js';

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
  const items: SweepItem[][] = bundle.classes.map(() => []);
  const computed = await forEachImageStacks(
    {
      loaded,
      members,
      images: options.images.map((image) => ({
        id: image.id,
        file: resolveImagePath(options.datasetPath, image),
      })),
      cacheDir: options.cacheDir,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
    (i, stacks) => {
      const image = options.images[i]!;
      bundle.classes.forEach((name, c) => {
        const stack = stacks[c]!;
        const grid = { width: stack.set.width, height: stack.set.height };
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
    },
  );
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
