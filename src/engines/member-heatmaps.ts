import { readFile } from 'node:fs/promises';
import type { BundleMember } from '../formats/bundle.js';
import type { LoadedBundle } from '../formats/bundle-file.js';
import { DicentraError } from '../formats/dicentra-error.js';
import { readGreyImage } from '../imaging/read-image.js';
import { voteStackFromSparse, type VoteStack } from '../cores/ensemble/vote-stack.js';
import { BundleEnsemble } from './inference/bundle-ensemble.js';
import {
  CACHE_FLOOR,
  cacheKey,
  decodeHeatmap,
  encodeHeatmap,
  readCachedHeatmap,
  writeCachedHeatmap,
  type CachedHeatmap,
} from './heatmap-cache.js';

/** One image: an id and its absolute path. */
export interface HeatmapImage {
  readonly id: string;
  readonly file: string;
}

export interface MemberHeatmapOptions {
  readonly loaded: LoadedBundle;
  readonly members: readonly BundleMember[];
  readonly images: readonly HeatmapImage[];
  /** Heatmap cache folder (resumable, reused across runs); null keeps nothing on disk. */
  readonly cacheDir: string | null;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/**
 * Visits every image with its vote stack per class (all `members`, in their
 * order), running the network only for (image, member) pairs not in the
 * cache. Heatmaps always pass through the cache encoding (values above
 * CACHE_FLOOR, 16-bit levels), so a run with and without a cache counts the
 * same. Returns how many member heatmaps were computed.
 */
export async function forEachImageStacks(
  options: MemberHeatmapOptions,
  visit: (index: number, stacks: VoteStack[]) => void | Promise<void>,
): Promise<number> {
  const { loaded, members } = options;
  const { bundle } = loaded;
  let ensemble: BundleEnsemble | null = null;
  let computed = 0;
  try {
    for (let i = 0; i < options.images.length; i++) {
      if (options.signal?.aborted) {
        throw new DicentraError(
          'DCN_E_INTERRUPTED',
          'interrupted; nothing was written (cached heatmaps are kept)',
          { hint: 'run the same command again: it resumes from the heatmap cache' },
        );
      }
      const image = options.images[i]!;
      const bytes = await readFile(image.file).catch((error: unknown) => {
        throw new DicentraError('DCN_E_IMAGE_MISSING', `image ${image.file} cannot be read`, {
          file: image.file,
          hint: 'check the path, or remove the image from the list',
          cause: error,
        });
      });
      const keys = members.map((member) => cacheKey(member.sha256, bytes, bundle.input));
      const heatmaps: (CachedHeatmap | null)[] = options.cacheDir
        ? await Promise.all(keys.map((key) => readCachedHeatmap(options.cacheDir!, key)))
        : members.map(() => null);
      const missing = heatmaps.flatMap((entry, j) => (entry ? [] : [j]));
      if (missing.length > 0) {
        ensemble ??= await BundleEnsemble.open(loaded, members);
        const grey = await readGreyImage(image.file);
        const result = await ensemble.predict(grey, missing);
        const crop = {
          width: Math.ceil(grey.width / bundle.outputStride),
          height: Math.ceil(grey.height / bundle.outputStride),
        };
        const padded = { width: result.gridWidth, height: result.gridHeight };
        for (let m = 0; m < missing.length; m++) {
          const j = missing[m]!;
          const encoded = encodeHeatmap(result.members[m]!, result.classes, padded, crop);
          if (options.cacheDir) await writeCachedHeatmap(options.cacheDir, keys[j]!, encoded);
          heatmaps[j] = decodeHeatmap(encoded, keys[j]!);
          computed++;
        }
      }
      const first = heatmaps[0]!;
      const grid = { width: first.gridWidth, height: first.gridHeight };
      const stacks = bundle.classes.map((_, c) =>
        voteStackFromSparse(
          heatmaps.map((entry) => entry!.classes[c]!),
          grid,
          CACHE_FLOOR,
        ),
      );
      await visit(i, stacks);
      options.onProgress?.(i + 1, options.images.length);
    }
  } finally {
    await ensemble?.close();
  }
  return computed;
}
