import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { sha256Hex } from '../../formats/bundle-file.js';
import { readCaseTable, type CaseRow } from '../../formats/count-table.js';
import { readCurveFile } from '../../formats/curve-file.js';
import type { CurveFile } from '../../formats/curve.js';
import { readDetectionsFile } from '../../formats/detections-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { readCaseMetadataFile, type CaseMetadata } from '../../formats/case-metadata.js';
import {
  backgroundRate,
  characteristicLimits,
  compareCaseWithBackground,
  type Background,
  type CharacteristicLimits,
} from '../../cores/dosimetry/characteristic-limits.js';
import type { RateComparison } from '../../cores/dosimetry/exact-poisson-test.js';
import type { CountingRule } from '../../cores/dosimetry/cell-counts.js';
import { categoryOf } from '../../cores/triage/triage-rule.js';
import { categoryLabel } from '../../cores/triage/category-label.js';
import { countDetections } from '../dosimetry/count-detections.js';
import { estimateCaseDose, type CaseDose, type DoseMethod } from '../dosimetry/case-dose.js';
import { calibrationCurveOf } from '../dosimetry/curve-record.js';

export interface CaseReportRequest {
  /** The case folder: detections.json (from `detect`), curve.json, optionally case.json. */
  readonly caseDir: string;
  /** Reviewed counts (ID,C0,C1,…) to use instead of counting detections.json. */
  readonly counts?: string;
  /** The counts were reviewed by a person (e.g. `dicentra counts --review`). */
  readonly reviewed: boolean;
  /** Fields that override case.json's. */
  readonly metadata: CaseMetadata;
  readonly method: Extract<DoseMethod, { kind: 'merkle' | 'delta' }>;
  /** The laboratory's background; default: the curve's 0-Gy calibration point. */
  readonly background?: Background;
  /** Thresholds of the triage categories (ISO 21243), in Gy. */
  readonly thresholds: readonly number[];
  readonly toolVersion: string;
  warn(message: string): void;
}

/** Everything a case report states, computed through the engines `counts`, `dose` and `limits` use. */
export interface CaseReport {
  readonly metadata: CaseMetadata;
  readonly files: {
    readonly curve: string;
    readonly curveSha256: string;
    readonly detections: string | null;
    readonly counts: string | null;
  };
  readonly scoring: {
    readonly cellsScored: number;
    /** Images that could not be detected (detections.json's errors); null with --counts alone. */
    readonly cellsExcluded: number | null;
    readonly distribution: readonly number[];
    readonly dicentrics: number;
    /** Fragment detections in the scored cells; null when only counts were given. */
    readonly fragments: number | null;
    readonly reviewed: boolean;
    readonly rule: CountingRule | null;
    readonly ruleFrom: 'detections' | 'default' | null;
  };
  readonly dose: CaseDose;
  readonly method: CaseReportRequest['method'];
  readonly limits: {
    readonly background: Background;
    readonly backgroundFrom: 'option' | 'curve-control' | 'curve-intercept';
    readonly rate: number;
    readonly alpha: number;
    readonly beta: number;
    readonly atCells: CharacteristicLimits;
    readonly test: RateComparison;
    /** X ≤ y_d: not distinguishable from the background. */
    readonly belowDecisionThreshold: boolean;
  };
  readonly triage: { readonly category: string; readonly resolved: boolean };
  readonly curve: CurveFile;
  readonly model: {
    readonly path: string;
    readonly name: string;
    readonly sha256: string;
    readonly memberEpochs: readonly number[];
  } | null;
  readonly toolVersion: string;
  readonly createdAt: string;
}

/** A bundle's name: its folder's (runs/b/bundle.json → b), or its file's. */
function bundleName(path: string): string {
  return basename(path) === 'bundle.json' ? basename(dirname(resolve(path))) : basename(path);
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** The one case of `rows`: the only row, or the row of the case (or sample) id. */
function chooseRow(rows: readonly CaseRow[], metadata: CaseMetadata, source: string): CaseRow {
  if (rows.length === 1) return rows[0]!;
  const wanted = [metadata.caseId, metadata.sampleId].filter((id) => id !== undefined);
  const row = rows.find((candidate) => wanted.includes(candidate.id));
  if (!row) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `${source} holds ${rows.length} cases (${rows.map((r) => r.id).join(', ')}); a report is for one`,
      { file: source, field: '--case-id', hint: 'name the case with --case-id (or --sample-id)' },
    );
  }
  return row;
}

