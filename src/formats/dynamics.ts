import { z } from 'zod';
import { provenanceSchema } from './provenance.js';

/**
 * dynamics.json: the training-dynamics analysis of a bundle's members in
 * feature space (`dicentra dynamics`): the tracked locations, each epoch's
 * Procrustes-aligned PCA embedding, the per-epoch SVMs, the averaged
 * classifier's entropy grid (eqs. 8–9 of Deschemps et al.), the k-means
 * centroid tracks, and the locations and detections in high-entropy regions.
 * Coordinates of locations are image pixels (the dataset.json convention);
 * embedding coordinates are PCA units.
 */
export const DYNAMICS_FORMAT_VERSION = '1.0';
export const DYNAMICS_FORMAT_MAJOR = 1;

const xySchema = z.tuple([z.number().finite(), z.number().finite()]);

const uncertainLocationSchema = z
  .object({
    image: z.string().min(1),
    x: z.number().finite(),
    y: z.number().finite(),
    class: z.string().min(1),
    /** Mean over epochs of H(p̄) where the location sits, in nats. */
    entropy: z.number().min(0),
  })
  .strict();

export const dynamicsSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/),
    /** Class by index; index 0 is the background. */
    classes: z.array(z.string().min(1)).min(2),
    /** The analysed epochs in order; the first is the Procrustes reference. */
    epochs: z.array(z.number().int().positive()).min(2),
    source: z
      .object({
        bundle: z
          .object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
          .strict(),
        dataset: z.object({ path: z.string().min(1) }).strict(),
        split: z.enum(['train', 'val', 'test', 'none', 'all']),
        images: z.number().int().nonnegative(),
        /** Seed of the background draw (and of k-means). */
        seed: z.number().int(),
        backgroundPerImage: z.number().int().nonnegative(),
        /** Input pixels around each annotated point that no background cell overlaps. */
        exclusionRadius: z.number().nonnegative(),
        featuresStride: z.number().int().positive(),
        featureChannels: z.number().int().positive(),
        detections: z
          .object({ path: z.string().min(1) })
          .strict()
          .optional(),
      })
      .strict(),
    settings: z
      .object({
        gridSize: z.number().int().min(2),
        gridMargin: z.number().min(0),
        gridTrim: z.number().min(0).max(0.5),
        svmCost: z.number().positive(),
        /** As asked: a number or "scale". */
        svmGamma: z.union([z.number().positive(), z.literal('scale')]),
        /** The γ used. */
        svmGammaUsed: z.number().positive(),
        clustersPerClass: z.number().int().positive(),
        kmeansSeed: z.number().int(),
        procrustesScale: z.boolean(),
        highEntropyFraction: z.number().min(0).max(1),
        /** highEntropyFraction × log(classes), nats. */
        highEntropyThreshold: z.number().min(0),
      })
      .strict(),
    /** The tracked locations, one per embedding row. */
    locations: z.array(
      z
        .object({
          image: z.string().min(1),
          x: z.number().finite(),
          y: z.number().finite(),
          class: z.string().min(1),
          /** Feature-map cell (column, row). */
          u: z.number().int().nonnegative(),
          v: z.number().int().nonnegative(),
        })
        .strict(),
    ),
    alignment: z.array(
      z
        .object({
          epoch: z.number().int().positive(),
          scale: z.number().positive(),
          /** ‖aligned − reference‖ / ‖reference‖ after Procrustes (0 for the reference). */
          residual: z.number().min(0),
        })
        .strict(),
    ),
    /** Share of the variance of the aligned features per principal component (up to 20). */
    explainedVariance: z.array(z.number()),
    /** Per epoch: [x, y] of every location, in `locations` order. */
    embeddings: z.array(
      z.object({ epoch: z.number().int().positive(), points: z.array(xySchema) }).strict(),
    ),
    svm: z.array(
      z
        .object({
          epoch: z.number().int().positive(),
          /** Resubstitution accuracy on the epoch's own embedding. */
          accuracy: z.number().min(0).max(1),
          supportVectors: z.number().int().nonnegative(),
        })
        .strict(),
    ),
    grid: z
      .object({
        xMin: z.number(),
        xMax: z.number(),
        yMin: z.number(),
        yMax: z.number(),
        columns: z.number().int().min(2),
        rows: z.number().int().min(2),
        /** p̄ (eq. 8) per class, each rows × columns row-major, row 0 at yMin. */
        meanProbabilities: z.record(z.string(), z.array(z.number().min(0).max(1))),
        /** H(p̄) (eq. 9) per cell, nats. */
        entropy: z.array(z.number().min(0)),
      })
      .strict(),
    centroidTracks: z.array(
      z
        .object({
          class: z.string().min(1),
          cluster: z.number().int().nonnegative(),
          size: z.number().int().positive(),
          /** Centroid per epoch, in `epochs` order. */
          path: z.array(xySchema),
        })
        .strict(),
    ),
    uncertain: z
      .object({
        /** Annotated aberrations whose entropy is ≥ the threshold, most uncertain first. */
        annotations: z.array(uncertainLocationSchema),
        /** Every detection of --detections with its entropy and vote fraction, most uncertain first. */
        detections: z.array(
          uncertainLocationSchema
            .extend({ voteFraction: z.number().min(0).max(1), highEntropy: z.boolean() })
            .strict(),
        ),
      })
      .strict(),
    /** Agreement of entropy with the ensemble's vote fraction; null without detections. */
    agreement: z
      .object({
        detections: z.number().int().nonnegative(),
        /** Spearman ρ(entropy, vote fraction); negative = the two uncertainties agree. */
        spearman: z.number().min(-1).max(1).nullable(),
        highEntropy: z
          .object({ count: z.number().int(), meanVoteFraction: z.number().nullable() })
          .strict(),
        lowEntropy: z
          .object({ count: z.number().int(), meanVoteFraction: z.number().nullable() })
          .strict(),
      })
      .strict()
      .nullable(),
    provenance: provenanceSchema.optional(),
  })
  .strict();
export type DynamicsDocument = z.infer<typeof dynamicsSchema>;
