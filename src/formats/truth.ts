import { z } from 'zod';
import { pointSchema, splitSchema } from './dataset.js';

/** The truth.json format version this build writes; readers accept the same major. */
export const TRUTH_FORMAT_VERSION = '1.3';
export const TRUTH_FORMAT_MAJOR = 1;

const range = z
  .tuple([z.number().finite(), z.number().finite()])
  .refine(([low, high]) => low <= high, 'a range is [low, high] with low ≤ high');
const probability = z.number().min(0).max(1);
const nonNegative = z.number().finite().nonnegative();

/** Y = c + αD + βD² (per cell, D in Gy). */
export const linearQuadraticSchema = z
  .object({ c: nonNegative, alpha: nonNegative, beta: nonNegative })
  .strict();

/**
 * Every knob of the generator, fully resolved (a difficulty preset expanded
 * into numbers), so a file records exactly what made it. Lengths are pixels
 * at scale 1 (the 1008×888 frame); `scale` multiplies them all.
 */
export const synthParametersSchema = z
  .object({
    width: z.number().int().min(64),
    height: z.number().int().min(64),
    scale: z.number().positive(),
    /** A fixed benchmark difficulty, or `wide`: capture conditions sampled per image (`wide`). */
    difficulty: z.enum(['easy', 'medium', 'hard', 'wide']),
    chromosomes: z.number().int().min(2).max(92),
    yields: z
      .object({
        dicentric: linearQuadraticSchema,
        fragmentWithDicentric: probability,
        excessFragment: linearQuadraticSchema,
        ringPerDicentric: nonNegative,
        tricentricProbability: probability,
      })
      .strict(),
    cell: z
      .object({
        longestChromosomePx: range,
        chromosomeWidthPx: range,
        sisterGapPx: range,
        /** Sister-chromatid separation per cell, 0 (tight) to 1 (fully splayed); absent in 1.0: none. */
        sisterSeparation: range.optional(),
        spreadDiameterPx: range,
        spreadAspect: range,
        spreadOffset: probability,
        bendDeg: nonNegative,
        maleProbability: probability,
      })
      .strict(),
    confounders: z
      .object({
        sharpBendProbability: probability,
        splayedProbability: probability,
        separatedProbability: probability,
        touchingPairsMean: nonNegative,
        crossingPairsMean: nonNegative,
        debrisMean: nonNegative,
        nuclei: range,
        nucleusDiameterPx: range,
        hazeProbability: probability,
        labelProbability: probability,
        /** Chance a touching or crossing partner meets a dicentric or fragment (absent: never). */
        targetContactProbability: probability.optional(),
        /** Chance a nucleus lies in the spread, chromosomes over it (absent: never). */
        nucleusInSpreadProbability: probability.optional(),
        /** Dust specks (out-of-focus discs) and scratches per image (absent: none). */
        dustMean: nonNegative.optional(),
        scratchMean: nonNegative.optional(),
      })
      .strict(),
    optics: z
      .object({
        backgroundGrey: range,
        contrast: range,
        blurSigmaPx: range,
        noiseSigma: range,
        illuminationGradient: nonNegative,
        vignetting: z.number().min(0).max(0.9),
        rgb: z.boolean(),
        jpegQuality: z.number().int().min(1).max(100).nullable(),
      })
      .strict(),
    /**
     * The `wide` preset: what each image draws (from its own stream) before it
     * is generated; the drawn values are recorded per image in `parameters`.
     */
    wide: z
      .object({
        /** Camera frames [width, height] drawn from. */
        frames: z.array(z.tuple([z.number().int().min(64), z.number().int().min(64)])).min(1),
        /** Typical chromosome width in pixels (objective and camera). */
        chromosomeWidthPx: range,
        sisterSeparation: range,
        rgbProbability: probability,
        jpegProbability: probability,
        jpegQuality: range,
        blurSigmaPx: range,
        /** Stain contrast (background / chromosome grey); absent: the medium optics' range (1.3). */
        contrast: range.optional(),
        /** Camera noise σ in grey levels; absent: the medium optics' range (1.3). */
        noiseSigma: range.optional(),
        illuminationGradient: range,
        touchingPairsMean: range,
        crossingPairsMean: range,
        targetContactProbability: range,
        nucleusInSpreadProbability: range,
        dustMean: range,
        scratchMean: range,
      })
      .strict()
      .optional(),
    /** Share of frames made unscorable on purpose (`--bad-frames`); absent: none (1.2). */
    badFrames: probability.optional(),
  })
  .strict();
export type SynthParameters = z.infer<typeof synthParametersSchema>;

export const truthObjectTypeSchema = z.enum([
  'monocentric',
  'dicentric',
  'tricentric',
  'ring',
  'fragment',
  'nucleus',
  'debris',
  'haze',
  'dust',
  'label',
  'scratch',
]);
export type TruthObjectType = z.infer<typeof truthObjectTypeSchema>;

/** Why a non-target object may look like a target (or hide one). */
export const confounderTagSchema = z.enum([
  'small-acrocentric',
  'touching-end-to-end',
  'crossing',
  'overlapping',
  'sharp-bend',
  'splayed-sisters',
  'separated-sisters',
]);

const bboxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** A chromosome-like body: a spine along which two sister chromatids run. */
const bodySchema = z
  .object({
    id: z.number().int().nonnegative(),
    type: z.enum(['monocentric', 'dicentric', 'tricentric', 'ring', 'fragment']),
    /** Dicentrics, tricentrics and fragments are what the detector must find. */
    target: z.boolean(),
    tags: z.array(confounderTagSchema),
    /** The spine polyline in image pixels (closed for a ring). */
    spine: z.array(pointSchema).min(2),
    closed: z.boolean(),
    centromeres: z.array(pointSchema),
    lengthPx: z.number().positive(),
    widthPx: z.number().positive(),
    /** This body's sister separation, 0 (tight) to 1 (fully splayed); absent in 1.0. */
    sisterSeparation: probability.optional(),
    /** [xMin, yMin, xMax, yMax] of the drawn body. */
    bbox: bboxSchema,
    /** The annotation points this body contributes (its class is its type's). */
    points: z.array(pointSchema),
  })
  .strict();

const roundSchema = z
  .object({
    id: z.number().int().nonnegative(),
    type: z.enum(['nucleus', 'debris', 'haze', 'dust']),
    target: z.literal(false),
    centre: pointSchema,
    radiusPx: z.number().positive(),
    bbox: bboxSchema,
  })
  .strict();

const labelSchema = z
  .object({
    id: z.number().int().nonnegative(),
    type: z.literal('label'),
    target: z.literal(false),
    text: z.string(),
    bbox: bboxSchema,
  })
  .strict();

/** A scratch on the slide or the optics: a faint straight line. */
const scratchSchema = z
  .object({
    id: z.number().int().nonnegative(),
    type: z.literal('scratch'),
    target: z.literal(false),
    from: pointSchema,
    to: pointSchema,
    widthPx: z.number().positive(),
    bbox: bboxSchema,
  })
  .strict();

export const truthObjectSchema = z.union([bodySchema, roundSchema, labelSchema, scratchSchema]);
export type TruthObject = z.infer<typeof truthObjectSchema>;
export type TruthBody = z.infer<typeof bodySchema>;

export const truthCountsSchema = z
  .object({
    /** Scored dicentrics: dicentric bodies + 2 × tricentrics (= dicentric points). */
    dicentric: z.number().int().nonnegative(),
    fragment: z.number().int().nonnegative(),
    dicentricBodies: z.number().int().nonnegative(),
    tricentric: z.number().int().nonnegative(),
    ring: z.number().int().nonnegative(),
    centromeres: z.number().int().nonnegative(),
    /** Bodies carrying at least one centromere. */
    centricBodies: z.number().int().nonnegative(),
    nuclei: z.number().int().nonnegative(),
    debris: z.number().int().nonnegative(),
  })
  .strict();
export type TruthCounts = z.infer<typeof truthCountsSchema>;

/** What makes a frame unscorable, as the generator makes it (`--bad-frames`). */
export const FRAME_DEFECTS = [
  'incomplete-spread',
  'two-metaphases',
  'nucleus-over-spread',
  'clumped',
] as const;
export type FrameDefect = (typeof FRAME_DEFECTS)[number];

export const frameQualitySchema = z
  .object({
    scorable: z.boolean(),
    defects: z.array(z.enum(FRAME_DEFECTS)),
  })
  .strict();
export type FrameQuality = z.infer<typeof frameQualitySchema>;

export const truthOpticsSchema = z
  .object({
    backgroundGrey: z.number(),
    contrast: z.number(),
    blurSigmaPx: z.number(),
    noiseSigma: z.number(),
  })
  .strict();

export const truthImageSchema = z
  .object({
    id: z.string().min(1),
    path: z.string().min(1),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    split: splitSchema,
    sampleId: z.string().min(1).optional(),
    doseGy: z.number().nonnegative(),
    /** The image's random stream: SeededRandom(seed, index, …). */
    index: z.number().int().nonnegative(),
    /** Cells drawn and rejected (too few aberrations) before this one. */
    rejectedCells: z.number().int().nonnegative(),
    /** Chromosome 1's length in this cell (condensation). */
    longestChromosomePx: z.number().positive(),
    /** The cell's sister-chromatid separation, 0 (tight) to 1 (fully splayed); absent in 1.0. */
    sisterSeparation: probability.optional(),
    counts: truthCountsSchema,
    optics: truthOpticsSchema,
    /** `wide` preset: this image's own drawn parameters (frame, scale, stain, optics, crowding). */
    parameters: synthParametersSchema.optional(),
    /** Whether the frame is scorable and, if not, why; present when `--bad-frames` was given (1.2). */
    quality: frameQualitySchema.optional(),
    objects: z.array(truthObjectSchema),
  })
  .strict();
export type TruthImage = z.infer<typeof truthImageSchema>;

export const truthSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/, 'version is "MAJOR.MINOR", e.g. "1.0"'),
    tool: z.string(),
    toolVersion: z.string(),
    seed: z.number().int().nonnegative(),
    mode: z.enum(['train', 'calibration']),
    parameters: synthParametersSchema,
    /** How images were chosen: doses, rejection rule, split. */
    plan: z.record(z.string(), z.unknown()),
    counts: z
      .object({
        images: z.number().int().nonnegative(),
        dicentric: z.number().int().nonnegative(),
        fragment: z.number().int().nonnegative(),
      })
      .strict(),
    images: z.array(truthImageSchema),
  })
  .strict();
export type Truth = z.infer<typeof truthSchema>;
