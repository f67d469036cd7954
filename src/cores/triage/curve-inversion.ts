import { bisect } from 'simple-statistics';
import {
  bandFactor,
  DOSE_SEARCH_INTERVAL,
  yieldAtDose,
  yieldVarianceAtDose,
  type BandOptions,
  type CalibrationCurve,
  type CurveBound,
} from '../dosimetry/calibration-curve.js';

const STEP = 0.05;

/**
 * `projectYield` for many yields on one curve and band: the doses where the
 * curve (or an edge of its band) first reaches a yield, with the same 0.05-Gy
 * bracket and bisection, but each bounding curve's running maximum on that
 * grid is tabulated once, so the bracket is found by binary search instead of a
 * scan. Triage looks after every cell, three projections a look. Returns
 * Infinity where the curve never reaches the yield below 100 Gy.
 */
export class CurveInversion {
  private readonly grids = new Map<CurveBound, Float64Array>();
  private readonly steps = Math.floor(DOSE_SEARCH_INTERVAL[1] / STEP);
  private readonly factor: number;

  constructor(
    private readonly curve: CalibrationCurve,
    private readonly band: BandOptions,
  ) {
    this.factor = bandFactor(curve, band.confCurve);
  }

  /** `boundingYield`, with the band factor (a χ² quantile) computed once. */
  private yieldOf(dose: number, bound: CurveBound): number {
    const estimate = yieldAtDose(this.curve, dose, this.band.g);
    if (bound === 'estimate') return estimate;
    const sigma = Math.sqrt(Math.max(0, yieldVarianceAtDose(this.curve, dose, this.band.g)));
    return bound === 'lower' ? estimate + this.factor * sigma : estimate - this.factor * sigma;
  }

  /** Running maximum of the bounding curve at 0, 0.05, …, 100 Gy. */
  private grid(bound: CurveBound): Float64Array {
    let grid = this.grids.get(bound);
    if (!grid) {
      grid = new Float64Array(this.steps + 1);
      let highest = -Infinity;
      for (let i = 0; i <= this.steps; i++) {
        highest = Math.max(
          highest,
          this.yieldOf(i === 0 ? DOSE_SEARCH_INTERVAL[0] : i * STEP, bound),
        );
        grid[i] = highest;
      }
      this.grids.set(bound, grid);
    }
    return grid;
  }

  dose(observedYield: number, bound: CurveBound): number {
    if (!(observedYield > this.yieldOf(0, bound))) return 0;
    const grid = this.grid(bound);
    if (!(grid[this.steps]! >= observedYield)) return Infinity;
    let low = 0;
    let high = this.steps;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (grid[mid]! >= observedYield) high = mid;
      else low = mid + 1;
    }
    if (low === 0) return DOSE_SEARCH_INTERVAL[0];
    const excess = (dose: number) => this.yieldOf(dose, bound) - observedYield;
    const from = low === 1 ? DOSE_SEARCH_INTERVAL[0] : (low - 1) * STEP;
    const to = low * STEP;
    if (excess(to) === 0) return to;
    return bisect(excess, from, to, 200, 1e-12);
  }
}
