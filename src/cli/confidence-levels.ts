import { DicentraError } from '../formats/dicentra-error.js';

/**
 * The confidence levels of `--ci` for a dose method: Merkle takes two
 * (yield, curve; default 83%–83%, about 95% overall), the others one (0.95).
 */
export function confidenceLevels(method: string, given: number[] | undefined): number[] {
  const defaults = method === 'merkle' ? [0.83, 0.83] : [0.95];
  const levels = given ?? defaults;
  if (levels.length !== defaults.length || levels.some((level) => !(level > 0 && level < 1))) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--ci for --method ${method} takes ${defaults.length === 2 ? 'two levels (yield,curve)' : 'one level'} in (0, 1)`,
      { field: '--ci', hint: `e.g. --ci ${defaults.join(',')}` },
    );
  }
  return levels;
}
