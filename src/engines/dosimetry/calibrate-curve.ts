import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import { readCurveFile, writeCurveFile } from '../../formats/curve-file.js';
import type { CurveFile } from '../../formats/curve.js';
import { readDatasetFile, resolveImagePath } from '../../formats/dataset-file.js';
import {
  describeExclusion,
  exclusionRecord,
  filterByQc,
  type QcExclusion,
} from '../qc/qc-filter.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { provenanceNow } from '../../formats/provenance.js';
import { generaliseCurve, type CalibrationCurve } from '../../cores/dosimetry/calibration-curve.js';
import type { CurveModel } from '../../cores/dosimetry/count-groups.js';
import type { FamilyChoice } from '../../cores/dosimetry/curve-fit.js';
import type { MemberSelection } from '../../cores/ensemble/member-selection.js';
import { chooseMembers } from '../detect/choose-members.js';
import {
  calibrateFromImages,
  type CalibrateResult,
  type CalibrationImage,
  type ThresholdChoice,
} from './calibrate-images.js';
import { renderCalibrationFigure } from './calibration-figure.js';
import { calibrationCurveOf, curveRecord } from './curve-record.js';

/** A member rule as parsed, and as the user wrote it (for messages). */
export interface MemberRule {
  readonly selection: MemberSelection;
  readonly text: string;
}

/** A reference curve drawn in the figure: a curve.json, or coefficients C, α[, β]. */
export type ReferenceChoice =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'coefficients'; readonly values: readonly number[] };

export interface CalibrateCurveRequest {
  readonly loaded: LoadedBundle;
  /** A dataset.json whose images all have doseGy. */
  readonly data: string;
  readonly out: string;
  /** Default: OUT with .svg. */
  readonly figure?: string;
  /** Default: heatmap-cache beside OUT. */
  readonly cacheDir?: string;
  readonly members: MemberRule;
  readonly pool: MemberRule;
  /** Sub-ensemble draws; `size` defaults to the primary's size, at most the pool's − 1. */
  readonly subEnsembles: { readonly count: number; readonly size?: number; readonly seed: number };
  readonly thresholds: ThresholdChoice;
  /** T_A per class; default min(4, M − 1). */
  readonly ta?: Readonly<Record<string, number>>;
  readonly requireFragment: boolean;
  readonly model: CurveModel;
  readonly family: FamilyChoice;
  readonly reference?: ReferenceChoice;
  /** Score only the cells a qc.json (or `auto`: QC now) finds scorable. */
  readonly qc?: string;
  /** How the calibration samples were irradiated (kept in curve.json). */
  readonly irradiation?: CurveFile['irradiation'];
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  onProgress?(stage: 'thresholds' | 'counting', done: number, total: number): void;
  log(message: string): void;
  warn(message: string): void;
}

export interface CalibrateCurveResult {
  readonly record: CurveFile;
  readonly figurePath: string;
  readonly images: number;
  readonly ta: Readonly<Record<string, number>>;
  readonly calibration: CalibrateResult;
  readonly qc?: QcExclusion;
}

async function referenceCurve(
  reference: ReferenceChoice | undefined,
): Promise<{ label: string; curve: CalibrationCurve } | null> {
  if (!reference) return null;
  if (reference.kind === 'file') {
    const file = await readCurveFile(reference.path);
    return { label: `reference (${reference.path})`, curve: calibrationCurveOf(file) };
  }
  return {
    label: `reference (C, α, β = ${reference.values.join(', ')})`,
    curve: generaliseCurve(reference.values, [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]),
  };
}

/** The calibration images: every image of the dataset, each with its dose. */
async function calibrationImages(data: string): Promise<CalibrationImage[]> {
  const dataset = await readDatasetFile(data);
  if (dataset.images.length === 0) {
    throw new DicentraError('DCN_E_NO_IMAGES', `${data} lists no image`, {
      file: data,
      hint: 'a calibration dataset lists one image per scored cell, each with its doseGy',
    });
  }
  const undated = dataset.images.filter((image) => image.doseGy === undefined);
  if (undated.length > 0) {
    throw new DicentraError(
      'DCN_E_DATASET_INVALID',
      `${undated.length} of ${dataset.images.length} images in ${data} have no doseGy (first: ${undated[0]!.id})`,
      {
        file: data,
        field: `images[${dataset.images.indexOf(undated[0]!)}].doseGy`,
        hint: 'a calibration dataset gives every image the dose its sample received',
      },
    );
  }
  return dataset.images.map((image) => ({
    id: image.id,
    file: resolveImagePath(data, image),
    doseGy: image.doseGy!,
  }));
}

