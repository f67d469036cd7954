import { readFile } from 'node:fs/promises';
import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import { DicentraError, isDicentraError } from '../../formats/dicentra-error.js';
import { ExitCode } from '../../formats/exit-codes.js';
import { paddedSize, prepareModelInput, type ModelInput } from '../../imaging/model-input.js';
import { ensureImageFile, readGreyImage } from '../../imaging/read-image.js';
import type { FeatureMap } from '../../cores/dynamics/feature-map.js';
import { voteStackFromSparse, type VoteStack } from '../../cores/ensemble/vote-stack.js';
import { lanePlan, SessionLanes } from './session-lanes.js';
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
  /** Inference threads in all (0: one per core), spent as lanePlan says. */
  readonly threads?: number;
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

/** One image computed, waiting its turn to be visited. */
interface ComputedImage {
  readonly heatmaps: readonly CachedHeatmap[];
  /** Member heatmaps run here (the rest came from the cache). */
  readonly computed: number;
}

/**
 * Runs the members an image still needs (all with `onFeatures`) on one lane
 * and puts their heatmaps in the cache.
 */
async function computeImage(
  index: number,
  staged: StagedImage,
  lanes: SessionLanes,
  options: MemberHeatmapOptions,
): Promise<ComputedImage> {
  const { bundle } = options.loaded;
  const { keys, input, factor, frame } = staged;
  const heatmaps = [...staged.heatmaps];
  const needed = options.members.map((_, j) => j).filter((j) => options.onFeatures || !heatmaps[j]);
  if (needed.length === 0) return { heatmaps: heatmaps as CachedHeatmap[], computed: 0 };
  // the outputs on the frame's own grid (resized frames are sampled back onto it)
  const onFrame = (output: Float32Array, stride: number): Float32Array =>
    factor === 1
      ? output
      : toOriginalGrid(output, stride, bundle.input.padMultiple, frame!, input!);
  const padded = {
    width: paddedSize(frame!.width, bundle.input.padMultiple),
    height: paddedSize(frame!.height, bundle.input.padMultiple),
  };
  let computed = 0;
  await lanes.use(async (ensemble) => {
    for (const j of needed) {
      throwIfInterrupted(options.signal);
      const result = await runMemberTiled(
        ensemble,
        input!,
        j,
        options.tileSize ? { tileSize: options.tileSize } : {},
      );
      if (result.features) {
        const stride = bundle.featuresStride;
        options.onFeatures!(index, j, {
          channels: bundle.architecture.featureChannels,
          height: padded.height / stride,
          width: padded.width / stride,
          data: onFrame(result.features, stride),
        });
      }
      if (heatmaps[j]) continue;
      const stride = bundle.outputStride;
      const encoded = encodeHeatmap(
        onFrame(result.heatmap, stride),
        bundle.classes.length,
        { width: padded.width / stride, height: padded.height / stride },
        { width: Math.ceil(frame!.width / stride), height: Math.ceil(frame!.height / stride) },
        { ...frame!, scaleFactor: factor },
      );
      if (options.cacheDir) await writeCachedHeatmap(options.cacheDir, keys[j]!, encoded);
      heatmaps[j] = decodeHeatmap(encoded)!;
      computed++;
    }
  });
  return { heatmaps: heatmaps as CachedHeatmap[], computed };
}

function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DicentraError(
      'DCN_E_INTERRUPTED',
      'interrupted; nothing was written (cached heatmaps are kept)',
      {
        hint: 'run the same command again: it resumes from the heatmap cache',
      },
    );
  }
}

/**
 * The one path from images through the network, used by every command:
 * visits every image, in order, with its vote stack per class (all
 * `members`, in their order) and its size in pixels, running a member only
 * where its heatmap is not in the cache (or its features are wanted).
 * Images are read, decoded and normalised ahead of the network and run on
 * parallel lanes (session-lanes.ts), each on its own images; frames larger
 * than the tile size run in overlapping tiles. Heatmaps always pass through
 * the cache encoding (values above CACHE_FLOOR, 16-bit levels), so a run with
 * and without a cache, on any number of lanes, votes the same. Returns how
 * many member heatmaps were computed (the rest came from the cache).
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
  const plan = lanePlan(options.threads ?? 0);
  const lanes = new SessionLanes(loaded, members, plan, options.onFeatures !== undefined);
  // images in flight: staged and run ahead of the one visited, two per lane
  const ahead = 2 * plan.lanes;
  const inFlight: (Promise<ComputedImage | DicentraError> | undefined)[] = [];
  let started = 0;
  const startUpTo = (end: number): void => {
    for (; started < Math.min(end, images.length); started++) {
      const index = started;
      const result = stageImage(images[index]!, options).then(
        (staged) => computeImage(index, staged, lanes, options),
        (error: unknown) => {
          if (
            options.onUnreadable &&
            isDicentraError(error) &&
            error.exitCode === ExitCode.inputOutput
          )
            return error;
          throw error;
        },
      );
      result.catch(() => undefined); // awaited in turn; never an unhandled rejection meanwhile
      inFlight[index] = result;
    }
  };
  let computed = 0;
  try {
    for (let i = 0; i < images.length; i++) {
      throwIfInterrupted(options.signal);
      startUpTo(i + ahead);
      const result = await inFlight[i]!;
      inFlight[i] = undefined;
      if (result instanceof DicentraError) {
        options.onUnreadable!(i, result);
        options.onProgress?.(i + 1, images.length);
        continue;
      }
      computed += result.computed;
      const { heatmaps } = result;
      const first = heatmaps[0]!;
      const grid = { width: first.gridWidth, height: first.gridHeight };
      const stacks = bundle.classes.map((_, c) =>
        voteStackFromSparse(
          heatmaps.map((entry) => entry.classes[c]!),
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
    // let the images still in flight finish (their heatmaps reach the cache) before closing
    await Promise.allSettled(inFlight.filter(Boolean));
    await lanes.close();
  }
  return computed;
}
