import type { BundleMember } from '../../formats/bundle.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { selectMembers, type MemberSelection } from '../../cores/ensemble/member-selection.js';

/**
 * The members a selection picks from a bundle; `last:K` with K above the
 * bundle's size takes them all. A selection the bundle cannot satisfy is an
 * error on option `flag` (given as `text`).
 */
export function chooseMembers(
  members: readonly BundleMember[],
  selection: MemberSelection,
  flag: string,
  text: string,
): BundleMember[] {
  try {
    return selectMembers(
      members,
      selection.mode === 'last'
        ? { mode: 'last', count: Math.min(selection.count, members.length) }
        : selection,
    );
  } catch (error) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `${flag} ${text}: ${(error as Error).message}`,
      {
        field: flag,
        hint: 'see the epochs listed in bundle.json',
      },
    );
  }
}
