import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { provenanceSchema } from './provenance.js';

/**
 * metrics.json, written by `dicentra evaluate`: precision and recall the
 * paper's way per class, each beside the TP, FP and FN it comes from, so a
 * reader can recompute it. A family point lists every family member's counts
 * (one checkpoint, or one random sub-ensemble); its precision and recall are
 * the median and q5–q95 over the members' P = TP/(TP+FP) and R = TP/(TP+FN),
 * 0/0 left out.
 */
export const METRICS_FORMAT_VERSION = '1.0';
export const METRICS_FORMAT_MAJOR = 1;

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1);

const intervalSchema = z
  .object({ median: share, q05: share, q95: share, n: z.number().int().positive() })
  .strict();

export const familyPointSchema = z
  .object({
    tc: share,
    ta: z.number().int().nonnegative(),
    /** Per family member, summed over the images. */
    tp: z.array(count),
    fp: z.array(count),
    fn: z.array(count),
    precision: intervalSchema.nullable(),
    recall: intervalSchema.nullable(),
  })
  .strict()
  .superRefine((point, context) => {
    if (point.fp.length !== point.tp.length || point.fn.length !== point.tp.length) {
      context.addIssue({
        code: 'custom',
        path: ['tp'],
        message: 'tp, fp and fn have one entry per family member',
      });
    }
  });
export type MetricsFamilyPoint = z.infer<typeof familyPointSchema>;

const tableRowSchema = z
  .object({
    label: z.string(),
    tc: share,
    /** null: a single checkpoint (no vote). */
    ta: z.number().int().nonnegative().nullable(),
    /** What the interval is taken over. */
    over: z.string(),
    tp: z.array(count),
    fp: z.array(count),
    fn: z.array(count),
    precision: intervalSchema.nullable(),
    recall: intervalSchema.nullable(),
  })
  .strict();

const reliabilityBinSchema = z
  .object({
    votes: z.number().int().positive(),
    voteFraction: share,
    /** Detections with this many votes that match a ground-truth object, and those that do not. */
    tp: count,
    fp: count,
    /** TP / (TP + FP); null without detections. */
    precision: share.nullable(),
  })
  .strict();

const classMetricsSchema = z
  .object({
    table: z.array(tableRowSchema),
    operatingPoint: z
      .object({ tc: share, ta: z.number().int().nonnegative(), precisionMatched: z.boolean() })
      .strict(),
    curves: z
      .object({
        modelA: z.array(familyPointSchema).nullable(),
        modelB: z.array(familyPointSchema),
        ensemble: z.array(familyPointSchema),
      })
      .strict(),
    curveTa: z.number().int().nonnegative(),
    surface: z.array(familyPointSchema),
    reliability: z
      .object({
        tc: share,
        ta: z.number().int().nonnegative(),
        bins: z.array(reliabilityBinSchema),
      })
      .strict(),
  })
  .strict();

const bundleRefSchema = {
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  memberEpochs: z.array(z.number().int().positive()).min(1),
};

export const metricsSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/),
    dataset: z.string().min(1),
    split: z.string().min(1),
    images: z.number().int().nonnegative(),
    /** How the intervals' quantiles are taken. */
    quantiles: z.string(),
    /** How TP, FP and FN are counted. */
    counting: z.string(),
    settings: z
      .object({
        tcGrid: z.array(share).min(1),
        singleTc: share,
        paperTc: share,
        paperTa: z.number().int().nonnegative(),
        curveTa: z.number().int().nonnegative(),
        subEnsembleSize: z.number().int().positive(),
        subEnsembleCount: z.number().int().positive(),
        seed: z.number().int(),
      })
      .strict(),
    model: z.object({ ...bundleRefSchema, gtRadius: z.number().positive() }).strict(),
    baseline: z.object(bundleRefSchema).strict().nullable(),
    classes: z.record(z.string(), classMetricsSchema),
    provenance: provenanceSchema,
  })
  .strict();
export type Metrics = z.infer<typeof metricsSchema>;
export type ClassMetrics = Metrics['classes'][string];

const METRICS_FORMAT = { what: 'metrics', major: METRICS_FORMAT_MAJOR, schema: metricsSchema };

export function readMetricsFile(path: string): Promise<Metrics> {
  return readJsonFile(path, METRICS_FORMAT);
}

export function writeMetricsFile(path: string, metrics: Metrics): Promise<void> {
  return writeJsonFile(path, METRICS_FORMAT, metrics);
}
