import { dirname, join, relative, resolve, sep } from 'node:path';
import { assignSplits, type SplitRatios } from '../../cores/split-assignment.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import {
  DATASET_FORMAT_VERSION,
  DEFAULT_CLASSES,
  datasetSchema,
  type Dataset,
  type DatasetImage,
  type Point,
} from '../../formats/dataset.js';
import { validateWithSchema } from '../../formats/json-file.js';
import { readImageInfo } from '../../imaging/read-image.js';
import { mapWithConcurrency } from './concurrency.js';
import { findDatasetProblems, throwIfProblems } from './dataset-validation.js';
import { listImageFiles } from './image-folder.js';
import { readPointTable, type PointsByImage } from '../../formats/point-table.js';
import { readSampleTable, type SampleInfo } from '../../formats/sample-table.js';
import { readYoloLabels, type YoloClassMap } from '../../formats/yolo-labels.js';

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
}

function uniqueInOrder(names: Iterable<string>): string[] {
  return [...new Set(names)];
}

/**
 * Builds a dataset from an image folder and point annotations, checks it
 * completely (decoding every image) and returns it; nothing is written here.
 */
export async function importDataset(request: ImportRequest): Promise<ImportResult> {
  const names = await listImageFiles(request.imagesDir, { sharedIds: 'allowed' });
  const warnings: string[] = [];
  const infos = await mapWithConcurrency(names, 4, (name) =>
    readImageInfo(join(request.imagesDir, name)),
  );
  const sizes = new Map(names.map((name, i) => [name, infos[i]!]));

  let table: PointsByImage;
  let sourceClasses: string[];
  if (request.annotations.kind === 'points') {
    table = await readPointTable(request.annotations.csv);
    const unknownImages = [...table.keys()].filter((name) => !sizes.has(name));
    if (unknownImages.length > 0) {
      throw new DicentraError(
        'DCN_E_CSV_INVALID',
        `point table names ${unknownImages.length} image(s) not in ${request.imagesDir}: ${unknownImages.slice(0, 5).join(', ')}`,
        {
          file: request.annotations.csv,
          field: 'image',
          hint: 'the image column holds file names inside the --images folder',
        },
      );
    }
    sourceClasses = uniqueInOrder([
      ...DEFAULT_CLASSES,
      ...[...table.values()].flatMap((byClass) => [...byClass.keys()]),
    ]);
  } else {
    const yolo = await readYoloLabels(
      request.annotations.labelDir,
      sizes,
      request.annotations.classMap,
    );
    table = yolo.table;
    if (yolo.unlabelled.length > 0) {
      warnings.push(
        `${yolo.unlabelled.length} image(s) have no label file and are taken as having no object: ${yolo.unlabelled.slice(0, 5).join(', ')}`,
      );
    }
    sourceClasses = uniqueInOrder(request.annotations.classMap.values());
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
      points[className] = table.get(name)?.get(className) ?? [];
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
  throwIfProblems(
    await findDatasetProblems(dataset, request.outPath, {
      decode: true,
      onProgress: request.onProgress,
    }),
    request.outPath,
  );
  return { dataset, warnings };
}
