import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDecimal } from './csv-records.js';
import { DicentraError } from './dicentra-error.js';
import { readTextFile } from './json-file.js';
import { addPoint, type PointsByImage } from './point-table.js';

/** Class id → class name; the key `*` maps every id not listed. */
export type YoloClassMap = ReadonlyMap<string, string>;

export const DEFAULT_YOLO_CLASSES = '0=dicentric,1=fragment';

/** Parses `0=dicentric,1=fragment` (or `*=chromosome`). */
export function parseYoloClassMap(text: string): YoloClassMap {
  const map = new Map<string, string>();
  for (const entry of text.split(',')) {
    const match = /^\s*(\d+|\*)\s*=\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*$/.exec(entry);
    if (!match) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `--yolo-classes entry "${entry}" is not ID=NAME`,
        {
          field: '--yolo-classes',
          hint: 'write e.g. --yolo-classes 0=dicentric,1=fragment or --yolo-classes "*=chromosome"',
        },
      );
    }
    map.set(match[1]!, match[2]!);
  }
  return map;
}

export interface YoloImageSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Reads YOLO box labels (`class cx cy w h`, normalised to [0, 1]) for the given
 * images; each box becomes a point at its centre in pixels. A missing label
 * file means an image with no object (the YOLO convention).
 */
export async function readYoloLabels(
  labelDir: string,
  images: ReadonlyMap<string, YoloImageSize>,
  classMap: YoloClassMap,
): Promise<{ table: PointsByImage; unlabelled: string[] }> {
  let entries: string[];
  try {
    entries = await readdir(labelDir);
  } catch (error) {
    throw new DicentraError('DCN_E_FILE_NOT_FOUND', `label folder ${labelDir} cannot be read`, {
      file: labelDir,
      hint: 'pass the folder that holds one NAME.txt per image NAME.png',
      cause: error,
    });
  }
  const labelFiles = new Set(entries.filter((name) => name.endsWith('.txt')));
  const table: PointsByImage = new Map();
  const unlabelled: string[] = [];
  const problems: string[] = [];
  for (const [imageName, size] of images) {
    const labelName = `${imageName.replace(/\.[^.]+$/, '')}.txt`;
    if (!labelFiles.has(labelName)) {
      unlabelled.push(imageName);
      continue;
    }
    const file = join(labelDir, labelName);
    const lines = (await readTextFile(file, 'YOLO label')).split(/\r?\n/);
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const fields = line.trim().split(/\s+/);
      const numbers = fields.slice(1, 5).map(parseDecimal);
      const where = `${labelName} line ${index + 1}`;
      if (fields.length < 5 || numbers.some((v) => !Number.isFinite(v))) {
        problems.push(`${where}: expected "class cx cy w h", got "${line.trim()}"`);
        return;
      }
      const className = classMap.get(fields[0]!) ?? classMap.get('*');
      if (className === undefined) {
        problems.push(`${where}: class id ${fields[0]} is not mapped by --yolo-classes`);
        return;
      }
      const [cx, cy] = numbers as [number, number];
      if (cx < 0 || cx > 1 || cy < 0 || cy > 1) {
        problems.push(`${where}: centre (${cx}, ${cy}) is not normalised to [0, 1]`);
        return;
      }
      // clamp the far edge: a centre at exactly 1.0 is the last pixel, not outside
      addPoint(table, imageName, className, [
        Math.min(cx * size.width, size.width - 0.5),
        Math.min(cy * size.height, size.height - 0.5),
      ]);
    });
  }
  if (problems.length > 0) {
    throw new DicentraError(
      'DCN_E_YOLO_INVALID',
      `YOLO labels in ${labelDir} have ${problems.length} problem(s):\n  ${problems.join('\n  ')}`,
      {
        file: labelDir,
        hint: 'map every class id with --yolo-classes (e.g. "*=chromosome") and keep coordinates normalised',
      },
    );
  }
  return { table, unlabelled };
}
