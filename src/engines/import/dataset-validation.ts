import { DicentraError, type ProblemDetail } from '../../formats/dicentra-error.js';
import { findConsistencyProblems } from '../../formats/dataset-consistency.js';
import { resolveImagePath } from '../../formats/dataset-file.js';
import type { Dataset } from '../../formats/dataset.js';
import { ExitCode, type ExitCodeValue } from '../../formats/exit-codes.js';
import { readGreyImage, readImageInfo } from '../../imaging/read-image.js';
import { mapWithConcurrency } from './concurrency.js';

export interface ValidationOptions {
  /** Fully decode every image (finds truncated files); otherwise read headers only. */
  readonly decode: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Problems found by opening each image: missing, undecodable, or of another size than recorded. */
async function findImageProblems(
  dataset: Dataset,
  datasetPath: string,
  options: ValidationOptions,
): Promise<ProblemDetail[]> {
  let done = 0;
  const perImage = await mapWithConcurrency(dataset.images, 4, async (image, index) => {
    const path = resolveImagePath(datasetPath, image);
    const field = `images[${index}].path`;
    try {
      const { width, height } = options.decode
        ? await readGreyImage(path)
        : await readImageInfo(path);
      if (width !== image.width || height !== image.height) {
        return [
          {
            code: 'DCN_E_IMAGE_SIZE_MISMATCH',
            file: datasetPath,
            field: `images[${index}]`,
            message: `"${image.id}" is recorded as ${image.width}×${image.height} but ${path} is ${width}×${height}`,
          } satisfies ProblemDetail,
        ];
      }
      return [];
    } catch (error) {
      if (!(error instanceof DicentraError)) throw error;
      return [
        {
          code: error.code,
          file: datasetPath,
          field,
          message: error.message,
        } satisfies ProblemDetail,
      ];
    } finally {
      options.onProgress?.(++done, dataset.images.length);
    }
  });
  return perImage.flat();
}

/** Every problem of a dataset in one pass: consistency first, then the image files. */
export async function findDatasetProblems(
  dataset: Dataset,
  datasetPath: string,
  options: ValidationOptions,
): Promise<ProblemDetail[]> {
  return [
    ...findConsistencyProblems(dataset, datasetPath),
    ...(await findImageProblems(dataset, datasetPath, options)),
  ];
}

const IO_CODES = new Set([
  'DCN_E_IMAGE_MISSING',
  'DCN_E_IMAGE_DECODE',
  'DCN_E_IMAGE_TOO_LARGE',
  'DCN_E_FILE_NOT_FOUND',
  'DCN_E_FILE_READ',
]);

/** Exit code 3 when any problem is an unreadable input file, otherwise 2. */
export function problemsExitCode(problems: readonly ProblemDetail[]): ExitCodeValue {
  return problems.some((p) => IO_CODES.has(p.code)) ? ExitCode.inputOutput : ExitCode.usage;
}

/**
 * Throws one DCN_E_DATASET_INVALID listing every problem. Exit code 3 when any
 * problem is an unreadable input file, otherwise 2.
 */
export function throwIfProblems(problems: readonly ProblemDetail[], datasetPath: string): void {
  if (problems.length === 0) return;
  const listing = problems
    .map((p) => `  ${p.code} at ${p.field ?? '(root)'}: ${p.message}`)
    .join('\n');
  throw new DicentraError(
    'DCN_E_DATASET_INVALID',
    `dataset ${datasetPath} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${listing}`,
    {
      file: datasetPath,
      problems,
      exitCode: problemsExitCode(problems),
      hint: 'fix each listed entry (paths are JSON paths into the dataset) and run `dicentra validate` again',
    },
  );
}