/** T_A as given, or min(4, M − 1); every value below the primary's M. */
function agreementThresholds(
  request: CalibrateCurveRequest,
  members: number,
): Record<string, number> {
  const classes = request.loaded.bundle.classes;
  const ta =
    request.ta ?? Object.fromEntries(classes.map((name) => [name, Math.min(4, members - 1)]));
  for (const [name, value] of Object.entries(ta)) {
    if (value >= members) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `--ta ${value} for class ${name}: with ${members} voting members S ≤ ${members}, and D = S > T_A needs T_A < ${members}`,
        { field: '--ta', hint: `choose --ta in 0..${members - 1}, or widen --members` },
      );
    }
  }
  return { ...ta };
}

/**
 * `dicentra calibrate`: counts the calibration images with the primary
 * ensemble and seeded sub-ensembles, fits the curve of each, and writes
 * curve.json (with its counting rule) and the Fig. 10-style figure.
 */
export async function calibrateCurve(
  request: CalibrateCurveRequest,
): Promise<CalibrateCurveResult> {
  const { loaded } = request;
  const reference = await referenceCurve(request.reference);
  const members = loaded.bundle.members;
  const primary = chooseMembers(
    members,
    request.members.selection,
    '--members',
    request.members.text,
  );
  const pool = chooseMembers(members, request.pool.selection, '--pool', request.pool.text);
  const count = request.subEnsembles.count;
  const size = request.subEnsembles.size ?? Math.max(1, Math.min(primary.length, pool.length - 1));
  if (count > 0 && size > pool.length) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--sub-ensemble-size ${size} is larger than the pool (${pool.length} members)`,
      { field: '--sub-ensemble-size', hint: 'widen --pool or draw smaller sub-ensembles' },
    );
  }
  if (count > 0 && size >= pool.length) {
    request.warn(
      `every sub-ensemble is the whole pool of ${pool.length} members: the detector spread will be 0`,
    );
  }
  const ta = agreementThresholds(request, primary.length);
  const all = await calibrationImages(request.data);
  const screened = request.qc ? await filterByQc(all, request.qc, request.signal) : undefined;
  const images = screened?.kept ?? all;
  if (screened) request.log(describeExclusion(screened.exclusion));
  const cacheDir = request.cacheDir ?? join(dirname(request.out), 'heatmap-cache');
  request.log(
    `${primary.length} members vote (epochs ${primary.map((m) => m.epoch).join(', ')}); ` +
      `${count} sub-ensembles of ${size} from ${pool.length}; ${images.length} images; cache ${cacheDir}`,
  );
  const calibration = await calibrateFromImages({
    loaded,
    images,
    primary,
    pool,
    thresholds: request.thresholds,
    ta,
    subEnsembles: { count, size, seed: request.subEnsembles.seed },
    rule: { aberration: 'dicentric', requireClass: request.requireFragment ? 'fragment' : null },
    model: request.model,
    family: request.family,
    cacheDir,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  calibration.fit.warnings.forEach((warning) => request.warn(warning));
  if (calibration.failedSubEnsembles > 0) {
    request.warn(
      `${calibration.failedSubEnsembles} of ${count} sub-ensemble curves could not be fitted and are left out`,
    );
  }
  const record: CurveFile = {
    ...curveRecord(
      calibration.fit,
      request.family,
      { layout: 'distribution', groups: calibration.groups },
      provenanceNow('dicentra calibrate', request.toolVersion, {
        source: request.data,
        ...(screened ? { parameters: { qc: exclusionRecord(screened.exclusion) } } : {}),
      }),
      request.irradiation,
    ),
    detector: calibration.detector,
  };
  const figurePath = request.figure ?? request.out.replace(/(\.json)?$/i, '.svg');
  const svg = await renderCalibrationFigure({
    curve: calibrationCurveOf(record),
    groups: calibration.groups,
    subCurves: calibration.detector.subEnsembles.curves.map((sub) =>
      generaliseCurve(sub.estimates, sub.varCov),
    ),
    reference,
    title: `Calibration from images: ${images.length} cells, ${calibration.groups.length} doses`,
  });
  await writeCurveFile(request.out, record);
  await writeFileAtomic(figurePath, svg);
  return {
    record,
    figurePath,
    images: images.length,
    ta,
    calibration,
    ...(screened ? { qc: screened.exclusion } : {}),
  };
}
