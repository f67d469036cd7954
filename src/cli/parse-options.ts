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
