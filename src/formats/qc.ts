import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { provenanceSchema } from './provenance.js';

/**
 * qc.json: `dicentra qc`'s verdict on each metaphase frame (scorable or not,
 * and why), the measures it rests on and the rules applied. Read by
 * `calibrate`, `dose` and `detect` with `--qc` (docs/qc.md).
 */
export const QC_FORMAT_VERSION = '1.0';
export const QC_FORMAT_MAJOR = 1;

/** Why a frame is not scorable. */
export const QC_REASONS = [
  'too-few-chromosomes',
  'too-many-chromosomes',
  'incomplete-spread',
  'clumped',
  'nucleus-over-spread',
  'spread-too-wide',
  'out-of-focus',
  'low-contrast',
] as const;
export type QcReason = (typeof QC_REASONS)[number];

const count = z.number().int().nonnegative();
const fraction = z.number().finite().min(0);

/** The decision rules (docs/qc.md): a frame failing any one is not scorable. */
export const qcRulesSchema = z
  .object({
    /** Expected centromere-equivalents (a dicentric counts as two) and the tolerance either side. */
    chromosomes: z.number().int().positive(),
    tolerance: count,
    /** At most this many objects cut by the frame edge. */
    maxBorderObjects: count,
    /** At most this share of the count in clusters of three or more. */
    maxClusteredFraction: fraction,
    /** At most this many nuclei within the spread. */
    maxNucleiOverSpread: count,
    /** The spread's hull covers at most this share of the frame. */
    maxSpreadCoverage: fraction,
    /** Sharpness (variance of the Laplacian ×10⁴) and stain contrast at least. */
    minFocus: fraction,
    minContrast: fraction,
  })
  .strict();
export type QcRules = z.infer<typeof qcRulesSchema>;

export const qcMeasuresSchema = z
  .object({
    chromosomes: count,
    objects: count,
    medianObjectAreaPx: fraction,
    chromosomeWidthPx: fraction,
    clusteredFraction: fraction,
    borderObjects: count,
    spreadCoverage: fraction,
    spreadFill: fraction,
    nuclei: count,
    nucleiOverSpread: count,
    focus: fraction,
    contrast: z.number().finite(),
    dicentricsAdded: count,
  })
  .strict();

export const qcImageSchema = z
  .object({
    id: z.string().min(1),
    /** The image file, as given (absolute, or relative to the dataset). */
    path: z.string().min(1),
    scorable: z.boolean(),
    reasons: z.array(z.enum(QC_REASONS)),
    measures: qcMeasuresSchema,
  })
  .strict();
export type QcImage = z.infer<typeof qcImageSchema>;

export const qcSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/, 'version is "MAJOR.MINOR", e.g. "1.0"'),
    rules: qcRulesSchema,
    /** The detections.json whose dicentric points lifted the count (absent: classical count only). */
    detections: z.string().optional(),
    /** The bundle whose dicentric detections (detect's default voting) lifted the count. */
    model: z.string().optional(),
    summary: z
      .object({
        images: count,
        scorable: count,
        /** Frames failing each rule (a frame may fail several). */
        reasons: z.record(z.enum(QC_REASONS), count),
      })
      .strict(),
    images: z.array(qcImageSchema),
    provenance: provenanceSchema,
  })
  .strict();
export type QcDocument = z.infer<typeof qcSchema>;

const QC_FORMAT = { what: 'qc', major: QC_FORMAT_MAJOR, schema: qcSchema };

/** Reads and schema-checks a qc.json. */
export function readQcFile(path: string): Promise<QcDocument> {
  return readJsonFile(path, QC_FORMAT);
}

export function writeQcFile(path: string, document: QcDocument): Promise<void> {
  return writeJsonFile(path, QC_FORMAT, document);
}
