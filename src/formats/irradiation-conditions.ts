import { z } from 'zod';
import { caseDateSchema } from './case-metadata.js';
import { readHandWrittenJsonFile } from './json-file.js';

/**
 * How the calibration samples were irradiated (ISO 19238 asks a report to
 * state them beside the curve): given by the laboratory as a small JSON file
 * to `dicentra calibrate` or `dicentra curve fit`, kept in curve.json
 * (`irradiation`) and printed by `dicentra report`. Every field is optional.
 */
const text = z.string().trim().min(1);

export const irradiationConditionsSchema = z
  .object({
    /** Who made the calibration and where it is described (laboratory, publication). */
    source: text.optional(),
    /** Radiation type and energy, e.g. "60Co gamma rays" or "250 kVp X-rays, 1 mm Cu". */
    radiationQuality: text.optional(),
    doseRateGyPerMin: z.number().finite().positive().optional(),
    /** Temperature of the blood during irradiation (°C). */
    temperatureC: z.number().finite().min(-50).max(60).optional(),
    /** Geometry and set-up: tubes, phantom, in air or water, time at 37 °C before culture. */
    conditions: text.optional(),
    /** How the doses were determined (ionisation chamber, traceability). */
    dosimetry: text.optional(),
    irradiationDate: caseDateSchema.optional(),
  })
  .strict();
export type IrradiationConditions = z.infer<typeof irradiationConditionsSchema>;

export function readIrradiationConditionsFile(path: string): Promise<IrradiationConditions> {
  return readHandWrittenJsonFile(path, 'irradiation conditions', irradiationConditionsSchema);
}
