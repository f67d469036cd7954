import type { SplitRatios } from '../cores/split-assignment.js';
import { Option } from 'commander';
import { DicentraError } from '../formats/dicentra-error.js';

/** Option parsers that fail with a DCN_E_OPTION_INVALID naming the flag. */

export function parseInteger(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} must be an integer in [${min}, ${max}], got "${text}"`,
        {
          field: flag,
          hint: `e.g. ${flag} ${min}`,
        },
      );
    }
    return value;
  };
}

export function parseNumber(flag: string, min = -Infinity, max = Infinity) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} must be a number in [${min}, ${max}], got "${text}"`,
        {
          field: flag,
        },
      );
    }
    return value;
  };
}

/** A number strictly between `low` and `high`, e.g. a test's error rate in (0, 0.5). */
export function parseNumberBetween(flag: string, low: number, high: number) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !(value > low && value < high)) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} must be a number in (${low}, ${high}), got "${text}"`,
        { field: flag },
      );
    }
    return value;
  };
}

/** A comma-separated list of numbers, e.g. `0.8,0.1,0.1`. */
export function parseNumberList(flag: string, min = -Infinity, max = Infinity) {
  return (text: string): number[] => {
    const parts = text.split(',').map((part) => part.trim());
    const values = parts.map(Number);
    if (
      parts.some((part) => part === '') ||
      values.some((v) => !Number.isFinite(v) || v < min || v > max)
    ) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} must be comma-separated numbers in [${min}, ${max}], got "${text}"`,
        {
          field: flag,
        },
      );
    }
    return values;
  };
}

/** Three ratios `train,val,test`, each in [0, 1], summing to 1 (within 1e-9). */
export function parseSplitRatios(flag: string) {
  const parseList = parseNumberList(flag, 0, 1);
  return (text: string): SplitRatios => {
    const values = parseList(text);
    const sum = values.reduce((total, value) => total + value, 0);
    if (values.length !== 3 || Math.abs(sum - 1) > 1e-9) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag} needs three ratios train,val,test in [0, 1] that sum to 1, got "${text}"` +
          (values.length === 3 ? ` (sum ${Number(sum.toPrecision(12))})` : ''),
        { field: flag, hint: `e.g. ${flag} 0.8,0.1,0.1` },
      );
    }
    return { train: values[0]!, val: values[1]!, test: values[2]! };
  };
}

/**
 * An option whose default is written as the user would type it (`1008x888`,
 * `0.8,0.1,0.1`): --help shows that text, and the value is the parsed text, so
 * the two cannot disagree.
 */
export function optionWithDefault<T>(
  flags: string,
  description: string,
  parse: (text: string) => T,
  defaultText: string,
): Option {
  return new Option(flags, description).argParser(parse).default(parse(defaultText), defaultText);
}
