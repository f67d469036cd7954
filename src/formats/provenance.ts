import { z } from 'zod';

/**
 * Where a written file came from: the command that wrote it, its version, when,
 * and (where they apply) the input it read, the seed and the parameters.
 * Every file dicentra writes carries this one block.
 */
export const provenanceSchema = z
  .object({
    tool: z.string(),
    toolVersion: z.string().optional(),
    createdAt: z.string().optional(),
    /** The main input, as given on the command line. */
    source: z.string().optional(),
    seed: z.number().int().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type Provenance = z.infer<typeof provenanceSchema>;

/** The provenance of a file written now by `tool`. */
export function provenanceNow(
  tool: string,
  toolVersion: string,
  extra: Omit<Provenance, 'tool' | 'toolVersion' | 'createdAt'> = {},
): Provenance {
  return { tool, toolVersion, createdAt: new Date().toISOString(), ...extra };
}
