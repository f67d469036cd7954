import {
  summariseDistribution,
  type AberrationSummary,
} from '../../cores/dosimetry/aberration-table.js';
import type { CalibrationCurve } from '../../cores/dosimetry/calibration-curve.js';
import {
  estimateHeterogeneousMixedPoisson,
  type HeterogeneousEstimate,
} from '../../cores/dosimetry/heterogeneous-mixed-poisson.js';
import {
  estimatePartialBodyDolphin,
  type PartialBodyEstimate,
} from '../../cores/dosimetry/partial-body-dolphin.js';
import { estimateWholeBodyDelta } from '../../cores/dosimetry/whole-body-delta.js';
import {
  estimateWholeBodyMerkle,
  type WholeBodyEstimate,
} from '../../cores/dosimetry/whole-body-merkle.js';
import type { CaseRow } from '../../formats/count-table.js';
import { DicentraError } from '../../formats/dicentra-error.js';

/** A dose method with its confidence level(s) and parameters. */
export type DoseMethod =
  | { readonly kind: 'merkle'; readonly confYield: number; readonly confCurve: number }
  | { readonly kind: 'delta'; readonly conf: number }
  | { readonly kind: 'dolphin'; readonly conf: number; readonly d0: number }
  | {
      readonly kind: 'mixed';
      readonly conf: number;
      readonly gamma: number;
      readonly gammaStdError: number;
    };

export type CaseEstimate = WholeBodyEstimate | PartialBodyEstimate | HeterogeneousEstimate;

/** The estimate a method gives. */
export type EstimateOf<M extends DoseMethod> = M['kind'] extends 'merkle' | 'delta'
  ? WholeBodyEstimate
  : M['kind'] extends 'dolphin'
    ? PartialBodyEstimate
    : M['kind'] extends 'mixed'
      ? HeterogeneousEstimate
      : CaseEstimate;

/** The dose of one case: its count table and the method's estimate. */
export interface CaseDose<E extends CaseEstimate = CaseEstimate> {
  readonly id: string;
  readonly distribution: readonly number[];
  readonly table: AberrationSummary;
  readonly estimate: E;
}

function estimate(
  curve: CalibrationCurve,
  row: CaseRow,
  table: AberrationSummary,
  method: DoseMethod,
  g: number,
): CaseEstimate {
  switch (method.kind) {
    case 'merkle':
      return estimateWholeBodyMerkle(curve, table, {
        confYield: method.confYield,
        confCurve: method.confCurve,
        g,
      });
    case 'delta':
      return estimateWholeBodyDelta(curve, table, { conf: method.conf, g });
    case 'dolphin':
      return estimatePartialBodyDolphin(curve, row.distribution, {
        conf: method.conf,
        g,
        d0: method.d0,
      });
    case 'mixed':
      return estimateHeterogeneousMixedPoisson(curve, row.distribution, {
        conf: method.conf,
        g,
        gamma: method.gamma,
        gammaStdError: method.gammaStdError,
      });
  }
}

/**
 * The dose of one case by `method` (G = `g`); an estimator's error names the
 * case and `file`, the input the case came from.
 */
export function estimateCaseDose<M extends DoseMethod>(
  curve: CalibrationCurve,
  row: CaseRow,
  method: M,
  g: number,
  file: string,
): CaseDose<EstimateOf<M>> {
  const table = summariseDistribution(row.distribution);
  try {
    return {
      id: row.id,
      distribution: row.distribution,
      table,
      // the switch in `estimate` pairs each method with its estimate's type
      estimate: estimate(curve, row, table, method, g) as EstimateOf<M>,
    };
  } catch (error) {
    if (error instanceof DicentraError && !error.file) {
      throw new DicentraError(error.code, `case "${row.id}": ${error.message}`, {
        file,
        field: `case ${row.id}`,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    throw error;
  }
}
