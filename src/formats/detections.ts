import { z } from 'zod';
import { countingRuleSchema } from './curve-detector.js';
import { provenanceSchema } from './provenance.js';

/**
 * detections.json: what `dicentra detect` found, per image and class, with the
 * ensemble's votes as a per-detection uncertainty. Read by `dicentra counts`
 * (per-cell counts and the case table a dose is estimated from). Coordinates are input-image pixels, origin at the
 * top-left corner of the image (the dataset.json convention).
 */
export const DETECTIONS_FORMAT_VERSION = '1.2';
export const DETECTIONS_FORMAT_MAJOR = 1;

export const detectionSchema = z
  .object({
    /** Centroid of the component, in input-image pixels. */
    x: z.number().finite(),
    y: z.number().finite(),
    /** Area of the component in input pixels (heatmap pixels × outputStride²). */
    area: z.number().nonnegative(),
    /** Largest vote count S inside the component (an integer in 1..M). */
    votes: z.number().int().nonnegative(),
    /** votes / M: the share of members agreeing at the component's best pixel. */
    voteFraction: z.number().min(0).max(1),
    /** Mean of every member's heatmap value over the component's pixels. */
    meanValue: z.number().min(0).max(1),
    /** Largest member heatmap value inside the component. */
    maxValue: z.number().min(0).max(1),
    /** Population standard deviation over members of each member's peak value in the component. */
    spread: z.number().nonnegative(),
  })
  .strict();
export type Detection = z.infer<typeof detectionSchema>;

export const classThresholdSchema = z
  .object({
    /** Confidence threshold T_C shared by all members; null when adaptive. */
    tc: z.number().min(0).max(1).nullable(),
    /** True when each member used its own T_C (model-adaptive thresholds). */
    adaptive: z.boolean(),
    /** Per-member T_C in the order of `bundle.memberEpochs` (equal to `tc` unless adaptive). */
    memberTc: z.array(z.number().min(0).max(1)),
    /** Agreement threshold T_A: a pixel is detected when S > T_A (strict). */
    ta: z.number().int().nonnegative(),
  })
  .strict();
export type ClassThreshold = z.infer<typeof classThresholdSchema>;

export const detectionsImageSchema = z
  .object({
    id: z.string().min(1),
    /** The case (person, culture) of the cell: the dataset's sampleId, or the images folder's name (1.1). */
    sampleId: z.string().min(1).optional(),
    /** As given: relative to detections.json's folder when possible, else absolute. */
    path: z.string().min(1),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /**
     * (1.2) The factor the frame was resized by before the network, to the bundle's
     * chromosome width (scale normalisation); absent: not resized. Coordinates are the frame's.
     */
    scaleFactor: z.number().positive().optional(),
    /** Detections per class (every class of `classes` is present). */
    detections: z.record(z.string(), z.array(detectionSchema)),
    /** Number of detections per class. */
    counts: z.record(z.string(), z.number().int().nonnegative()),
  })
  .strict();
export type DetectionsImage = z.infer<typeof detectionsImageSchema>;

export const detectionsErrorSchema = z
  .object({
    id: z.string().min(1),
    path: z.string().min(1),
    code: z.string().regex(/^DCN_E_[A-Z0-9_]+$/),
    message: z.string(),
  })
  .strict();
export type DetectionsError = z.infer<typeof detectionsErrorSchema>;

export const detectionsSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/),
    classes: z.array(z.string().min(1)).min(1),
    bundle: z
      .object({
        /** Path of bundle.json as given on the command line. */
        path: z.string().min(1),
        /** sha256 of the bundle.json bytes (each member's own hash is inside it). */
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        /** Epochs of the members that voted, in vote order; M = its length. */
        memberEpochs: z.array(z.number().int().positive()).min(1),
        /** How the members were chosen. */
        selection: z
          .object({
            mode: z.enum(['all', 'last', 'epochs', 'random']),
            count: z.number().int().positive().optional(),
            seed: z.number().int().optional(),
          })
          .strict(),
      })
      .strict(),
    /** Per class. */
    thresholds: z.record(z.string(), classThresholdSchema),
    /** The counting rule of the calibration detect voted as (`detect --curve`; 1.1). */
    counting: countingRuleSchema.optional(),
    /** Connectivity of the components of D (8: diagonal neighbours join). */
    connectivity: z.literal(8),
    /** Input pixels per heatmap pixel. */
    outputStride: z.number().int().positive(),
    images: z.array(detectionsImageSchema),
    /** Images that could not be processed; they have no entry in `images`. */
    errors: z.array(detectionsErrorSchema),
    provenance: provenanceSchema.optional(),
  })
  .strict();
export type Detections = z.infer<typeof detectionsSchema>;
