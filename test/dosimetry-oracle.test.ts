import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { aberrationScore, drawAberrations } from '../src/cores/synth/dose-model.js';
import { DEFAULT_YIELDS } from '../src/cores/synth/synth-presets.js';
import { summariseDistribution } from '../src/cores/dosimetry/aberration-table.js';
import { generaliseCurve } from '../src/cores/dosimetry/calibration-curve.js';
import { cellDistribution } from '../src/cores/dosimetry/cell-counts.js';
import { fitDoseEffectCurve } from '../src/cores/dosimetry/curve-fit.js';
import { estimateWholeBodyDelta } from '../src/cores/dosimetry/whole-body-delta.js';
import { estimateWholeBodyMerkle } from '../src/cores/dosimetry/whole-body-merkle.js';

/**
 * The statistics chain with an oracle detector: the synthetic generator's own
 * per-cell dicentric score (dicentrics + 2 × tricentrics, exactly what truth.json
 * records), no images. Calibration at the paper's 12 doses, then persons at
 * doses drawn in 0–4 Gy with 200–500 cells each; the 95% dose intervals must
 * contain the true dose at the nominal rate. Each calibration is redrawn every
 * 40 persons so the curve's own uncertainty is part of what is tested.
 */
const DOSES = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1, 1.5, 2, 3, 4];
const CELLS_PER_DOSE = 1000;
const CALIBRATIONS = 50;
const PERSONS_PER_CALIBRATION = 40;

function cellScores(random: SeededRandom, doseGy: number, cells: number): number[] {
  return Array.from(
    { length: cells },
    () => aberrationScore(drawAberrations(random, doseGy, DEFAULT_YIELDS)).dicentric,
  );
}

test('oracle detector: dose intervals from truth counts cover the true dose (2,000 persons)', () => {
  let persons = 0;
  let merkleCovered = 0;
  let deltaCovered = 0;
  let sumError = 0;
  let sumSquared = 0;
  for (let c = 0; c < CALIBRATIONS; c++) {
    const groups = DOSES.map((doseGy, i) => {
      const distribution = cellDistribution(
        cellScores(new SeededRandom(7, c, i), doseGy, CELLS_PER_DOSE),
      );
      const summary = summariseDistribution(distribution);
      return { doseGy, cells: summary.cells, aberrations: summary.aberrations, distribution };
    });
    const fit = fitDoseEffectCurve(groups, { model: 'lq', family: 'automatic' });
    const curve = generaliseCurve(
      fit.coefficients.map((row) => row.estimate),
      fit.varCov,
    );
    for (let p = 0; p < PERSONS_PER_CALIBRATION; p++) {
      const random = new SeededRandom(11, c, p);
      const dose = random.between(0, 4);
      const cells = random.integer(200, 500);
      const summary = summariseDistribution(cellDistribution(cellScores(random, dose, cells)));
      const merkle = estimateWholeBodyMerkle(curve, summary, {
        confYield: 0.83,
        confCurve: 0.83,
        g: 1,
      });
      const delta = estimateWholeBodyDelta(curve, summary, { conf: 0.95, g: 1 });
      if (merkle.dose.lower <= dose && dose <= merkle.dose.upper) merkleCovered++;
      if (delta.dose.lower <= dose && dose <= delta.dose.upper) deltaCovered++;
      const error = merkle.dose.estimate - dose;
      sumError += error;
      sumSquared += error * error;
      persons++;
    }
  }
  const merkle = merkleCovered / persons;
  const delta = deltaCovered / persons;
  const bias = sumError / persons;
  const rmse = Math.sqrt(sumSquared / persons);
  // Binomial SE of a 95% coverage over 2,000 persons: 0.0049.
  // Measured (this seed): Merkle 83%–83% 0.972, delta 0.937, bias −0.009 Gy, RMSE 0.118 Gy.
  // Merkle's 83%–83% is conservative by construction (it targets non-overlap, not coverage);
  // the delta method's normal yield interval under-covers near 0 Gy, where few dicentrics are seen.
  assert.ok(merkle >= 0.95 && merkle <= 0.99, `Merkle coverage ${merkle}`);
  assert.ok(Math.abs(delta - 0.95) <= 0.02, `delta coverage ${delta}`);
  assert.ok(Math.abs(bias) < 0.02, `bias ${bias} Gy`);
  // at 200–500 cells the Poisson error of a 0–4 Gy dose is ~0.05–0.2 Gy
  assert.ok(rmse > 0.05 && rmse < 0.2, `RMSE ${rmse} Gy`);
});
