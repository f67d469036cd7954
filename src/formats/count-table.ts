import { parse } from 'csv-parse/sync';
import { parseDecimal } from './csv-records.js';
import { DicentraError } from './dicentra-error.js';
import { readTextFile } from './json-file.js';

/** One dose point of a calibration: cells scored and aberrations found there. */
export interface DoseGroup {
  readonly doseGy: number;
  readonly cells: number;
  readonly aberrations: number;
  /** Cells with k aberrations, when the full distribution is known. */
  readonly distribution?: readonly number[];
}

/**
 * Readers for aberration count tables in the reference tool's CSV layouts
 * (header and cells may carry padding spaces):
 *   calibration, full distribution   D,C0,C1,…,CK   one row per dose
 *   calibration, aggregated          D,N,X          cells and aberrations per dose
 *   cases                            ID,C0,C1,…,CK  one row per case
 * Every problem is reported at once with its line and column.
 */
export interface CalibrationTable {
  readonly layout: 'distribution' | 'aggregated';
  readonly groups: DoseGroup[];
}

export interface CaseRow {
  readonly id: string;
  /** Cells with 0, 1, 2, … aberrations. */
  readonly distribution: number[];
}

type Header =
  | { readonly key: 'D' | 'ID'; readonly layout: 'distribution'; readonly maxAberrations: number }
  | { readonly key: 'D'; readonly layout: 'aggregated' };

const DISTRIBUTION_HINT = 'the header is D,C0,C1,… (calibration) or ID,C0,C1,… (cases)';

