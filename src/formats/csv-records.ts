import { parse } from 'csv-parse/sync';
import { DicentraError } from './dicentra-error.js';
import { readTextFile } from './json-file.js';

/** One row of a CSV table: its cells by column name, and the line of the file it ends on. */
export interface CsvRecord {
  readonly line: number;
  readonly cells: Record<string, string>;
}

/**
 * Reads a CSV file with a header line into one record per row, keyed by the
 * trimmed column names; cells are trimmed and blank lines skipped (each record
 * keeps its own line number, so messages point at the right line). `what`
 * names the table in messages, `hint` says what a valid one looks like.
 */
export async function readCsvRecords(
  path: string,
  what: string,
  hint: string,
): Promise<CsvRecord[]> {
  const text = await readTextFile(path, what);
  try {
    const rows = parse(text, {
      columns: (header: string[]) => header.map((name) => name.trim()),
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
    return rows.map(({ record, info }) => ({ line: info.lines, cells: record }));
  } catch (error) {
    throw new DicentraError(
      'DCN_E_CSV_INVALID',
      `${what} ${path} is not valid CSV: ${(error as Error).message}`,
      {
        file: path,
        hint,
      },
    );
  }
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A cell read as a decimal number (`12`, `-0.5`, `1e3`); NaN for anything
 * else, so that `0x10`, `0b1`, `Infinity` or an empty cell is never a number.
 */
export function parseDecimal(text: string | undefined): number {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : NaN;
}
