import { readFile } from 'node:fs/promises';
import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import { DicentraError, isDicentraError } from '../../formats/dicentra-error.js';
import { ExitCode } from '../../formats/exit-codes.js';
import { paddedSize, prepareModelInput, type ModelInput } from '../../imaging/model-input.js';
import { ensureImageFile, readGreyImage } from '../../imaging/read-image.js';
import type { FeatureMap } from '../../cores/dynamics/feature-map.js';
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
import { SCALE_RULE, scaleFactor, toOriginalGrid } from './scale-normalisation.js';
import { runMemberTiled } from './tiled-run.js';
import { resizeGrey } from '../../imaging/resample.js';

/** One image: an id and its absolute path. */
export interface HeatmapImage {
  readonly id: string;
  readonly file: string;
}

export interface MemberHeatmapOptions {
  readonly loaded: LoadedBundle;
  readonly members: readonly BundleMember[];
  readonly images: readonly HeatmapImage[];
  /** Heatmap cache folder (resumable, reused across runs and commands); null keeps nothing on disk. */
  readonly cacheDir: string | null;
  readonly signal?: AbortSignal;
  /** onnxruntime threads per operator (0: one per core). */
  readonly intraOpThreads?: number;
  /** Largest padded side run in one piece (see tiled-run.ts). */
  readonly tileSize?: number;
  /**
   * Receives each member's `features` output on every image (member by
   * member, so one map is in memory at a time). Features are not cached:
   * with this set every member runs on every image.
   */
  readonly onFeatures?: (index: number, member: number, map: FeatureMap) => void;
  /**
   * Receives an image that cannot be read or decoded (exit-3 errors), which
   * is then skipped; without it such an image stops the run.
   */
  readonly onUnreadable?: (index: number, error: DicentraError) => void;
  onProgress?(done: number, total: number): void;
}

/** One image read ahead of the network: its cache keys, cached entries and, if needed, its input. */
interface StagedImage {
  readonly keys: readonly string[];
  readonly heatmaps: (CachedHeatmap | null)[];
  /** Present when some member must run: the network's input, from the frame resized by `factor`. */
  readonly input: ModelInput | null;
  readonly factor: number;
  /** The frame's own size. */
  readonly frame: { readonly width: number; readonly height: number } | null;
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
  const digest = imageCacheDigest(
    bytes,
    bundle.input.chromosomeWidthPx === undefined
      ? bundle.input
      : { ...bundle.input, scaleRule: SCALE_RULE },
  );
  const keys = options.members.map((member) => cacheKey(member.sha256, digest));
  const heatmaps = options.cacheDir
    ? await Promise.all(keys.map((key) => readCachedHeatmap(options.cacheDir!, key)))
    : keys.map(() => null);
  if (!options.onFeatures && heatmaps.every((entry) => entry !== null)) {
    return { keys, heatmaps, input: null, factor: 1, frame: null };
  }
  const grey = await readGreyImage(image.file);
  const factor = scaleFactor(grey, bundle.input);
  const input = prepareModelInput(factor === 1 ? grey : resizeGrey(grey, factor), bundle.input);
  return { keys, heatmaps, input, factor, frame: { width: grey.width, height: grey.height } };
}

/**
 * The one path from images through the network, used by every command:
 * visits every image with its vote stack per class (all `members`, in their
 * order) and its size in pixels, running a member only where its heatmap is
 * not in the cache (or its features are wanted). The next image is read,
 * decoded and normalised while the network runs on the current one; frames
 * larger than the tile size run in overlapping tiles. Heatmaps always pass through the cache
 * encoding (values above CACHE_FLOOR, 16-bit levels), so a run with and
 * without a cache votes the same. Returns how many member heatmaps were
 * computed (the rest came from the cache).
 */
export async function forEachImageStacks(
  options: MemberHeatmapOptions,
  visit: (
    index: number,
    stacks: VoteStack[],
    image: { width: number; height: number; scaleFactor: number },
  ) => void | Promise<void>,
): Promise<number> {
  const { loaded, members, images } = options;
  const { bundle } = loaded;
  let ensemble: BundleEnsemble | null = null;
  let computed = 0;
  const stage = (index: number): Promise<StagedImage | DicentraError> | null => {
    if (index >= images.length) return null;
    const staged = stageImage(images[index]!, options).catch((error: unknown) => {
      if (options.onUnreadable && isDicentraError(error) && error.exitCode === ExitCode.inputOutput)
        return error;
      throw error;
    });
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
      const staged = await next!;
      next = stage(i + 1);
      if (staged instanceof DicentraError) {
        options.onUnreadable!(i, staged);
        options.onProgress?.(i + 1, images.length);
        continue;
      }
      const { keys, heatmaps, input, factor, frame } = staged;
      // the outputs on the frame's own grid (resized frames are sampled back onto it)
      const onFrame = (output: Float32Array, stride: number): Float32Array =>
        factor === 1
          ? output
          : toOriginalGrid(output, stride, bundle.input.padMultiple, frame!, input!);
      const padded = frame && {
        width: paddedSize(frame.width, bundle.input.padMultiple),
        height: paddedSize(frame.height, bundle.input.padMultiple),
      };
      for (let j = 0; j < members.length; j++) {
        if (heatmaps[j] && !options.onFeatures) continue;
        ensemble ??= await BundleEnsemble.open(loaded, members, {
          intraOpThreads: options.intraOpThreads ?? 0,
          features: options.onFeatures !== undefined,
        });
        const result = await runMemberTiled(
          ensemble,
          input!,
          j,
          options.tileSize ? { tileSize: options.tileSize } : {},
        );
        if (result.features) {
          const stride = bundle.featuresStride;
          options.onFeatures!(i, j, {
            channels: bundle.architecture.featureChannels,
            height: padded!.height / stride,
            width: padded!.width / stride,
            data: onFrame(result.features, stride),
          });
        }
        if (heatmaps[j]) continue;
        const stride = bundle.outputStride;
        const encoded = encodeHeatmap(
          onFrame(result.heatmap, stride),
          bundle.classes.length,
          { width: padded!.width / stride, height: padded!.height / stride },
          { width: Math.ceil(frame!.width / stride), height: Math.ceil(frame!.height / stride) },
          { ...frame!, scaleFactor: factor },
        );
        if (options.cacheDir) await writeCachedHeatmap(options.cacheDir, keys[j]!, encoded);
        heatmaps[j] = decodeHeatmap(encoded)!;
        computed++;
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
      await visit(i, stacks, {
        width: first.width,
        height: first.height,
        scaleFactor: first.scaleFactor,
      });
      options.onProgress?.(i + 1, images.length);
    }
  } finally {
    await ensemble?.close();
  }
  return computed;
}
