import { DicentraError } from './dicentra-error.js';
import { classNameSchema, type Point } from './dataset.js';
import { parseDecimal, readCsvRecords } from './csv-records.js';

/** A point with the file and 1-based line it was read from, for messages. */
export interface SourcedPoint {
  readonly at: Point;
  readonly file: string;
  readonly line: number;
}

/** Points per image file name, then per class. */
export type PointsByImage = Map<string, Map<string, SourcedPoint[]>>;

export function addPoint(
  table: PointsByImage,
  image: string,
  className: string,
  point: SourcedPoint,
): void {
  let byClass = table.get(image);
  if (!byClass) table.set(image, (byClass = new Map()));
  let points = byClass.get(className);
  if (!points) byClass.set(className, (points = []));
  points.push(point);
}

/**
 * Reads a CSV of `image,class,x,y` (header required; extra columns ignored;
 * `image` is a file name inside the image folder). Every bad row is reported.
 */
export async function readPointTable(path: string): Promise<PointsByImage> {
  const rows = await readCsvRecords(
    path,
    'point table',
    'the table needs a header line `image,class,x,y` and one point per line',
  );
  const first = rows[0]?.cells;
  const missing = ['image', 'class', 'x', 'y'].filter((column) => first && !(column in first));
  if (missing.length > 0) {
    throw new DicentraError(
      'DCN_E_CSV_INVALID',
      `point table ${path} lacks column(s) ${missing.join(', ')}`,
      {
        file: path,
        field: 'header',
        hint: 'the header must name the columns image,class,x,y',
      },
    );
  }
  const table: PointsByImage = new Map();
  const problems: string[] = [];
  rows.forEach(({ line, cells: row }) => {
    const x = parseDecimal(row.x);
    const y = parseDecimal(row.y);
    if (!row.image) problems.push(`line ${line}: empty image name`);
    else if (!row.class) problems.push(`line ${line}: empty class`);
    else if (!classNameSchema.safeParse(row.class).success) {
      problems.push(
        `line ${line}: class "${row.class}" is not a valid class name (letters, digits, "_", "-", ".")`,
      );
    } else if (row.x === '' || row.y === '' || !Number.isFinite(x) || !Number.isFinite(y)) {
      problems.push(`line ${line}: x and y must be numbers, got "${row.x}", "${row.y}"`);
    } else addPoint(table, row.image, row.class, { at: [x, y], file: path, line });
  });
  if (problems.length > 0) {
    throw new DicentraError(
      'DCN_E_CSV_INVALID',
      `point table ${path} has ${problems.length} bad row(s):\n  ${problems.join('\n  ')}`,
      {
        file: path,
        field: problems[0]!.split(':')[0],
        hint: 'fix the listed lines',
      },
    );
  }
  return table;
}
