/**
 * A 3×5 pixel digit font for the frame-number box that capture software burns
 * into a corner of each frame. Each digit is five rows of three bits.
 */
const DIGITS: Record<string, readonly number[]> = {
  '0': [0b111, 0b101, 0b101, 0b101, 0b111],
  '1': [0b010, 0b110, 0b010, 0b010, 0b111],
  '2': [0b111, 0b001, 0b111, 0b100, 0b111],
  '3': [0b111, 0b001, 0b011, 0b001, 0b111],
  '4': [0b101, 0b101, 0b111, 0b001, 0b001],
  '5': [0b111, 0b100, 0b111, 0b001, 0b111],
  '6': [0b111, 0b100, 0b111, 0b101, 0b111],
  '7': [0b111, 0b001, 0b010, 0b010, 0b010],
  '8': [0b111, 0b101, 0b111, 0b101, 0b111],
  '9': [0b111, 0b101, 0b111, 0b001, 0b111],
};

/** True when font pixel (column, row) of `digit` is ink. */
export function digitInk(digit: string, column: number, row: number): boolean {
  const rows = DIGITS[digit];
  if (!rows || row < 0 || row > 4 || column < 0 || column > 2) return false;
  return ((rows[row]! >> (2 - column)) & 1) === 1;
}
