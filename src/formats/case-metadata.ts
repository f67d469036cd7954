import { z } from 'zod';
import { readHandWrittenJsonFile } from './json-file.js';

/**
 * case.json: what a case report says about the case beyond its counts — the
 * coded ids, the laboratory and the dates (ISO 19238 §9). Every field is
 * optional; a command-line option overrides the file's field. Dates are
 * YYYY-MM-DD (a time may follow: YYYY-MM-DDTHH:MM).
 */
export const caseDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?$/, 'a date YYYY-MM-DD');

export const caseMetadataSchema = z
  .object({
    caseId: z.string().min(1).optional(),
    sampleId: z.string().min(1).optional(),
    laboratory: z.string().min(1).optional(),
    samplingDate: caseDateSchema.optional(),
    /** When the exposure happened, if known. */
    irradiationDate: caseDateSchema.optional(),
    analysisDate: caseDateSchema.optional(),
    /** Free text printed with the case (e.g. the circumstances of the exposure). */
    notes: z.string().optional(),
  })
  .strict();
export type CaseMetadata = z.infer<typeof caseMetadataSchema>;

export function readCaseMetadataFile(path: string): Promise<CaseMetadata> {
  return readHandWrittenJsonFile(path, 'case metadata', caseMetadataSchema);
}

/** A date given on the command line, checked as case.json's dates are. */
export function isCaseDate(text: string): boolean {
  return caseDateSchema.safeParse(text).success;
}
