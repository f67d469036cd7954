import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { provenanceSchema } from './provenance.js';

/**
 * The file `dicentra triage --out` writes: the rule and its error split, the
 * seed of the scoring order, and per person (sorted by the dose estimate,
 * highest first) the care category, the dose with its anytime-valid interval
 * and how many cells were scored and why scoring stopped (docs/triage.md).
 * An upper dose the curve's band never reaches (below 100 Gy) is null.
 */
export const TRIAGE_RESULT_FORMAT_VERSION = '1.0';
export const TRIAGE_RESULT_FORMAT_MAJOR = 1;

const intervalSchema = z
  .object({ lower: z.number(), estimate: z.number(), upper: z.number() })
  .strict();
const openIntervalSchema = z
  .object({ lower: z.number(), estimate: z.number(), upper: z.number().nullable() })
  .strict();

export const triagePersonSchema = z
  .object({
    id: z.string().min(1),
    /** 0 below the first threshold, 1 between the first and second, … */
    category: z.number().int().nonnegative(),
    /** e.g. "< 1 Gy", "1–2 Gy", "> 2 Gy". */
    label: z.string(),
    /** The whole interval lies in the category; false: the category is the estimate's. */
    resolved: z.boolean(),
    /** Why scoring stopped: resolved, the cell cap, the dicentric cap, or no more images. */
    stop: z.enum(['resolved', 'cells', 'dicentrics', 'exhausted']),
    cells: z.number().int().positive(),
    aberrations: z.number().int().nonnegative(),
    /** Images in the person's folder, and those that could not be read (not scored). */
    available: z.number().int().nonnegative(),
    unreadable: z.number().int().nonnegative(),
    /** Cells with 0, 1, 2, … dicentrics among the scored ones. */
    distribution: z.array(z.number().int().nonnegative()).min(1),
    yield: intervalSchema,
    dose: openIntervalSchema,
    /** With --cells: the dose by Merkle 83%–83% from the same cells (as `dicentra dose`). */
    merkleDose: intervalSchema.optional(),
  })
  .strict();
export type TriagePerson = z.infer<typeof triagePersonSchema>;

export const triageResultSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/),
    curve: z.string(),
    model: z.string(),
    bundleSha256: z.string().regex(/^[0-9a-f]{64}$/),
    images: z.string(),
    /** The scoring order of each person's images is a shuffle seeded by this and the person's id. */
    seed: z.number().int(),
    rule: z
      .object({
        thresholds: z.array(z.number().positive()).min(1),
        alpha: z.number().positive(),
        /** The yield's share of α, and the level of the curve's band (0: no band). */
        alphaYield: z.number().positive(),
        confCurve: z.number().min(0).max(1),
        maxCells: z.number().int().positive(),
        /** null: no dicentric cap (--cells). */
        maxAberrations: z.number().int().positive().nullable(),
        sequential: z.boolean(),
        mixture: z.object({ shape: z.number().positive(), rate: z.number().positive() }).strict(),
      })
      .strict(),
    persons: z.array(triagePersonSchema),
    provenance: provenanceSchema,
  })
  .strict();
export type TriageResult = z.infer<typeof triageResultSchema>;

const TRIAGE_RESULT_FORMAT = {
  what: 'triage result',
  major: TRIAGE_RESULT_FORMAT_MAJOR,
  schema: triageResultSchema,
};

export function readTriageResultFile(path: string): Promise<TriageResult> {
  return readJsonFile(path, TRIAGE_RESULT_FORMAT);
}

export function writeTriageResultFile(path: string, result: TriageResult): Promise<void> {
  return writeJsonFile(path, TRIAGE_RESULT_FORMAT, result);
}
