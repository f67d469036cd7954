import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProcrustes, fitProcrustes } from '../src/cores/dynamics/procrustes.js';
import { SeededRandom } from '../src/cores/seeded-random.js';

const ROWS = 30;
const DIMS = 3;

/** Rotation by θ about z, then the reflection z ↦ −z: orthogonal with det −1. */
function rotationWithReflection(theta: number): number[][] {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return [
    [c, -s, 0],
    [s, c, 0],
    [0, 0, -1],
  ];
}

function transform(
  data: Float64Array,
  rotation: number[][],
  scale: number,
  shift: number[],
): Float64Array {
  const out = new Float64Array(data.length);
  for (let r = 0; r < ROWS; r++) {
    for (let j = 0; j < DIMS; j++) {
      let sum = 0;
      for (let i = 0; i < DIMS; i++) sum += data[r * DIMS + i]! * rotation[i]![j]!;
      out[r * DIMS + j] = scale * sum + shift[j]!;
    }
  }
  return out;
}

const random = new SeededRandom(11);
const source = Float64Array.from({ length: ROWS * DIMS }, () => random.normal(0, 2));

test('Procrustes recovers a known rotation with reflection, scale and shift', () => {
  const rotation = rotationWithReflection(0.7);
  // reference = 2.5 · source · Q + t: aligning source onto it must find Q and 2.5 exactly
  const reference = transform(source, rotation, 2.5, [1, -3, 0.5]);
  const fit = fitProcrustes(source, reference, ROWS, DIMS, { scale: true });
  for (let i = 0; i < DIMS; i++) {
    for (let j = 0; j < DIMS; j++) {
      assert.ok(Math.abs(fit.rotation[i * DIMS + j]! - rotation[i]![j]!) < 1e-9, `R[${i}][${j}]`);
    }
  }
  assert.ok(Math.abs(fit.scale - 2.5) < 1e-9);
  // the residual comes from a closed form with cancellation: ~1e-8 is its floor
  assert.ok(fit.residual < 1e-6);
  const aligned = applyProcrustes(fit, source, ROWS, DIMS);
  aligned.forEach((value, i) =>
    assert.ok(Math.abs(value - reference[i]!) < 1e-9, `row value ${i}`),
  );
});

test('Procrustes without scale keeps unit scale and reports the misfit the scale leaves', () => {
  const rotation = rotationWithReflection(-1.2);
  const reference = transform(source, rotation, 2, [0, 0, 0]);
  const fit = fitProcrustes(source, reference, ROWS, DIMS, { scale: false });
  assert.equal(fit.scale, 1);
  for (let i = 0; i < DIMS; i++) {
    for (let j = 0; j < DIMS; j++) {
      assert.ok(Math.abs(fit.rotation[i * DIMS + j]! - rotation[i]![j]!) < 1e-9);
    }
  }
  // ‖A·Q − 2·A·Q‖ / ‖2·A·Q‖ = 1/2 exactly
  assert.ok(Math.abs(fit.residual - 0.5) < 1e-9);
});

test('a fitted transform moves new points the same way as the fitted ones', () => {
  const rotation = rotationWithReflection(2.1);
  const reference = transform(source, rotation, 0.4, [5, 5, 5]);
  const fit = fitProcrustes(source, reference, ROWS, DIMS, { scale: true });
  // a point not in the fit, transformed by the known map
  const fresh = new Float64Array([0.3, -1, 2]);
  const expected = [0, 1, 2].map(
    (j) => 0.4 * [0, 1, 2].reduce((sum, i) => sum + fresh[i]! * rotation[i]![j]!, 0) + 5,
  );
  const moved = applyProcrustes(fit, fresh, 1, DIMS);
  expected.forEach((value, j) => assert.ok(Math.abs(moved[j]! - value) < 1e-9));
});
