/**
 * Morphological opening of a binary mask by a `side`×`side` square: what is
 * left is every place such a square fits inside the mask. A thin object (a
 * chromosome, however it is turned, when `side` exceeds its width) vanishes;
 * a broad one (a nucleus) keeps its shape. Erosion and dilation are
 * separable, each a row pass and a column pass over running sums.
 */
export function squareOpening(
  mask: Uint8Array,
  width: number,
  height: number,
  side: number,
): Uint8Array {
  const eroded = separable(mask, width, height, side, true);
  return separable(eroded, width, height, side, false);
}

/** Binary dilation by a `side`×`side` square. */
export function squareDilation(
  mask: Uint8Array,
  width: number,
  height: number,
  side: number,
): Uint8Array {
  return separable(mask, width, height, side, false);
}

function separable(
  mask: Uint8Array,
  width: number,
  height: number,
  side: number,
  erode: boolean,
): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) pass(mask, rows, y * width, 1, width, side, erode);
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) pass(rows, out, x, width, height, side, erode);
  return out;
}

/** One line: erosion keeps a pixel whose window is all set; dilation sets it when any is. */
function pass(
  input: Uint8Array,
  output: Uint8Array,
  start: number,
  stride: number,
  length: number,
  side: number,
  erode: boolean,
): void {
  const before = Math.floor((side - 1) / 2);
  const after = side - 1 - before;
  const prefix = new Int32Array(length + 1);
  for (let k = 0; k < length; k++) prefix[k + 1] = prefix[k]! + (input[start + k * stride] ? 1 : 0);
  for (let k = 0; k < length; k++) {
    // erosion's window is centred; dilation's is mirrored, so opening returns shapes in place
    const lo = erode ? k - before : k - after;
    const hi = erode ? k + after : k + before;
    const set = prefix[Math.min(length, hi + 1)]! - prefix[Math.max(0, lo)]!;
    // beyond the frame counts as set: a nucleus cut by the edge keeps its cut side
    const inFrame = Math.min(length - 1, hi) - Math.max(0, lo) + 1;
    output[start + k * stride] = (erode ? set === inFrame : set > 0) ? 1 : 0;
  }
}
