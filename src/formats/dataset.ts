import { z } from 'zod';
import { provenanceSchema } from './provenance.js';

/** The dataset.json format version this build writes; readers accept the same major. */
export const DATASET_FORMAT_VERSION = '1.0';
export const DATASET_FORMAT_MAJOR = 1;

export const DEFAULT_CLASSES = ['dicentric', 'fragment'] as const;

export const splitSchema = z.enum(['train', 'val', 'test', 'none']);
export type Split = z.infer<typeof splitSchema>;

/** A point in image pixel coordinates: [x, y], origin at the top-left pixel's corner. */
export const pointSchema = z.tuple([z.number().finite(), z.number().finite()]);
export type Point = z.infer<typeof pointSchema>;

const classNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'class names use letters, digits, "_", "-", "."');

export const datasetImageSchema = z
  .object({
    id: z.string().min(1),
    /** Relative to the folder holding dataset.json, with "/" separators. */
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

export const datasetSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/, 'version is "MAJOR.MINOR", e.g. "1.0"'),
    classes: z.array(classNameSchema).min(1),
    images: z.array(datasetImageSchema),
    provenance: provenanceSchema.optional(),
  })
  .strict();
export type Dataset = z.infer<typeof datasetSchema>;
