import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { assignSplits, type SplitRatios } from '../../cores/split-assignment.js';
import { DicentraError, type ProblemDetail } from '../../formats/dicentra-error.js';
import {
  DATASET_FORMAT_VERSION,
  DEFAULT_CLASSES,
  datasetSchema,
  type Dataset,
  type DatasetImage,
  type Point,
} from '../../formats/dataset.js';
import { validateWithSchema } from '../../formats/json-file.js';
import { readGreyImage } from '../../imaging/read-image.js';
import { mapWithConcurrency } from './concurrency.js';
import { findDatasetProblems, problemsExitCode, throwIfProblems } from './dataset-validation.js';
import { listImageFiles } from './image-folder.js';
import { readPointTable, type PointsByImage } from '../../formats/point-table.js';
import { readSampleTable, type SampleInfo } from '../../formats/sample-table.js';
import { readYoloLabels, yoloClassNames, type YoloClassMap } from '../../formats/yolo-labels.js';

export type AnnotationSource =
  | { readonly kind: 'points'; readonly csv: string }
  | { readonly kind: 'yolo'; readonly labelDir: string; readonly classMap: YoloClassMap };

export interface ImportRequest {
  readonly imagesDir: string;
  readonly annotations: AnnotationSource;
  readonly outPath: string;
  /** Class list; by default the annotation source's own names. */
  readonly classes?: readonly string[];
  readonly samplesCsv?: string;
  /** Absent: every image gets split "none". */
  readonly split?: {
    readonly ratios: SplitRatios;
    readonly seed: number;
    readonly groupBySample: boolean;
  };
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ImportResult {
  readonly dataset: Dataset;
  readonly warnings: string[];
  /** Facts worth a line on stderr that need no action (boxes of dropped YOLO classes). */
  readonly notes: string[];
}

function uniqueInOrder(names: Iterable<string>): string[] {
  return [...new Set(names)];
}

/** Decodes every image; the ones that fail become problems naming the image file. */
async function readImageSizes(
  request: ImportRequest,
  names: readonly string[],
  problems: ProblemDetail[],
): Promise<Map<string, { width: number; height: number }>> {
  let done = 0;
  const failed: ProblemDetail[] = [];
  const decoded = await mapWithConcurrency(names, 4, async (name) => {
    const path = join(request.imagesDir, name);
    try {
      const { width, height } = await readGreyImage(path);
      return { width, height };
    } catch (error) {
      if (!(error instanceof DicentraError)) throw error;
      failed.push({ code: error.code, file: path, message: error.message });
      return null;
    } finally {
      request.onProgress?.(++done, names.length);
    }
  });
  problems.push(
    ...failed.sort((a, b) => names.indexOf(basename(a.file!)) - names.indexOf(basename(b.file!))),
  );
  const sizes = new Map<string, { width: number; height: number }>();
  decoded.forEach((size, i) => {
    if (size) sizes.set(names[i]!, size);
  });
  return sizes;
}

/** Runs an annotation reader, returning its DicentraError instead of throwing it. */
async function attempt<T>(read: () => Promise<T>): Promise<T | DicentraError> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof DicentraError) return error;
    throw error;
  }
}

/** A reader's error as entries of the problem list. */
function asProblems(error: DicentraError): ProblemDetail[] {
  if (error.problems.length > 0) return [...error.problems];
  return [
    {
      code: error.code,
      ...(error.file ? { file: error.file } : {}),
      ...(error.field ? { field: error.field } : {}),
      message: error.message,
    },
  ];
}

/** Points of images not in the folder, and points outside their image, each at its source line. */
function findPointProblems(
  table: PointsByImage,
  names: readonly string[],
  sizes: ReadonlyMap<string, { width: number; height: number }>,
  imagesDir: string,
): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  const inFolder = new Set(names);
  for (const [image, byClass] of table) {
    const size = sizes.get(image);
    for (const [className, points] of byClass) {
      for (const { at, file, line } of points) {
        const where = { file, field: `line ${line}` };
        if (!inFolder.has(image)) {
          problems.push({
            code: 'DCN_E_CSV_INVALID',
            ...where,
            message: `image ${image} is not in ${imagesDir} (the image column holds file names inside --images)`,
          });
        } else if (
          size &&
          (at[0] < 0 || at[1] < 0 || at[0] >= size.width || at[1] >= size.height)
        ) {
          problems.push({
            code: 'DCN_E_POINT_OUT_OF_BOUNDS',
            ...where,
            message: `point (${at[0]}, ${at[1]}) of class "${className}" lies outside the ${size.width}×${size.height} image ${image}`,
          });
        }
      }
    }
  }
  return problems.sort((a, b) =>
    a.file === b.file
      ? Number(a.field!.slice(5)) - Number(b.field!.slice(5))
      : a.file!.localeCompare(b.file!),
  );
}