/** The laboratory's background: as given, else the curve's 0-Gy point, else its intercept C. */
function backgroundOf(
  request: CaseReportRequest,
  curve: CurveFile,
): { background: Background; from: CaseReport['limits']['backgroundFrom'] } {
  if (request.background) return { background: request.background, from: 'option' };
  const control = curve.countTable.rows.find((row) => row.doseGy === 0);
  if (control) {
    return {
      background: { kind: 'control', aberrations: control.aberrations, cells: control.cells },
      from: 'curve-control',
    };
  }
  const c = curve.coefficients[0]!.estimate;
  return { background: { kind: 'rate', perCell: Math.max(c, 0) }, from: 'curve-intercept' };
}

/**
 * The numbers of a case report: the counts (from detections.json by
 * `dicentra counts`'s engine, or a reviewed count table), the dose by
 * `dicentra dose`'s estimator, and the characteristic limits of `dicentra limits`.
 */
export async function buildCaseReport(request: CaseReportRequest): Promise<CaseReport> {
  const caseDir = request.caseDir;
  const curvePath = join(caseDir, 'curve.json');
  const detectionsPath = join(caseDir, 'detections.json');
  const metadataPath = join(caseDir, 'case.json');
  const fromFile = (await fileExists(metadataPath)) ? await readCaseMetadataFile(metadataPath) : {};
  const metadata: CaseMetadata = { ...fromFile, ...request.metadata };
  const curveFile = await readCurveFile(curvePath);
  const curve = calibrationCurveOf(curveFile);
  const hasDetections = await fileExists(detectionsPath);
  if (!hasDetections && !request.counts) {
    throw new DicentraError(
      'DCN_E_FILE_NOT_FOUND',
      `case folder ${caseDir} has no detections.json`,
      {
        file: detectionsPath,
        hint: 'run `dicentra detect --curve … --out CASE_DIR/detections.json`, or give reviewed counts with --counts',
      },
    );
  }
  const counted = hasDetections
    ? await countDetections({ detections: detectionsPath, warn: request.warn })
    : null;
  const detections = hasDetections ? await readDetectionsFile(detectionsPath) : null;
  const row = request.counts
    ? chooseRow(await readCaseTable(request.counts), metadata, request.counts)
    : chooseRow(counted!.cases, metadata, detectionsPath);
  const caseCells = counted?.cells.filter((cell) => cell.caseId === row.id) ?? [];
  const fragments =
    request.counts || !counted
      ? null
      : caseCells.reduce((sum, cell) => sum + (cell.counts['fragment'] ?? 0), 0);
  const dose = estimateCaseDose(curve, row, request.method, 1, request.counts ?? detectionsPath);
  const { background, from } = backgroundOf(request, curveFile);
  const alpha = 0.05;
  const beta = 0.1;
  const table = dose.table;
  const atCells = characteristicLimits(
    table.cells,
    background,
    { alpha, beta, maxCount: Math.max(100, table.aberrations * 2) },
    curve,
  );
  const interval = dose.estimate.dose;
  const lower = categoryOf(interval.lower, request.thresholds);
  return {
    metadata: { ...metadata, caseId: metadata.caseId ?? row.id },
    files: {
      curve: curvePath,
      curveSha256: sha256Hex(await readFile(curvePath)),
      detections: hasDetections ? detectionsPath : null,
      counts: request.counts ?? null,
    },
    scoring: {
      cellsScored: table.cells,
      cellsExcluded: detections ? detections.errors.length : null,
      distribution: row.distribution,
      dicentrics: table.aberrations,
      fragments,
      reviewed: request.reviewed,
      rule: request.counts ? null : counted!.rule,
      ruleFrom: request.counts ? null : counted!.ruleFrom,
    },
    dose,
    method: request.method,
    limits: {
      background,
      backgroundFrom: from,
      rate: backgroundRate(background),
      alpha,
      beta,
      atCells,
      test: compareCaseWithBackground(table, background),
      belowDecisionThreshold:
        atCells.decisionThreshold !== null && table.aberrations <= atCells.decisionThreshold,
    },
    triage: {
      category: categoryLabel(
        categoryOf(interval.estimate, request.thresholds),
        request.thresholds,
      ),
      resolved: lower === categoryOf(interval.upper, request.thresholds),
    },
    curve: curveFile,
    model: detections
      ? {
          path: detections.bundle.path,
          name: bundleName(detections.bundle.path),
          sha256: detections.bundle.sha256,
          memberEpochs: detections.bundle.memberEpochs,
        }
      : null,
    toolVersion: request.toolVersion,
    createdAt: new Date().toISOString(),
  };
}
