import { readFile } from 'node:fs/promises';
import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { prepareModelInput, type ModelInput } from '../../imaging/model-input.js';
import { ensureImageFile, readGreyImage } from '../../imaging/read-image.js';
import { voteStackFromSparse, type VoteStack } from '../../cores/ensemble/vote-stack.js';
import { BundleEnsemble } from './bundle-ensemble.js';
import {
  CACHE_FLOOR,
  cacheKey,
  decodeHeatmap,
  encodeHeatmap,
  imageCacheDigest,
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

/** One image read ahead of the network: its cache keys, cached entries and, if needed, its input. */
interface StagedImage {
  readonly keys: readonly string[];
  readonly heatmaps: (CachedHeatmap | null)[];
  /** Present when some member's heatmap is not cached. */
  readonly input: ModelInput | null;
}

async function stageImage(
  image: HeatmapImage,
  options: MemberHeatmapOptions,
): Promise<StagedImage> {
  const { bundle } = options.loaded;
  await ensureImageFile(image.file);
  const bytes = await readFile(image.file).catch((error: unknown) => {
    throw new DicentraError('DCN_E_IMAGE_MISSING', `image ${image.file} cannot be read`, {
      file: image.file,
      hint: 'check the path, or remove the image from the list',
      cause: error,
    });
  });
  const digest = imageCacheDigest(bytes, bundle.input);
  const keys = options.members.map((member) => cacheKey(member.sha256, digest));
  const heatmaps = options.cacheDir
    ? await Promise.all(keys.map((key) => readCachedHeatmap(options.cacheDir!, key)))
    : keys.map(() => null);
  if (heatmaps.every((entry) => entry !== null)) {
    return { keys, heatmaps, input: null };
  }
  const input = prepareModelInput(await readGreyImage(image.file), bundle.input);
  return { keys, heatmaps, input };
}

/**
 * Visits every image with its vote stack per class (all `members`, in their
 * order), running the network only for (image, member) pairs not in the
 * cache. The next image is read, decoded and normalised while the network
 * runs on the current one. Heatmaps always pass through the cache encoding
 * (values above CACHE_FLOOR, 16-bit levels), so a run with and without a
 * cache counts the same. Returns how many member heatmaps were computed.
 */
export async function forEachImageStacks(
  options: MemberHeatmapOptions,
  visit: (index: number, stacks: VoteStack[]) => void | Promise<void>,
): Promise<number> {
  const { loaded, members, images } = options;
  const { bundle } = loaded;
  let ensemble: BundleEnsemble | null = null;
  let computed = 0;
  const stage = (index: number): Promise<StagedImage> | null => {
    if (index >= images.length) return null;
    const staged = stageImage(images[index]!, options);
    staged.catch(() => undefined); // awaited in turn; never an unhandled rejection meanwhile
    return staged;
  };
  let next = stage(0);
  try {
    for (let i = 0; i < images.length; i++) {
      if (options.signal?.aborted) {
        throw new DicentraError(
          'DCN_E_INTERRUPTED',
          'interrupted; nothing was written (cached heatmaps are kept)',
          { hint: 'run the same command again: it resumes from the heatmap cache' },
        );
      }
      const { keys, heatmaps, input } = await next!;
      next = stage(i + 1);
      const missing = heatmaps.flatMap((entry, j) => (entry ? [] : [j]));
      if (input && missing.length > 0) {
        ensemble ??= await BundleEnsemble.open(loaded, members);
        const result = await ensemble.predictInput(input, missing);
        const crop = {
          width: Math.ceil(input.width / bundle.outputStride),
          height: Math.ceil(input.height / bundle.outputStride),
        };
        const padded = { width: result.gridWidth, height: result.gridHeight };
        for (let m = 0; m < missing.length; m++) {
          const j = missing[m]!;
          const encoded = encodeHeatmap(result.members[m]!, result.classes, padded, crop);
          if (options.cacheDir) await writeCachedHeatmap(options.cacheDir, keys[j]!, encoded);
          heatmaps[j] = decodeHeatmap(encoded)!;
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
      options.onProgress?.(i + 1, images.length);
    }
  } finally {
    await ensemble?.close();
  }
  return computed;
}
