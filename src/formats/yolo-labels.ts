import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDecimal } from './csv-records.js';
import { DicentraError, type ProblemDetail } from './dicentra-error.js';
import { readTextFile } from './json-file.js';
import { addPoint, type PointsByImage } from './point-table.js';

/** Class id → class name (or DROP_CLASS); the key `*` maps every id not listed. */
export type YoloClassMap = ReadonlyMap<string, string>;

export const DEFAULT_YOLO_CLASSES = '0=dicentric,1=fragment';

/** The name that drops a class: `1=-` ignores the boxes of id 1. */
export const DROP_CLASS = '-';

/** The class names a map gives, dropped ones left out. */
export function yoloClassNames(map: YoloClassMap): string[] {
  return [...new Set(map.values())].filter((name) => name !== DROP_CLASS);
}

/** Parses `0=dicentric,1=fragment` (or `*=chromosome`, or `0=dicentric,*=-`). */
export function parseYoloClassMap(text: string): YoloClassMap {
  const map = new Map<string, string>();
  for (const entry of text.split(',')) {
    const match = /^\s*(\d+|\*)\s*=\s*(-|[A-Za-z0-9_][A-Za-z0-9_.-]*)\s*$/.exec(entry);
    if (!match) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `--yolo-classes entry "${entry}" is not ID=NAME or ID=-`,
        {
          field: '--yolo-classes',
          hint: 'write e.g. --yolo-classes 0=dicentric,1=fragment, "*=chromosome" or 0=dicentric,*=- (- drops a class)',
        },
      );
    }
    map.set(match[1]!, match[2]!);
  }
  if (yoloClassNames(map).length === 0) {
    throw new DicentraError('DCN_E_OPTION_INVALID', `--yolo-classes "${text}" keeps no class`, {
      field: '--yolo-classes',
      hint: 'map at least one class id to a name, e.g. 0=dicentric,*=-',
    });
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
 * file means an image with no object (the YOLO convention). Boxes of dropped
 * classes are counted, not read.
 */
export async function readYoloLabels(
  labelDir: string,
  images: ReadonlyMap<string, YoloImageSize>,
  classMap: YoloClassMap,
): Promise<{ table: PointsByImage; unlabelled: string[]; dropped: number }> {
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
  const problems: ProblemDetail[] = [];
  let dropped = 0;
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
      const problem = (message: string) =>
        problems.push({ code: 'DCN_E_YOLO_INVALID', file, field: `line ${index + 1}`, message });
      if (fields.length < 5 || numbers.some((v) => !Number.isFinite(v))) {
        problem(`expected "class cx cy w h", got "${line.trim()}"`);
        return;
      }
      const className = classMap.get(fields[0]!) ?? classMap.get('*');
      if (className === undefined) {
        problem(`class id ${fields[0]} is not mapped by --yolo-classes`);
        return;
      }
      if (className === DROP_CLASS) {
        dropped += 1;
        return;
      }
      const [cx, cy] = numbers as [number, number];
      if (cx < 0 || cx > 1 || cy < 0 || cy > 1) {
        problem(`centre (${cx}, ${cy}) is not normalised to [0, 1]`);
        return;
      }
      // clamp the far edge: a centre at exactly 1.0 is the last pixel, not outside
      const at: [number, number] = [
        Math.min(cx * size.width, size.width - 0.5),
        Math.min(cy * size.height, size.height - 0.5),
      ];
      addPoint(table, imageName, className, { at, file, line: index + 1 });
    });
  }
  if (problems.length > 0) {
    throw new DicentraError(
      'DCN_E_YOLO_INVALID',
      `YOLO labels in ${labelDir} have ${problems.length} problem(s):\n  ${problems
        .map((p) => `${p.file} ${p.field}: ${p.message}`)
        .join('\n  ')}`,
      {
        file: labelDir,
        problems,
        hint: 'map every class id with --yolo-classes (e.g. "*=chromosome") and keep coordinates normalised',
      },
    );
  }
  return { table, unlabelled, dropped };
}
