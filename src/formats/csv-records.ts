import { parse } from 'csv-parse/sync';
import { DicentraError } from './dicentra-error.js';
import { readTextFile } from './json-file.js';

/**
 * Reads a CSV file with a header line into one record per row, keyed by the
 * trimmed column names; cells are trimmed and blank lines skipped. `what`
 * names the table in messages, `hint` says what a valid one looks like.
 */
export async function readCsvRecords(
  path: string,
  what: string,
  hint: string,
): Promise<Record<string, string>[]> {
  const text = await readTextFile(path, what);
  try {
    return parse(text, {
      columns: (header: string[]) => header.map((name) => name.trim()),
      skip_empty_lines: true,
      trim: true,
    }) as Record<string, string>[];
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
