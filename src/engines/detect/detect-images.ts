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
import { DicentraError, isDicentraError } from '../../formats/dicentra-error.js';
import { provenanceNow } from '../../formats/provenance.js';
import type { CountingRule } from '../../cores/dosimetry/cell-counts.js';
import { ExitCode } from '../../formats/exit-codes.js';
import { readGreyImage } from '../../imaging/read-image.js';
import type { GreyImage } from '../../imaging/grey-image.js';
import { detectObjects } from '../../cores/ensemble/detect-objects.js';
import type { MemberSelection } from '../../cores/ensemble/member-selection.js';
import { voteStackFromDense } from '../../cores/ensemble/vote-stack.js';
import { BundleEnsemble } from '../inference/bundle-ensemble.js';
import { quantiseToCacheLevels } from '../inference/heatmap-cache.js';

/** One image to run: an id, its path (absolute), and the case it is a cell of. */
export interface DetectImageRef {
  readonly id: string;
  readonly file: string;
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
  readonly images: readonly DetectImageRef[];
  /** The counting rule of the calibration the detector comes from, recorded for `dicentra counts`. */
  readonly counting?: CountingRule;
  /** Where detections.json will live (paths are written relative to it). */
  readonly outPath: string;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  readonly intraOpThreads?: number;
  onProgress?(done: number, total: number): void;
}

/** The per-member T_C of every class, in member order. */
export function resolveThresholds(
  bundle: Bundle,
  members: readonly BundleMember[],
  tc: Readonly<Record<string, ClassTc>>,
  ta: Readonly<Record<string, number>>,
): Record<string, ClassThreshold> {
  return Object.fromEntries(
    bundle.classes.map((name) => {
      const rule = tc[name]!;
      if (rule.kind === 'per-member' && rule.memberTc.length !== members.length) {
        throw new RangeError(`${rule.memberTc.length} T_C values for ${members.length} members`);
      }
      const memberTc = rule.kind === 'fixed' ? members.map(() => rule.tc) : [...rule.memberTc];
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
 * Runs the ensemble on every image and applies the vote per class. An image
 * that cannot be read (exit-3 errors) is listed in `errors` and the others are
 * still processed; any model error stops the run.
 */
export async function detectImages(options: DetectOptions): Promise<Detections> {
  const { loaded, members } = options;
  const { bundle } = loaded;
  const thresholds = resolveThresholds(bundle, members, options.tc, options.ta);
  const ensemble = await BundleEnsemble.open(loaded, members, {
    intraOpThreads: options.intraOpThreads ?? 0,
  });
  const images: DetectionsImage[] = [];
  const errors: DetectionsError[] = [];
  const read = (ref: DetectImageRef): Promise<GreyImage | DicentraError> =>
    readGreyImage(ref.file).catch((error: unknown) => {
      if (isDicentraError(error) && error.exitCode === ExitCode.inputOutput) return error;
      throw error;
    });
  try {
    // decode image i+1 while the worker runs image i
    let next = options.images.length > 0 ? read(options.images[0]!) : null;
    for (let i = 0; i < options.images.length; i++) {
      if (options.signal?.aborted) {
        throw new DicentraError('DCN_E_INTERRUPTED', 'interrupted; nothing was written', {
          hint: 'run the same command again',
        });
      }
      const ref = options.images[i]!;
      const image = await next!;
      next = i + 1 < options.images.length ? read(options.images[i + 1]!) : null;
      const path = displayPath(ref.file, options.outPath);
      if (image instanceof DicentraError) {
        errors.push({ id: ref.id, path, code: image.code, message: image.message });
        options.onProgress?.(i + 1, options.images.length);
        continue;
      }
      const heatmaps = await ensemble.predict(image);
      // vote on the values calibrate, dose and evaluate read from their cache
      heatmaps.members.forEach(quantiseToCacheLevels);
      const crop = {
        width: Math.ceil(image.width / bundle.outputStride),
        height: Math.ceil(image.height / bundle.outputStride),
      };
      const grid = { width: heatmaps.gridWidth, height: heatmaps.gridHeight };
      const detections: DetectionsImage['detections'] = {};
      const counts: DetectionsImage['counts'] = {};
      bundle.classes.forEach((name, c) => {
        const threshold = thresholds[name]!;
        const floor = Math.min(...threshold.memberTc);
        const stack = voteStackFromDense(heatmaps.members, c, grid, crop, floor);
        const found = detectObjects(stack, threshold.memberTc, threshold.ta, bundle.outputStride);
        detections[name] = found;
        counts[name] = found.length;
      });
      images.push({
        id: ref.id,
        ...(ref.caseId === undefined ? {} : { sampleId: ref.caseId }),
        path,
        width: image.width,
        height: image.height,
        detections,
        counts,
      });
      options.onProgress?.(i + 1, options.images.length);
    }
  } finally {
    await ensemble.close();
  }
  return {
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
