import { z } from 'zod';

/**
 * The `detector` block of a curve.json written by `dicentra calibrate`: the
 * automated counting rule the curve is only valid with (bundle, voting
 * members, per-member T_C, T_A, fragment gating), and the curves of the seeded
 * sub-ensembles that carry the detector's uncertainty into a dose. A case must
 * be counted by exactly this rule; `dicentra dose --model` reads it from here.
 */
const probability = z.number().min(0).max(1);

/** How a cell's aberrations are counted from its detections (`cores/dosimetry/cell-counts`). */
export const countingRuleSchema = z
  .object({
    aberration: z.string().min(1),
    /** Score an image only if it has a detection of this class (null: every image). */
    requireClass: z.string().min(1).nullable(),
  })
  .strict();
const perClass = <T extends z.ZodTypeAny>(value: T) => z.record(z.string(), value);

export const detectorMemberSchema = z
  .object({
    epoch: z.number().int().positive(),
    /** T_C of this member per class (its own under model-adaptive thresholds). */
    tc: perClass(probability),
  })
  .strict();

export const subEnsembleCurveSchema = z
  .object({
    /** Epochs of the sub-ensemble's members. */
    epochs: z.array(z.number().int().positive()).min(1),
    /** Coefficient estimates in the curve's order (C, alpha[, beta]). */
    estimates: z.array(z.number().finite()).min(2).max(3),
    varCov: z.array(z.array(z.number().finite())),
  })
  .strict();
export type SubEnsembleCurve = z.infer<typeof subEnsembleCurveSchema>;

export const curveDetectorSchema = z
  .object({
    bundle: z
      .object({
        path: z.string().min(1),
        /** sha256 of bundle.json: a case must be counted with the same bundle. */
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict(),
    classes: z.array(z.string().min(1)).min(1),
    /** How T_C was set: each member's q-quantile of its per-image maxima at `doseGy`, or fixed. */
    thresholdRule: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('adaptive'),
          quantile: probability,
          doseGy: z.number().nonnegative(),
          images: z.number().int().positive(),
        })
        .strict(),
      z.object({ kind: z.literal('fixed'), tc: perClass(probability) }).strict(),
    ]),
    /** Every member that votes in the primary ensemble or a sub-ensemble. */
    members: z.array(detectorMemberSchema).min(1),
    /** Agreement threshold per class: detected where S > T_A. */
    ta: perClass(z.number().int().nonnegative()),
    /** Epochs of the primary ensemble (the curve's own counts). */
    primary: z.array(z.number().int().positive()).min(1),
    counting: countingRuleSchema,
    subEnsembles: z
      .object({
        seed: z.number().int(),
        size: z.number().int().positive(),
        /** Agreement threshold of the sub-ensembles, per class. */
        ta: perClass(z.number().int().nonnegative()),
        /** Sub-ensembles drawn (the curves below are those that could be fitted). */
        drawn: z.number().int().nonnegative(),
        curves: z.array(subEnsembleCurveSchema),
      })
      .strict(),
  })
  .strict();
export type CurveDetector = z.infer<typeof curveDetectorSchema>;