/** Image files that would share one dataset id (`a.png` and `a.tif`). */
function findSharedIds(names: readonly string[], imagesDir: string): ProblemDetail[] {
  const byId = new Map<string, string[]>();
  for (const name of names) {
    const id = name.replace(/\.[^.]+$/, '');
    byId.set(id, [...(byId.get(id) ?? []), name]);
  }
  return [...byId]
    .filter(([, files]) => files.length > 1)
    .map(([id, files]) => ({
      code: 'DCN_E_DUPLICATE_ID',
      file: join(imagesDir, files[1]!),
      message: `${files.join(' and ')} would share the image id "${id}"; rename one of them`,
    }));
}

/**
 * Builds a dataset from an image folder and point annotations, checks it
 * completely (decoding every image) and returns it; nothing is written here.
 * Every problem is listed at once, each at its image file or annotation line.
 */
export async function importDataset(request: ImportRequest): Promise<ImportResult> {
  const names = await listImageFiles(request.imagesDir, { sharedIds: 'allowed' });
  const warnings: string[] = [];
  const notes: string[] = [];
  const problems: ProblemDetail[] = [];
  const sizes = await readImageSizes(request, names, problems);
  problems.push(...findSharedIds(names, request.imagesDir));

  const annotations = request.annotations;
  const read = await attempt(() =>
    annotations.kind === 'points'
      ? readPointTable(annotations.csv).then((table) => ({ table, unlabelled: [], dropped: 0 }))
      : readYoloLabels(annotations.labelDir, sizes, annotations.classMap),
  );
  if (read instanceof DicentraError) {
    // the reader's own error stands when nothing else went wrong
    if (problems.length === 0) throw read;
    problems.push(...asProblems(read));
  }
  const table = read instanceof DicentraError ? null : read.table;
  if (!(read instanceof DicentraError)) {
    if (read.unlabelled.length > 0) {
      warnings.push(
        `${read.unlabelled.length} image(s) have no label file and are taken as having no object: ${read.unlabelled.slice(0, 5).join(', ')}`,
      );
    }
    if (read.dropped > 0)
      notes.push(`${read.dropped} boxes of dropped classes ignored (--yolo-classes ID=-)`);
  }
  const sourceClasses =
    annotations.kind === 'points'
      ? uniqueInOrder([
          ...DEFAULT_CLASSES,
          ...[...(table?.values() ?? [])].flatMap((byClass) => [...byClass.keys()]),
        ])
      : yoloClassNames(annotations.classMap);
  if (table) problems.push(...findPointProblems(table, names, sizes, request.imagesDir));
  if (problems.length > 0 || !table) {
    throw new DicentraError(
      'DCN_E_DATASET_INVALID',
      `cannot import ${request.imagesDir}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map(
          (p) =>
            `  ${p.code} in ${p.file ?? '(input)'}${p.field ? ` ${p.field}` : ''}: ${p.message}`,
        )
        .join('\n')}`,
      {
        problems,
        exitCode: problemsExitCode(problems),
        hint: 'fix each listed image or annotation line; nothing was written',
      },
    );
  }
  const classes = request.classes ? [...request.classes] : sourceClasses;

  const samples = request.samplesCsv
    ? await readSampleTable(request.samplesCsv)
    : new Map<string, SampleInfo>();
  const ids = names.map((name) => name.replace(/\.[^.]+$/, ''));
  const groups = names.map((name, i) =>
    request.split?.groupBySample && samples.get(name)
      ? `sample:${samples.get(name)!.sampleId}`
      : `image:${ids[i]}`,
  );
  const splits = request.split
    ? assignSplits(groups, request.split.ratios, request.split.seed)
    : names.map(() => 'none' as const);

  const outDir = dirname(resolve(request.outPath));
  const images: DatasetImage[] = names.map((name, i) => {
    const size = sizes.get(name)!;
    const points: Record<string, Point[]> = {};
    for (const className of uniqueInOrder([...classes, ...(table.get(name)?.keys() ?? [])])) {
      points[className] = (table.get(name)?.get(className) ?? []).map((point) => point.at);
    }
    const sample = samples.get(name);
    return {
      id: ids[i]!,
      path: relative(outDir, resolve(request.imagesDir, name)).split(sep).join('/'),
      width: size.width,
      height: size.height,
      split: splits[i]!,
      ...(sample ? { sampleId: sample.sampleId } : {}),
      ...(sample?.doseGy !== undefined ? { doseGy: sample.doseGy } : {}),
      points,
    };
  });

  const outside = images.some((image) => image.path === '..' || image.path.startsWith('../'));
  const dataset: Dataset = {
    version: DATASET_FORMAT_VERSION,
    classes,
    images,
    ...(outside ? { imagesOutsideFolder: true as const } : {}),
    provenance: {
      tool: 'dicentra import',
      createdAt: new Date().toISOString(),
      ...(request.split ? { seed: request.split.seed } : {}),
      parameters: {
        annotations: request.annotations.kind,
        ...(request.split
          ? { splitRatios: request.split.ratios, groupBySample: request.split.groupBySample }
          : {}),
      },
    },
  };
  // class names from --classes or a YOLO class map must be valid too
  validateWithSchema(dataset, datasetSchema, request.outPath, 'imported dataset');
  // every image was decoded above; this re-reads headers only, for what the build could still break
  throwIfProblems(
    await findDatasetProblems(dataset, request.outPath, { decode: false }),
    request.outPath,
  );
  return { dataset, warnings, notes };
}