async function readRows(path: string, what: string): Promise<string[][]> {
  const text = await readTextFile(path, what);
  try {
    return parse(text, { trim: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    throw new DicentraError(
      'DCN_E_CSV_INVALID',
      `${what} ${path} is not valid CSV: ${(error as Error).message}`,
      { file: path, hint: DISTRIBUTION_HINT },
    );
  }
}

function interpretHeader(header: readonly string[], path: string, what: string): Header {
  const names = header.map((name) => name.toUpperCase());
  const first = names[0];
  if (first === 'D' && names.length === 3 && names[1] === 'N' && names[2] === 'X') {
    return { key: 'D', layout: 'aggregated' };
  }
  const rest = names.slice(1);
  const consecutive = rest.length > 0 && rest.every((name, k) => name === `C${k}`);
  if ((first === 'D' || first === 'ID') && consecutive) {
    return { key: first, layout: 'distribution', maxAberrations: rest.length - 1 };
  }
  throw new DicentraError(
    'DCN_E_COUNTS_INVALID',
    `${what} ${path} has the header "${header.join(',')}", which is not a known count-table layout`,
    {
      file: path,
      field: 'line 1',
      hint: `${DISTRIBUTION_HINT}, or D,N,X (aggregated calibration); count columns run C0, C1, … without gaps`,
    },
  );
}

/**
 * The largest count of cells or aberrations a table may hold: far above any
 * scoring, and small enough that sums and likelihoods stay exact.
 */
export const MAX_COUNT = 1e9;

/** A cell count: a non-negative integer written as such, at most MAX_COUNT. */
function parseCount(
  text: string | undefined,
  where: string,
  problems: string[],
): number | undefined {
  if (text === undefined || text === '') {
    problems.push(`${where}: missing count`);
    return undefined;
  }
  const value = parseDecimal(text);
  if (!Number.isFinite(value)) problems.push(`${where}: "${text}" is not a decimal number`);
  else if (value < 0) problems.push(`${where}: negative count ${text}`);
  else if (!Number.isInteger(value)) problems.push(`${where}: count ${text} is not a whole number`);
  else if (value > MAX_COUNT) problems.push(`${where}: count ${text} is above ${MAX_COUNT}`);
  else return value;
  return undefined;
}

function failIfProblems(problems: readonly string[], path: string, what: string, hint: string) {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20);
  const more =
    problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  throw new DicentraError(
    'DCN_E_COUNTS_INVALID',
    `${what} ${path} has ${problems.length} problem(s):\n  ${shown.join('\n  ')}${more}`,
    { file: path, field: shown[0]!.split(':')[0], hint },
  );
}

/** Reads a calibration table (D,C0,… or D,N,X). */
export async function readCalibrationTable(path: string): Promise<CalibrationTable> {
  const what = 'calibration count table';
  const [header, ...body] = await readRows(path, what);
  if (!header) {
    throw new DicentraError('DCN_E_COUNTS_INVALID', `${what} ${path} is empty`, {
      file: path,
      hint: DISTRIBUTION_HINT,
    });
  }
  const layout = interpretHeader(header, path, what);
  if (layout.key !== 'D') {
    throw new DicentraError(
      'DCN_E_COUNTS_INVALID',
      `${path} is a case table (ID,C0,…); fitting needs a calibration table with a dose column D`,
      { file: path, field: 'line 1', hint: 'use D,C0,C1,… or D,N,X with doses in Gy' },
    );
  }
  const problems: string[] = [];
  const groups: DoseGroup[] = [];
  body.forEach((cells, index) => {
    const line = index + 2;
    if (cells.length !== header.length) {
      problems.push(`line ${line}: ${cells.length} cells, the header has ${header.length}`);
      return;
    }
    const doseText = cells[0]!;
    const dose = parseDecimal(doseText);
    const doseOk = doseText !== '' && Number.isFinite(dose) && dose >= 0;
    if (!doseOk) {
      problems.push(
        `line ${line}, column ${header[0]}: ${doseText === '' ? 'missing dose' : `dose "${doseText}" is not a number ≥ 0 (Gy)`}`,
      );
    }
    const counts = cells
      .slice(1)
      .map((text, k) => parseCount(text, `line ${line}, column ${header[k + 1]}`, problems));
    if (!doseOk || counts.some((value) => value === undefined)) return;
    const values = counts as number[];
    if (layout.layout === 'aggregated') {
      const [n, x] = values as [number, number];
      if (n === 0) problems.push(`line ${line}, column ${header[1]}: no cells scored (N = 0)`);
      else groups.push({ doseGy: dose, cells: n, aberrations: x });
    } else {
      const total = values.reduce((sum, v) => sum + v, 0);
      if (total === 0) problems.push(`line ${line}: no cells scored (all counts are 0)`);
      else
        groups.push({
          doseGy: dose,
          cells: total,
          aberrations: values.reduce((sum, v, k) => sum + k * v, 0),
          distribution: values,
        });
    }
  });
  if (body.length === 0) problems.push('no data rows');
  failIfProblems(
    problems,
    path,
    what,
    'doses are numbers ≥ 0 in Gy; counts are whole numbers ≥ 0 (Ck = cells with k aberrations)',
  );
  return { layout: layout.layout, groups };
}

/** Reads a case table (ID,C0,C1,…): one per-cell distribution per case. */
export async function readCaseTable(path: string): Promise<CaseRow[]> {
  const what = 'case count table';
  const [header, ...body] = await readRows(path, what);
  if (!header) {
    throw new DicentraError('DCN_E_COUNTS_INVALID', `${what} ${path} is empty`, {
      file: path,
      hint: 'the header is ID,C0,C1,…',
    });
  }
  const layout = interpretHeader(header, path, what);
  if (layout.key !== 'ID' || layout.layout !== 'distribution') {
    throw new DicentraError(
      'DCN_E_COUNTS_INVALID',
      `${what} ${path} must have the header ID,C0,C1,… (cells with 0, 1, … aberrations per case)`,
      {
        file: path,
        field: 'line 1',
        hint: 'dose estimation needs the per-cell distribution of each case, not totals',
      },
    );
  }
  const problems: string[] = [];
  const cases: CaseRow[] = [];
  const seen = new Set<string>();
  body.forEach((cells, index) => {
    const line = index + 2;
    if (cells.length !== header.length) {
      problems.push(`line ${line}: ${cells.length} cells, the header has ${header.length}`);
      return;
    }
    const id = cells[0]!;
    if (id === '') problems.push(`line ${line}, column ${header[0]}: missing case id`);
    else if (seen.has(id)) problems.push(`line ${line}, column ${header[0]}: duplicate id "${id}"`);
    seen.add(id);
    const counts = cells
      .slice(1)
      .map((text, k) => parseCount(text, `line ${line}, column ${header[k + 1]}`, problems));
    if (id === '' || counts.some((value) => value === undefined)) return;
    const distribution = counts as number[];
    if (distribution.every((value) => value === 0)) {
      problems.push(`line ${line}: case "${id}" has no cells (all counts are 0)`);
      return;
    }
    cases.push({ id, distribution });
  });
  if (body.length === 0) problems.push('no data rows');
  failIfProblems(
    problems,
    path,
    what,
    'counts are whole numbers ≥ 0 (Ck = cells with k aberrations); ids are unique',
  );
  return cases;
}

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * A case table ID,C0,C1,…,CK as `readCaseTable` (and Biodose Tools) reads it;
 * shorter distributions are padded with zeros to the longest.
 */
export function caseTableCsv(rows: readonly CaseRow[]): string {
  const width = Math.max(1, ...rows.map((row) => row.distribution.length));
  const header = ['ID', ...Array.from({ length: width }, (_, k) => `C${k}`)];
  const lines = rows.map((row) =>
    [
      csvField(row.id),
      ...Array.from({ length: width }, (_, k) => String(row.distribution[k] ?? 0)),
    ].join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** One scored cell of a per-cell table: its detections per class and its count under the rule. */
export interface CellRow {
  readonly caseId: string;
  readonly imageId: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly aberrations: number;
}

/** The per-cell table: case_id,image_id, one column per class, and the cell's scored aberrations. */
export function cellTableCsv(classes: readonly string[], cells: readonly CellRow[]): string {
  const header = ['case_id', 'image_id', ...classes, 'aberrations'];
  const lines = cells.map((cell) =>
    [
      csvField(cell.caseId),
      csvField(cell.imageId),
      ...classes.map((name) => String(cell.counts[name] ?? 0)),
      String(cell.aberrations),
    ].join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
