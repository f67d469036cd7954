import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { provenanceSchema } from './provenance.js';

/**
 * The file `dicentra dose --out` writes: per case, the count table and the
 * dose with its interval by the chosen method; from images, also the
 * detector's spread and the interval it widens. Numbers that are undefined
 * (a dispersion index with no aberration, a spread of no sub-ensemble) are null.
 */
export const DOSE_RESULT_FORMAT_VERSION = '1.0';
export const DOSE_RESULT_FORMAT_MAJOR = 1;

const maybe = z.number().nullable();
const intervalSchema = z
  .object({ lower: z.number(), estimate: z.number(), upper: z.number() })
  .strict();
const withErrorSchema = z.object({ estimate: z.number(), stdError: maybe }).strict();

const tableSchema = z
  .object({
    cells: z.number().int().positive(),
    aberrations: z.number().int().nonnegative(),
    mean: z.number(),
    variance: maybe,
    dispersionIndex: maybe,
    u: maybe,
    yieldStdError: maybe,
  })
  .strict();

const caseBase = {
  id: z.string().min(1),
  /** Cells with 0, 1, 2, … aberrations (the C0, C1, … of the case table). */
  distribution: z.array(z.number().int().nonnegative()).min(1),
  table: tableSchema,
  aic: maybe,
};

/** Merkle or delta; from images, `dose` is `statisticalDose` widened by the detector spread. */
const wholeBodyCaseSchema = z
  .object({
    ...caseBase,
    yield: intervalSchema,
    dose: intervalSchema,
    confYield: z.number(),
    confCurve: z.number(),
    statisticalDose: intervalSchema.optional(),
    detector: z
      .object({
        count: z.number().int().nonnegative(),
        mean: maybe,
        sd: z.number().nonnegative(),
        q05: maybe,
        q95: maybe,
      })
      .strict()
      .optional(),
    /** The dose each sub-ensemble counts on its own curve (null: its curve cannot reach its yield). */
    subEnsembleDoses: z.array(maybe).optional(),
  })
  .strict();

const partialBodyCaseSchema = z
  .object({
    ...caseBase,
    yield: intervalSchema,
    dose: intervalSchema,
    bodyFraction: intervalSchema,
    irradiatedCellFraction: withErrorSchema,
  })
  .strict();

const heterogeneousCaseSchema = z
  .object({
    ...caseBase,
    logLik: maybe,
    components: z
      .array(
        z
          .object({
            yield: intervalSchema,
            dose: intervalSchema,
            cellFraction: withErrorSchema,
            bodyFraction: withErrorSchema,
          })
          .strict(),
      )
      .length(2),
  })
  .strict();

export const doseResultSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/),
    curve: z.string().min(1),
    /** Where the counts came from: a case table, or images counted by a bundle. */
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('counts'), counts: z.string().min(1) }).strict(),
      z
        .object({
          kind: z.literal('images'),
          model: z.string().min(1),
          images: z.string().min(1),
          /** Level at which the detector spread widens the statistical interval. */
          detectorLevel: z.number().gt(0).lt(1),
        })
        .strict(),
    ]),
    method: z.enum(['merkle', 'delta', 'dolphin', 'mixed']),
    /** Merkle: [yield, curve]; the others: [level]. */
    confidence: z.array(z.number().gt(0).lt(1)).min(1).max(2),
    exposure: z
      .object({
        kind: z.enum(['acute', 'protracted', 'highly-protracted']),
        durationHours: z.number().nonnegative().optional(),
        repairTimeHours: z.number().positive().optional(),
        /** Lea–Catcheside G. */
        g: z.number().min(0).max(1),
      })
      .strict(),
    /** Survival coefficient γ = 1/D0 (dolphin, mixed). */
    gamma: z.number().positive().optional(),
    cases: z
      .array(z.union([wholeBodyCaseSchema, partialBodyCaseSchema, heterogeneousCaseSchema]))
      .min(1),
    provenance: provenanceSchema,
  })
  .strict();
export type DoseResult = z.infer<typeof doseResultSchema>;
export type DoseResultCase = DoseResult['cases'][number];

const DOSE_RESULT_FORMAT = {
  what: 'dose result',
  major: DOSE_RESULT_FORMAT_MAJOR,
  schema: doseResultSchema,
};

export function readDoseResultFile(path: string): Promise<DoseResult> {
  return readJsonFile(path, DOSE_RESULT_FORMAT);
}

export function writeDoseResultFile(
  path: string,
  result: z.input<typeof doseResultSchema>,
): Promise<void> {
  return writeJsonFile(path, DOSE_RESULT_FORMAT, result);
}
