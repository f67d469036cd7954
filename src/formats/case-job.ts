import { z } from 'zod';

/**
 * A queued case (`dicentra submit`, run by `dicentra worker`): one person's
 * case folder and what `detect`, `counts` and `dose` are to do with it. Paths
 * are absolute and must name the same files on every worker (shared storage
 * mounted at the same path).
 */
export const caseJobDataSchema = z
  .object({
    version: z.literal(1),
    /** The case folder: its images, or its dataset.json; the outputs go here. */
    caseDir: z.string().min(1),
    /** `detect --model`. */
    model: z.string().min(1),
    /** `detect --curve` and `dose --curve`. */
    curve: z.string().min(1).optional(),
    /** `detect --members`, `--tc`, `--ta` (without a curve). */
    members: z.string().min(1).optional(),
    tc: z.string().min(1).optional(),
    ta: z.string().min(1).optional(),
    /** `dose --method` and its levels (`--ci`), with a curve. */
    method: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('merkle'), confYield: z.number(), confCurve: z.number() }),
        z.object({ kind: z.literal('delta'), conf: z.number() }),
      ])
      .optional(),
  })
  .strict();
export type CaseJobData = z.infer<typeof caseJobDataSchema>;

/** A dose with its interval, in Gy. */
export interface CaseJobDose {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

/** What a finished case job returns (the job's return value), one entry per case of the folder. */
export interface CaseJobResult {
  readonly caseDir: string;
  readonly cases: readonly {
    readonly id: string;
    readonly cells: number;
    /** Aberrations counted under the counting rule (the dose's X). */
    readonly aberrations: number;
    /** Detections of each class over the case's cells. */
    readonly detections: Readonly<Record<string, number>>;
    readonly dose?: CaseJobDose & { readonly method: string };
  }[];
  readonly outputs: {
    readonly detections: string;
    readonly counts: string;
    readonly dose?: string;
  };
}
