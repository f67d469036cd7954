import { readBundleFile } from '../../formats/bundle-file.js';
import { readCaseTable } from '../../formats/count-table.js';
import { readCurveFile } from '../../formats/curve-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import {
  DOSE_RESULT_FORMAT_VERSION,
  writeDoseResultFile,
  type DoseResult,
  type DoseResultCase,
} from '../../formats/dose-result.js';
import { provenanceNow } from '../../formats/provenance.js';
import { protractionFactor, type Exposure } from '../../cores/dosimetry/protraction.js';
import { yieldBelowIntercept } from '../../cores/dosimetry/whole-body-delta.js';
import { groupByCase, readCaseImages } from '../import/case-images.js';
import { estimateCaseDose, type CaseDose, type DoseMethod } from './case-dose.js';
import { calibrationCurveOf } from './curve-record.js';
import { estimateImageDoses, type ImageDose } from './dose-from-images.js';
import {
  describeExclusion,
  exclusionRecord,
  filterByQc,
  type QcExclusion,
} from '../qc/qc-filter.js';

/** Where a dose's counts come from: a case table, or images counted by the curve's bundle. */
export type DoseSource =
  | { readonly kind: 'counts'; readonly counts: string }
  | {
      readonly kind: 'images';
      readonly model: string;
      readonly images: string;
      readonly cacheDir: string | null;
      /** Score only the cells a qc.json (or `auto`: QC now) finds scorable. */
      readonly qc?: string;
    };

export interface DoseRequest {
  readonly curvePath: string;
  readonly source: DoseSource;
  readonly method: DoseMethod;
  readonly exposure: Exposure;
  /** Estimate only this case. */
  readonly caseId?: string;
  /** Also write the result here (the dose-result format). */
  readonly out?: string;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  warn(message: string): void;
}

/** Keeps the case `caseId` (all when undefined); an unknown id is an option error. */
function selectCase<T extends { readonly id: string }>(
  items: readonly T[],
  caseId: string | undefined,
  source: string,
  hint: string,
): T[] {
  if (caseId === undefined) return [...items];
  const chosen = items.filter((item) => item.id === caseId);
  if (chosen.length === 0) {
    throw new DicentraError('DCN_E_OPTION_INVALID', `no case "${caseId}" in ${source}`, {
      file: source,
      field: '--case',
      hint,
    });
  }
  return chosen;
}

/**
 * Merkle's 83%–83% is built to give a 95% dose interval; other pairs are taken
 * at the yield level: the level the detector spread is added at.
 */
function overallLevel(method: DoseMethod): number {
  if (method.kind !== 'merkle') return method.conf;
  return method.confYield === 0.83 && method.confCurve === 0.83 ? 0.95 : method.confYield;
}

async function dosesFromImages(
  request: DoseRequest,
  source: Extract<DoseSource, { kind: 'images' }>,
  curve: Awaited<ReturnType<typeof readCurveFile>>,
  g: number,
): Promise<{ doses: ImageDose[]; qc: QcExclusion | undefined }> {
  const { method } = request;
  if (method.kind !== 'merkle' && method.kind !== 'delta') {
    throw new DicentraError(
      'DCN_E_METHOD_NOT_APPLICABLE',
      `--method ${method.kind} is not available from images; the detector's spread is carried for the whole-body methods`,
      {
        field: '--method',
        hint: 'use --method merkle or delta with --images, or count the cells with `dicentra counts` and use --counts',
      },
    );
  }
  const loaded = await readBundleFile(source.model);
  const all = await readCaseImages(source.images);
  const screened = source.qc ? await filterByQc(all, source.qc, request.signal) : undefined;
  if (screened) request.warn(describeExclusion(screened.exclusion));
  const cases = selectCase(
    groupByCase(screened?.kept ?? all),
    request.caseId,
    source.images,
    'use a sampleId of the dataset (or the folder name)',
  );
  const doses = await estimateImageDoses({
    loaded,
    curve,
    curvePath: request.curvePath,
    cases,
    cacheDir: source.cacheDir,
    method,
    g,
    conf: overallLevel(method),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  return { doses, qc: screened?.exclusion };
}

/** A case of the result document. */
function caseEntry(dose: CaseDose | ImageDose): DoseResultCase {
  const base = { id: dose.id, distribution: [...dose.distribution], table: dose.table };
  if ('detector' in dose) {
    return {
      ...base,
      ...dose.estimate,
      statisticalDose: dose.estimate.dose,
      dose: dose.dose,
      detector: dose.detector,
      subEnsembleDoses: dose.subEnsembleDoses,
    };
  }
  const estimate = dose.estimate;
  if ('components' in estimate) {
    return { ...base, ...estimate, components: [...estimate.components] };
  }
  return { ...base, ...estimate };
}

/**
 * `dicentra dose`: the dose of each case from a case table, or from images
 * counted on the fly by the calibrated curve's detector (the same counting
 * path as `dicentra counts`), by the chosen method; writes `out` if given.
 */
export async function estimateDose(request: DoseRequest): Promise<DoseResult> {
  const { method, exposure, source } = request;
  const g = protractionFactor(exposure);
  const curveFile = await readCurveFile(request.curvePath);
  const curve = calibrationCurveOf(curveFile);
  let doses: (CaseDose | ImageDose)[];
  let qc: QcExclusion | undefined;
  if (source.kind === 'images') {
    ({ doses, qc } = await dosesFromImages(request, source, curveFile, g));
  } else {
    const rows = selectCase(
      await readCaseTable(source.counts),
      request.caseId,
      source.counts,
      'use an id from the ID column',
    );
    if (method.kind === 'mixed' && rows.length > 1) {
      request.warn('the mixed Poisson model is fitted to each case separately');
    }
    doses = rows.map((row) => estimateCaseDose(curve, row, method, g, source.counts));
  }
  if (method.kind === 'delta') {
    for (const dose of doses) {
      if (yieldBelowIntercept(curve, dose.table)) {
        request.warn(
          `${dose.id}: the yield is below the curve's intercept C, where the delta method (as Biodose ` +
            'Tools computes it) reports [0, 0]; that interval carries no information, not a dose known ' +
            'to be zero. Use --method merkle for an upper limit.',
        );
      }
    }
  }
  const result: DoseResult = {
    version: DOSE_RESULT_FORMAT_VERSION,
    curve: request.curvePath,
    source:
      source.kind === 'counts'
        ? { kind: 'counts', counts: source.counts }
        : {
            kind: 'images',
            model: source.model,
            images: source.images,
            detectorLevel: overallLevel(method),
          },
    method: method.kind,
    confidence: method.kind === 'merkle' ? [method.confYield, method.confCurve] : [method.conf],
    exposure: { ...exposure, g },
    ...(method.kind === 'dolphin' ? { gamma: 1 / method.d0 } : {}),
    ...(method.kind === 'mixed' ? { gamma: method.gamma } : {}),
    cases: doses.map(caseEntry),
    provenance: provenanceNow(
      'dicentra dose',
      request.toolVersion,
      qc ? { parameters: { qc: exclusionRecord(qc) } } : {},
    ),
  };
  if (request.out) await writeDoseResultFile(request.out, result);
  return result;
}
