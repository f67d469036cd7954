import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureMetaphase } from '../src/cores/qc/measure-metaphase.js';
import { generateCell } from '../src/cores/synth/generate-cell.js';
import { renderCell } from '../src/cores/synth/render-cell.js';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { cellCounts } from '../src/cores/synth/cell-truth.js';

const SIZE = 400;

/** A light frame with dark bars (6×30 px) and discs drawn in by hand: the truth is the drawing. */
function frame(
  bars: readonly [number, number][],
  discs: readonly [number, number, number][] = [],
): Float32Array {
  const grey = new Float32Array(SIZE * SIZE).fill(220);
  for (const [x0, y0] of bars) {
    for (let y = y0; y < y0 + 30; y++) for (let x = x0; x < x0 + 6; x++) grey[y * SIZE + x] = 60;
  }
  for (const [cx, cy, r] of discs) {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++)
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) grey[y * SIZE + x] = 90;
    }
  }
  return grey;
}

/** 24 bars on a 6×4 grid, 40 px apart, in the middle of the frame. */
const GRID: [number, number][] = Array.from({ length: 24 }, (_, k) => [
  80 + (k % 6) * 40,
  100 + Math.floor(k / 6) * 50,
]);

test('separate bars are counted one each; none touch the border, no nucleus', () => {
  const m = measureMetaphase(frame(GRID), SIZE, SIZE);
  assert.equal(m.objects, 24);
  assert.equal(m.chromosomes, 24);
  assert.equal(m.borderObjects, 0);
  assert.equal(m.nuclei, 0);
  assert.equal(m.clusteredFraction, 0);
});

test('a bar cut by the frame edge is a border object; a dicentric point lifts its bar to two', () => {
  const m = measureMetaphase(frame([...GRID, [0, 20]]), SIZE, SIZE);
  assert.equal(m.objects, 25);
  assert.equal(m.borderObjects, 1);
  // a detected dicentric on a bar read as one chromosome makes it two (a dicentric counts twice)
  const lifted = measureMetaphase(frame(GRID), SIZE, SIZE, [[83, 115]]);
  assert.equal(lifted.chromosomes, 25);
  assert.equal(lifted.dicentricsAdded, 1);
});

test('a round blob is a nucleus, not chromosomes; inside the spread it lies over the spread', () => {
  const beside = measureMetaphase(frame(GRID, [[350, 350, 35]]), SIZE, SIZE);
  assert.equal(beside.nuclei, 1);
  assert.equal(beside.nucleiOverSpread, 0);
  assert.equal(beside.chromosomes, 24);
  const over = measureMetaphase(frame(GRID, [[200, 180, 45]]), SIZE, SIZE);
  assert.equal(over.nuclei, 1);
  assert.equal(over.nucleiOverSpread, 1);
});

test('on generated medium frames the count is within a few of the 46 centromeres the generator drew', () => {
  // Calibrated on 42 medium frames (docs/qc.md): mean error +0.3, mean absolute error 2.3, range
  // −4…+5. Touching pairs read as one, separated sisters and fragments as extra: a ±2 rule
  // alone is noisy, so the test holds the estimate to that measured spread, not to exactness.
  const params = resolveSynthParameters({ width: 1008, height: 888, difficulty: 'medium' });
  const errors: number[] = [];
  for (let index = 0; index < 8; index++) {
    const cell = generateCell(5, { index, doseRange: [0, 4], minAberrations: 0 }, params);
    const image = renderCell(cell, 5, false);
    const m = measureMetaphase(Float32Array.from(image.pixels), image.width, image.height);
    errors.push(m.chromosomes - cellCounts(cell).centromeres);
  }
  const absolute = errors.map(Math.abs).sort((a, b) => a - b);
  assert.ok(absolute[absolute.length >> 1]! <= 3, `median |error| ${absolute.join(',')}`);
  assert.ok(absolute[absolute.length - 1]! <= 8, `largest |error| ${absolute.join(',')}`);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  assert.ok(Math.abs(mean) <= 3, `mean error ${mean}`);
});
