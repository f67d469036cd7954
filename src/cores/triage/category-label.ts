import { DicentraError } from '../../formats/dicentra-error.js';

/** Category thresholds as typed (`1,2`): ascending doses above 0 Gy. */
export function parseThresholds(text: string): number[] {
  const values = text.split(',').map((part) => (part.trim() === '' ? NaN : Number(part)));
  const ascending = values.every((value, i) => i === 0 || value > values[i - 1]!);
  if (!ascending || values.some((value) => !(value > 0 && value <= 100))) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--thresholds must be ascending doses in (0, 100] Gy, got "${text}"`,
      { field: '--thresholds', hint: 'e.g. --thresholds 1,2 (categories < 1, 1–2, > 2 Gy)' },
    );
  }
  return values;
}

/** A care category's name from the thresholds: "< 1 Gy", "1–2 Gy", "> 2 Gy". */
export function categoryLabel(category: number, thresholds: readonly number[]): string {
  if (category === 0) return `< ${thresholds[0]} Gy`;
  if (category >= thresholds.length) return `> ${thresholds[thresholds.length - 1]} Gy`;
  return `${thresholds[category - 1]}–${thresholds[category]} Gy`;
}
