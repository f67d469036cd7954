import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectYield } from '../src/cores/dosimetry/calibration-curve.js';

const zeroCov = [
  [0, 0, 0],
  [0, 0, 0],
  [0, 0, 0],
];

test('a concave fitted curve is inverted at its first crossing (hand-solved root)', () => {
  // Y = 0.2 D − 0.02 D²: Y = 0.3 at D = 5 − √10 (rising side) and 5 + √10 (falling side).
  const curve = { coefficients: [0, 0.2, -0.02] as const, varCov: zeroCov };
  const dose = projectYield(curve, 0.3, 'estimate', { g: 1, confCurve: 0 });
  assert.ok(Math.abs(dose - (5 - Math.sqrt(10))) < 1e-9, `got ${dose}`);
});

test('a monotone curve keeps its single root: Y = 0.001 + 0.02 D + 0.06 D² at D = 2 Gy', () => {
  const curve = { coefficients: [0.001, 0.02, 0.06] as const, varCov: zeroCov };
  const yieldAt2 = 0.001 + 0.02 * 2 + 0.06 * 4;
  assert.ok(Math.abs(projectYield(curve, yieldAt2, 'estimate', { g: 1, confCurve: 0 }) - 2) < 1e-9);
});

test('a yield above the peak of a concave curve is refused as not invertible', () => {
  const curve = { coefficients: [0, 0.2, -0.02] as const, varCov: zeroCov };
  assert.throws(() => projectYield(curve, 0.6, 'estimate', { g: 1, confCurve: 0 }), {
    code: 'DCN_E_CURVE_NOT_INVERTIBLE',
  });
});
