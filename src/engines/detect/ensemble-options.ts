import { DicentraError } from '../../formats/dicentra-error.js';
import type { MemberSelection } from '../../cores/ensemble/member-selection.js';
import type { ClassTc } from './detect-images.js';

/** Parsers of the detector options (--members, --tc, --ta) shared by `detect`, `calibrate` and the queue worker. */

function invalid(flag: string, text: string, hint: string): DicentraError {
  return new DicentraError('DCN_E_OPTION_INVALID', `${flag}: cannot read "${text}"`, {
    field: flag,
    hint,
  });
}

/** `all`, `last:K`, `epochs:E1,E2,…` or `random:K[:SEED]`. */
export function parseMemberSelection(text: string): MemberSelection {
  const hint = 'use all, last:10, epochs:51,60,75 or random:10:7 (K members, seed 7)';
  const [mode, ...rest] = text.split(':');
  const integer = (value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isInteger(n) || n < 1)
      throw invalid('--members', text, hint);
    return n;
  };
  if (mode === 'all' && rest.length === 0) return { mode: 'all' };
  if (mode === 'last' && rest.length === 1) return { mode: 'last', count: integer(rest[0]) };
  if (mode === 'epochs' && rest.length === 1)
    return { mode: 'epochs', epochs: rest[0]!.split(',').map((e) => integer(e.trim())) };
  if (mode === 'random' && (rest.length === 1 || rest.length === 2)) {
    const seed = rest.length === 2 ? Number(rest[1]) : 1;
    if (!Number.isInteger(seed)) throw invalid('--members', text, hint);
    return { mode: 'random', count: integer(rest[0]), seed };
  }
  throw invalid('--members', text, hint);
}

/**
 * A per-class value: one for all classes (`0.5`) or `class=value` pairs
 * (`dicentric=0.5,fragment=0.6`); classes not named keep `fallback`.
 */
export function parsePerClass<T>(
  flag: string,
  text: string,
  classes: readonly string[],
  parseValue: (value: string) => T | null,
  fallback: T,
  hint: string,
): Record<string, T> {
  const result = Object.fromEntries(classes.map((name) => [name, fallback])) as Record<string, T>;
  if (!text.includes('=')) {
    const value = parseValue(text.trim());
    if (value === null) throw invalid(flag, text, hint);
    for (const name of classes) result[name] = value;
    return result;
  }
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!name || value === undefined || !classes.includes(name)) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `${flag}: "${part}" names no class of the bundle (${classes.join(', ')})`,
        { field: flag, hint },
      );
    }
    const parsed = parseValue(value);
    if (parsed === null) throw invalid(flag, text, hint);
    result[name] = parsed;
  }
  return result;
}

/** T_C: one number for every class, or per class (`dicentric=0.5,fragment=0.6`). */
export function parseTc(text: string, classes: readonly string[]): Record<string, ClassTc> {
  return parsePerClass<ClassTc>(
    '--tc',
    text,
    classes,
    (value) => {
      const tc = Number(value);
      return value !== '' && tc >= 0 && tc < 1 ? { kind: 'fixed', tc } : null;
    },
    { kind: 'fixed', tc: 0.5 },
    'a number in [0, 1), or per class: dicentric=0.5,fragment=0.6',
  );
}

export function parseTa(
  text: string,
  classes: readonly string[],
  members: number,
): Record<string, number> {
  const ta = parsePerClass<number>(
    '--ta',
    text,
    classes,
    (value) => {
      const n = Number(value);
      return value !== '' && Number.isInteger(n) && n >= 0 ? n : null;
    },
    0,
    'an integer ≥ 0, or per class: dicentric=4,fragment=3',
  );
  for (const [name, value] of Object.entries(ta)) {
    if (value >= members) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `--ta ${value} for class ${name}: with ${members} members S ≤ ${members}, and D = S > T_A needs T_A < ${members}`,
        { field: '--ta', hint: `choose --ta in 0..${members - 1}, or select more members` },
      );
    }
  }
  return ta;
}
