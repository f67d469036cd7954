import type { SynthParameters } from '../../formats/truth.js';

export type Preset = SynthParameters['difficulty'];
/** The fixed benchmarks: every image drawn from the same ranges. */
export type Difficulty = Exclude<Preset, 'wide'>;
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

/** The frame the default lengths are given for (the paper's 1008×888 images). */
export const REFERENCE_SIZE = { width: 1008, height: 888 } as const;

/** Dose–yield defaults: a typical acute low-LET (gamma) calibration curve. */
export const DEFAULT_YIELDS: SynthParameters['yields'] = {
  dicentric: { c: 0.001, alpha: 0.02, beta: 0.06 },
  fragmentWithDicentric: 0.8,
  excessFragment: { c: 0.01, alpha: 0.03, beta: 0.03 },
  ringPerDicentric: 0.05,
  tricentricProbability: 0.02,
};

type PresetRanges = Pick<SynthParameters, 'cell' | 'confounders' | 'optics'>;

const cell: SynthParameters['cell'] = {
  longestChromosomePx: [50, 125],
  chromosomeWidthPx: [12, 18],
  sisterGapPx: [0.6, 2],
  // the fixed benchmarks keep their sisters together, as they always were
  sisterSeparation: [0, 0],
  spreadDiameterPx: [400, 600],
  spreadAspect: [0.6, 1],
  spreadOffset: 0.5,
  bendDeg: 30,
  maleProbability: 0.5,
};

/**
 * The difficulty presets move confounders, blur, noise and contrast together:
 * easy is a clean, well-spread, high-contrast capture; hard is a blurred, noisy,
 * low-contrast one crowded with look-alikes.
 */
const PRESETS: Record<Difficulty, PresetRanges> = {
  easy: {
    cell: { ...cell, longestChromosomePx: [70, 125], bendDeg: 20 },
    confounders: {
      sharpBendProbability: 0.01,
      splayedProbability: 0.03,
      separatedProbability: 0,
      touchingPairsMean: 0,
      crossingPairsMean: 0,
      debrisMean: 3,
      nuclei: [0, 3],
      nucleusDiameterPx: [70, 270],
      hazeProbability: 0.2,
      labelProbability: 0.5,
    },
    optics: {
      backgroundGrey: [150, 235],
      contrast: [2.6, 3.8],
      blurSigmaPx: [0.7, 1],
      noiseSigma: [1.5, 3.5],
      illuminationGradient: 0.05,
      vignetting: 0.05,
      rgb: false,
      jpegQuality: null,
    },
  },
  medium: {
    cell,
    confounders: {
      sharpBendProbability: 0.04,
      splayedProbability: 0.08,
      separatedProbability: 0.02,
      touchingPairsMean: 0.8,
      crossingPairsMean: 0.5,
      debrisMean: 8,
      nuclei: [0, 8],
      nucleusDiameterPx: [70, 270],
      hazeProbability: 0.5,
      labelProbability: 0.7,
    },
    optics: {
      backgroundGrey: [90, 235],
      contrast: [2, 3.4],
      blurSigmaPx: [0.8, 1.5],
      noiseSigma: [3.5, 7],
      illuminationGradient: 0.12,
      vignetting: 0.12,
      rgb: false,
      jpegQuality: null,
    },
  },
  hard: {
    cell: { ...cell, longestChromosomePx: [45, 125], bendDeg: 40 },
    confounders: {
      sharpBendProbability: 0.08,
      splayedProbability: 0.15,
      separatedProbability: 0.05,
      touchingPairsMean: 2,
      crossingPairsMean: 1.5,
      debrisMean: 20,
      nuclei: [0, 12],
      nucleusDiameterPx: [70, 270],
      hazeProbability: 0.8,
      labelProbability: 0.8,
    },
    optics: {
      backgroundGrey: [90, 235],
      contrast: [1.7, 2.8],
      blurSigmaPx: [1.2, 2],
      noiseSigma: [5, 10],
      illuminationGradient: 0.2,
      vignetting: 0.2,
      rgb: false,
      jpegQuality: null,
    },
  },
};

/**
 * The training preset: each image draws its own capture (camera frame,
 * objective, stain, optics, artefacts), crowding and sister separation from
 * these ranges, around the medium difficulty's cell, so a detector meets many
 * laboratories' images rather than one generator's. Ranges from the real
 * references (test/fixtures/refs/real-metaphases).
 */
const WIDE: NonNullable<SynthParameters['wide']> = {
  frames: [
    [912, 732],
    [1008, 888],
    [1024, 768],
    [1280, 1024],
    [1360, 1024],
    [1392, 1040],
    [1440, 1024],
  ],
  chromosomeWidthPx: [8, 22],
  sisterSeparation: [0, 0.75],
  rgbProbability: 0.5,
  jpegProbability: 0.6,
  jpegQuality: [40, 95],
  blurSigmaPx: [0.6, 2.6],
  // Down to the references' dim stain (contrast 1.6–2.0) and their smoothed, almost
  // noiseless grey (σ 0.6), up to the noisy Metafer captures (σ 3.5–7, contrast 3.8).
  contrast: [1.5, 3.8],
  noiseSigma: [0.3, 7],
  illuminationGradient: [0, 0.35],
  touchingPairsMean: [0, 2.5],
  crossingPairsMean: [0, 2],
  targetContactProbability: [0.1, 0.8],
  nucleusInSpreadProbability: [0, 0.4],
  dustMean: [0, 4],
  scratchMean: [0, 1.5],
};

export interface ParameterRequest {
  readonly width: number;
  readonly height: number;
  /** A difficulty, or `wide` (then width, height, scale, rgb and jpegQuality are drawn per image). */
  readonly difficulty?: Preset;
  /** Length multiplier; default: shrink with frames smaller than 1008×888, never grow. */
  readonly scale?: number;
  readonly chromosomes?: number;
  readonly yields?: Partial<SynthParameters['yields']>;
  readonly rgb?: boolean;
  readonly jpegQuality?: number | null;
}

/** Expands a difficulty preset and explicit choices into the full parameter record. */
export function resolveSynthParameters(request: ParameterRequest): SynthParameters {
  const difficulty = request.difficulty ?? 'medium';
  const preset = PRESETS[difficulty === 'wide' ? 'medium' : difficulty];
  const scale =
    request.scale ??
    Math.min(1, request.width / REFERENCE_SIZE.width, request.height / REFERENCE_SIZE.height);
  return {
    width: request.width,
    height: request.height,
    scale,
    difficulty,
    chromosomes: request.chromosomes ?? 46,
    yields: { ...DEFAULT_YIELDS, ...request.yields },
    cell: preset.cell,
    confounders: preset.confounders,
    optics: {
      ...preset.optics,
      rgb: request.rgb ?? false,
      jpegQuality: request.jpegQuality ?? null,
    },
    ...(difficulty === 'wide' ? { wide: WIDE } : {}),
  };
}
