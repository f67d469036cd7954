import { z } from 'zod';

/**
 * bundle.json: an ensemble of checkpoints from one training run, each an ONNX
 * file with outputs `heatmap` (N×C×H/stride×W/stride, sigmoid) and `features`
 * (the second-to-last decoder block). Written by the Python trainer
 * (python/dicentra_train), read by inference and dynamics. The trainer's
 * writer mirrors this schema; change both together, with the version.
 */
export const BUNDLE_FORMAT_VERSION = '1.2';
export const BUNDLE_FORMAT_MAJOR = 1;

export const normalisationSchema = z.discriminatedUnion('kind', [
  /** (x − min) / (max − min) over the image; a flat image maps to 0. */
  z.object({ kind: z.literal('minmax') }).strict(),
  /** (x − q_low) / (q_high − q_low) with per-image percentiles, clipped to [0, 1]. */
  z
    .object({
      kind: z.literal('percentile'),
      low: z.number().min(0).max(100),
      high: z.number().min(0).max(100),
    })
    .strict(),
]);
export type Normalisation = z.infer<typeof normalisationSchema>;

export const inputRuleSchema = z
  .object({
    channels: z.literal(1),
    /** Height and width are padded at the bottom and right up to a multiple of this. */
    padMultiple: z.number().int().positive(),
    padMode: z.enum(['reflect', 'edge', 'constant']),
    /** Value (after normalisation) used by `constant` padding. */
    padValue: z.number().default(0),
    normalisation: normalisationSchema,
    /**
     * (1.2) Typical chromosome width of the training images, in pixels, as
     * src/cores/qc/chromosome-width.ts measures it. When present, inference
     * resizes a frame whose chromosomes are much wider or narrower to this
     * width first (src/engines/inference/scale-normalisation.ts).
     */
    chromosomeWidthPx: z.number().positive().optional(),
  })
  .strict();
export type InputRule = z.infer<typeof inputRuleSchema>;

export const memberSchema = z
  .object({
    epoch: z.number().int().positive(),
    /** Relative to the folder holding bundle.json. */
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    validation: z
      .object({
        loss: z.number(),
        /** The single-member threshold T_C the P/R were measured at. */
        tc: z.number(),
        precision: z.record(z.string(), z.number().nullable()),
        recall: z.record(z.string(), z.number().nullable()),
      })
      .strict()
      .optional(),
  })
  .strict();
export type BundleMember = z.infer<typeof memberSchema>;

export const bundleSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/),
    classes: z.array(z.string().min(1)).min(1),
    architecture: z
      .object({
        name: z.literal('unet'),
        depth: z.number().int().positive(),
        baseWidth: z.number().int().positive(),
        norm: z.enum(['batch', 'group', 'instance', 'none']),
        stem: z.enum(['none', 'stride2', 'stride4']),
        parameters: z.number().int().positive(),
        featureChannels: z.number().int().positive(),
      })
      .strict(),
    input: inputRuleSchema,
    /** Input pixels per heatmap pixel (4 in the paper). */
    outputStride: z.number().int().positive(),
    /** Input pixels per `features` pixel. */
    featuresStride: z.number().int().positive(),
    /** σ of the Gaussian targets, in heatmap pixels. */
    targetSigma: z.number().positive(),
    /** Radius of the ground-truth disks for evaluation, in input pixels. */
    gtRadius: z.number().positive(),
    training: z
      .object({
        config: z.record(z.string(), z.unknown()),
        seed: z.number().int(),
        datasetSha256: z.string().optional(),
        command: z.string().optional(),
        torchVersion: z.string().optional(),
        device: z.string().optional(),
        /** 1.1: the run whose final weights started this one (fine-tuning). */
        initFrom: z
          .object({
            path: z.string(),
            file: z.string(),
            epoch: z.number().int(),
            sha256: z.string(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    members: z.array(memberSchema),
  })
  .strict();
export type Bundle = z.infer<typeof bundleSchema>;
