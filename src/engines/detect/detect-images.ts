import { relative, dirname, resolve, isAbsolute } from 'node:path';
import type { Bundle, BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import {
  DETECTIONS_FORMAT_VERSION,
  type ClassThreshold,
  type Detections,
  type DetectionsError,
  type DetectionsImage,
} from '../../formats/detections.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { provenanceNow } from '../../formats/provenance.js';
import type { CountingRule } from '../../cores/dosimetry/cell-counts.js';
import { detectObjects } from '../../cores/ensemble/detect-objects.js';
import type { MemberSelection } from '../../cores/ensemble/member-selection.js';
import { CACHE_FLOOR } from '../inference/heatmap-cache.js';
import { forEachImageStacks, type HeatmapImage } from '../inference/member-heatmaps.js';

/** One image to run, and the case it is a cell of. */
export interface DetectImage extends HeatmapImage {
  readonly caseId?: string;
}

/**
 * The T_C of a class: one value for every member, or given per member (a
 * calibration's model-adaptive thresholds, from its curve).
 */
export type ClassTc =
  | { readonly kind: 'fixed'; readonly tc: number }
  | {
      readonly kind: 'per-member';
      readonly memberTc: readonly number[];
      readonly adaptive: boolean;
    };

export interface DetectOptions {
  readonly loaded: LoadedBundle;
  readonly members: readonly BundleMember[];
  readonly selection: MemberSelection;
  readonly tc: Readonly<Record<string, ClassTc>>;
  readonly ta: Readonly<Record<string, number>>;
  readonly images: readonly DetectImage[];
  /** The counting rule of the calibration the detector comes from, recorded for `dicentra counts`. */
  readonly counting?: CountingRule;
  /** Heatmap cache folder (shared with evaluate, calibrate and dose); null keeps nothing on disk. */
  readonly cacheDir: string | null;
  /** Where detections.json will live (paths are written relative to it). */
  readonly outPath: string;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  /** Inference threads in all (0: one per core; see session-lanes.ts). */
  readonly threads?: number;
  onProgress?(done: number, total: number): void;
}

export interface DetectResult {
  readonly detections: Detections;
  /** How many member heatmaps were computed (the rest came from the cache). */
  readonly computedHeatmaps: number;
}

/**
 * The per-member T_C of every class, in member order; each at or above the
 * heatmap floor, below which the cache keeps no values to vote with.
 */
export function resolveThresholds(
  bundle: Bundle,
  members: readonly BundleMember[],
  tc: Readonly<Record<string, ClassTc>>,
  ta: Readonly<Record<string, number>>,
  bundlePath: string,
): Record<string, ClassThreshold> {
  return Object.fromEntries(
    bundle.classes.map((name) => {
      const rule = tc[name]!;
      if (rule.kind === 'per-member' && rule.memberTc.length !== members.length) {
        throw new RangeError(`${rule.memberTc.length} T_C values for ${members.length} members`);
      }
      const memberTc = rule.kind === 'fixed' ? members.map(() => rule.tc) : [...rule.memberTc];
      const low = memberTc.find((value) => value < CACHE_FLOOR);
      if (low !== undefined) {
        throw new DicentraError(
          'DCN_E_OPTION_INVALID',
          `T_C ${low} of class "${name}" is below the heatmap floor ${CACHE_FLOOR}: heatmap values at or below it are not kept`,
          { file: bundlePath, field: '--tc', hint: `give a T_C of at least ${CACHE_FLOOR}` },
        );
      }
      const threshold: ClassThreshold = {
        tc:
          rule.kind === 'fixed'
            ? rule.tc
            : rule.kind === 'per-member' && !rule.adaptive && new Set(memberTc).size === 1
              ? memberTc[0]!
              : null,
        adaptive: rule.kind === 'per-member' && rule.adaptive,
        memberTc,
        ta: ta[name]!,
      };
      return [name, threshold];
    }),
  );
}

function displayPath(file: string, outPath: string): string {
  const path = relative(dirname(resolve(outPath)), file)
    .split('\\')
    .join('/');
  return path === '' || isAbsolute(path) ? file : path;
}

/**
 * Runs the ensemble on every image (through the heatmap cache) and applies
 * the vote per class. An image that cannot be read (exit-3 errors) is listed
 * in `errors` and the others are still processed; any model error stops the run.
 */
export async function detectImages(options: DetectOptions): Promise<DetectResult> {
  const { loaded, members } = options;
  const { bundle } = loaded;
  const thresholds = resolveThresholds(bundle, members, options.tc, options.ta, loaded.path);
  const images: DetectionsImage[] = [];
  const errors: DetectionsError[] = [];
  const pathOf = (index: number) => displayPath(options.images[index]!.file, options.outPath);
  const computedHeatmaps = await forEachImageStacks(
    {
      loaded,
      members,
      images: options.images,
      cacheDir: options.cacheDir,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      onUnreadable: (index, error) =>
        errors.push({
          id: options.images[index]!.id,
          path: pathOf(index),
          code: error.code,
          message: error.message,
        }),
    },
    (index, stacks, size) => {
      const detections: DetectionsImage['detections'] = {};
      const counts: DetectionsImage['counts'] = {};
      bundle.classes.forEach((name, c) => {
        const threshold = thresholds[name]!;
        const found = detectObjects(
          stacks[c]!,
          threshold.memberTc,
          threshold.ta,
          bundle.outputStride,
        );
        detections[name] = found;
        counts[name] = found.length;
      });
      const image = options.images[index]!;
      images.push({
        id: image.id,
        ...(image.caseId === undefined ? {} : { sampleId: image.caseId }),
        path: pathOf(index),
        width: size.width,
        height: size.height,
        ...(size.scaleFactor === 1 ? {} : { scaleFactor: Number(size.scaleFactor.toFixed(4)) }),
        detections,
        counts,
      });
    },
  );
  const detections: Detections = {
    version: DETECTIONS_FORMAT_VERSION,
    classes: bundle.classes,
    bundle: {
      path: loaded.path,
      sha256: loaded.sha256,
      memberEpochs: members.map((member) => member.epoch),
      selection: {
        mode: options.selection.mode,
        ...('count' in options.selection ? { count: options.selection.count } : {}),
        ...('seed' in options.selection ? { seed: options.selection.seed } : {}),
      },
    },
    thresholds,
    ...(options.counting ? { counting: { ...options.counting } } : {}),
    connectivity: 8,
    outputStride: bundle.outputStride,
    images,
    errors,
    provenance: provenanceNow('dicentra detect', options.toolVersion),
  };
  return { detections, computedHeatmaps };
}

/** detections.json as CSV rows (one per detection), for spreadsheets. */
export function detectionsCsv(detections: Detections): string {
  const lines = ['image_id,path,class,x,y,area,votes,vote_fraction,mean_value,max_value,spread'];
  const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  for (const image of detections.images) {
    for (const name of detections.classes) {
      for (const d of image.detections[name] ?? []) {
        lines.push(
          [
            quote(image.id),
            quote(image.path),
            name,
            d.x.toFixed(2),
            d.y.toFixed(2),
            d.area,
            d.votes,
            d.voteFraction.toFixed(4),
            d.meanValue.toFixed(4),
            d.maxValue.toFixed(4),
            d.spread.toFixed(4),
          ].join(','),
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
