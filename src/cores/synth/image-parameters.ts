import type { SynthParameters } from '../../formats/truth.js';
import { SeededRandom } from '../seeded-random.js';
import { REFERENCE_SIZE } from './synth-presets.js';

/** The image's own stream for its drawn capture: SeededRandom(seed, index, WIDE_STREAM). */
export const WIDE_STREAM = 7;

/** Width of a typical chromosome at scale 1 (the middle of the presets' 12–18 px). */
const WIDTH_AT_SCALE_1 = 15;
/** The largest scale a frame holds a spread of 46 at (relative to 1008×888). */
const MAX_SCALE_PER_FRAME = 1.45;

/**
 * The parameters one image is generated with. A fixed difficulty: the run's
 * own. The `wide` preset: frame, scale, stain, optics, artefacts, crowding and
 * sister separation drawn from the image's own stream, each fixed to one value
 * (a range [v, v]), so the record alone regenerates the image.
 */
export function imageParameters(
  seed: number,
  index: number,
  params: SynthParameters,
): SynthParameters {
  const { wide, ...base } = params;
  if (!wide) return params;
  const random = new SeededRandom(seed, index, WIDE_STREAM);
  const fixed = (range: readonly [number, number]): [number, number] => {
    const value = random.between(range[0], range[1]);
    return [value, value];
  };
  const [width, height] = random.pick(wide.frames);
  const frameScale =
    MAX_SCALE_PER_FRAME * Math.min(width / REFERENCE_SIZE.width, height / REFERENCE_SIZE.height);
  const scale = Math.min(
    frameScale,
    random.between(wide.chromosomeWidthPx[0], wide.chromosomeWidthPx[1]) / WIDTH_AT_SCALE_1,
  );
  const o = params.optics;
  const gray = fixed(o.backgroundGrey);
  const contrast = fixed(wide.contrast ?? o.contrast);
  const blur = fixed(wide.blurSigmaPx);
  const noise = fixed(wide.noiseSigma ?? o.noiseSigma);
  const illumination = random.between(wide.illuminationGradient[0], wide.illuminationGradient[1]);
  const rgb = random.chance(wide.rgbProbability);
  const jpeg = random.chance(wide.jpegProbability);
  const quality = Math.round(random.between(wide.jpegQuality[0], wide.jpegQuality[1]));
  const c = params.confounders;
  const draw = (range: readonly [number, number]) => random.between(range[0], range[1]);
  return {
    ...base,
    width,
    height,
    scale,
    cell: { ...base.cell, sisterSeparation: fixed(wide.sisterSeparation) },
    confounders: {
      ...c,
      touchingPairsMean: draw(wide.touchingPairsMean),
      crossingPairsMean: draw(wide.crossingPairsMean),
      targetContactProbability: draw(wide.targetContactProbability),
      nucleusInSpreadProbability: draw(wide.nucleusInSpreadProbability),
      dustMean: draw(wide.dustMean),
      scratchMean: draw(wide.scratchMean),
    },
    optics: {
      ...o,
      backgroundGrey: gray,
      contrast,
      blurSigmaPx: blur,
      noiseSigma: noise,
      illuminationGradient: illumination,
      rgb,
      jpegQuality: jpeg ? quality : null,
    },
  };
}
