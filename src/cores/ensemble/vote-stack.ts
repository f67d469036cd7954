import { buildPixelSet, type PixelSet } from './pixel-set.js';

/**
 * The M member heatmaps of one class of one image, kept only where they can
 * vote: at the active pixels (some member's value above `floor`), every
 * member's value is stored; elsewhere every member is ≤ floor, so no member
 * votes for any T_C ≥ floor.
 */
export interface VoteStack {
  readonly set: PixelSet;
  readonly memberCount: number;
  /** `values[p * memberCount + j]`: member j's heatmap value at active pixel p. */
  readonly values: Float32Array;
  readonly floor: number;
}

/**
 * S = Σ_j [φ_j > T_C,j] at every active pixel (eq. 6; strict: a value equal to
 * its threshold does not vote). `memberTc` holds one T_C per member.
 */
export function countVotes(stack: VoteStack, memberTc: readonly number[]): Uint16Array {
  const { memberCount: m, values } = stack;
  if (memberTc.length !== m) throw new RangeError(`need ${m} thresholds, got ${memberTc.length}`);
  for (const tc of memberTc) {
    if (tc < stack.floor) {
      throw new RangeError(
        `T_C ${tc} is below the stack floor ${stack.floor}; rebuild with a lower floor`,
      );
    }
  }
  const n = stack.set.pixels.length;
  const votes = new Uint16Array(n);
  for (let p = 0; p < n; p++) {
    let s = 0;
    for (let j = 0; j < m; j++) if (values[p * m + j]! > memberTc[j]!) s++;
    votes[p] = s;
  }
  return votes;
}

/** D = 1[S > T_A] (eq. 7, strict): with T_A = 0 a single vote detects. */
export function decide(
  votes: Uint16Array,
  ta: number,
  out = new Uint8Array(votes.length),
): Uint8Array {
  for (let p = 0; p < votes.length; p++) out[p] = votes[p]! > ta ? 1 : 0;
  return out;
}

/**
 * Builds the stack of one class from sparse per-member heatmaps (pixel indices
 * on the cropped grid with their values; a pixel a member does not list is
 * ≤ `floor` for that member and is stored as 0).
 */
export function voteStackFromSparse(
  members: readonly { readonly pixels: ArrayLike<number>; readonly values: ArrayLike<number> }[],
  grid: { width: number; height: number },
  floor: number,
): VoteStack {
  const m = members.length;
  const position = new Int32Array(grid.width * grid.height).fill(-1);
  for (const member of members) {
    for (let i = 0; i < member.pixels.length; i++) position[member.pixels[i]!] = 0;
  }
  const active: number[] = [];
  for (let index = 0; index < position.length; index++) {
    if (position[index] === 0) {
      position[index] = active.length;
      active.push(index);
    }
  }
  const values = new Float32Array(active.length * m);
  members.forEach((member, j) => {
    for (let i = 0; i < member.pixels.length; i++) {
      values[position[member.pixels[i]!]! * m + j] = member.values[i]!;
    }
  });
  return {
    set: buildPixelSet(grid.width, grid.height, Int32Array.from(active)),
    memberCount: m,
    values,
    floor,
  };
}
