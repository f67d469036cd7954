import { posix } from 'node:path';
import { z } from 'zod';
import { provenanceSchema } from './provenance.js';

/** The dataset.json format version this build writes; readers accept the same major. */
export const DATASET_FORMAT_VERSION = '1.1';
export const DATASET_FORMAT_MAJOR = 1;

export const DEFAULT_CLASSES = ['dicentric', 'fragment'] as const;

export const splitSchema = z.enum(['train', 'val', 'test', 'none']);
export type Split = z.infer<typeof splitSchema>;

/** A point in image pixel coordinates: [x, y], origin at the top-left pixel's corner. */
export const pointSchema = z.tuple([z.number().finite(), z.number().finite()]);
export type Point = z.infer<typeof pointSchema>;

export const classNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'class names use letters, digits, "_", "-", "."');

export const datasetImageSchema = z
  .object({
    id: z.string().min(1),
    /** Relative to the folder holding dataset.json, with "/" separators (see pathProblem). */
    path: z.string().min(1),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    split: splitSchema,
    sampleId: z.string().min(1).optional(),
    doseGy: z.number().finite().nonnegative().optional(),
    /**
     * Annotated points per class. Absent: the image is not annotated (e.g. a
     * calibration image). Present: every listed class is exhaustively annotated,
     * and a class with no entry has no object in the image.
     */
    points: z.record(z.string(), z.array(pointSchema)).optional(),
  })
  .strict();
export type DatasetImage = z.infer<typeof datasetImageSchema>;

/**
 * Why an image path may not be opened, or null: it must be relative, "/"-
 * separated, normalised and stay inside the dataset's folder, so a dataset
 * cannot make dicentra read `/etc/passwd` or `../../secret`.
 */
function pathProblem(path: string): string | null {
  if (path.includes('\\')) return `path "${path}" must use "/" as the separator`;
  if (posix.isAbsolute(path) || /^[A-Za-z]:/.test(path)) {
    return `path "${path}" must be relative to the dataset's folder, not absolute`;
  }
  if (path === '..' || path.startsWith('../')) {
    return `path "${path}" must stay inside the dataset's folder`;
  }
  if (posix.normalize(path) !== path || path.endsWith('/')) {
    return `path "${path}" must be normalised (no ".", ".." or empty parts), e.g. "${posix.normalize(path)}"`;
  }
  return null;
}

export const datasetSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/, 'version is "MAJOR.MINOR", e.g. "1.0"'),
    classes: z.array(classNameSchema).min(1),
    images: z.array(datasetImageSchema),
    /**
     * The explicit opt-out of the path rule: image paths may then leave the
     * dataset's folder or be absolute (`dicentra import` sets it when the
     * images lie outside the folder of the dataset it writes).
     */
    imagesOutsideFolder: z.literal(true).optional(),
    provenance: provenanceSchema.optional(),
  })
  .strict()
  .superRefine((dataset, context) => {
    if (dataset.imagesOutsideFolder) return;
    dataset.images.forEach((image, index) => {
      const problem = pathProblem(image.path);
      if (problem) {
        context.addIssue({
          code: 'custom',
          path: ['images', index, 'path'],
          message: `${problem} (or set "imagesOutsideFolder": true to allow paths outside it)`,
        });
      }
    });
  });
export type Dataset = z.infer<typeof datasetSchema>;
