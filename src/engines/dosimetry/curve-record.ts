import { generaliseCurve, type CalibrationCurve } from '../../cores/dosimetry/calibration-curve.js';
import type { CurveFit, FamilyChoice } from '../../cores/dosimetry/curve-fit.js';
import { CURVE_FORMAT_VERSION, type CurveFile } from '../../formats/curve.js';
import type { CalibrationTable } from '../../formats/count-table.js';

/** The curve.json record of a fit and the table it came from. */
export function curveRecord(
  fit: CurveFit,
  familyChoice: FamilyChoice,
  table: CalibrationTable,
  provenance: NonNullable<CurveFile['provenance']>,
  irradiation?: CurveFile['irradiation'],
): CurveFile {
  return {
    version: CURVE_FORMAT_VERSION,
    aberration: 'dicentric',
    model: fit.model,
    family: fit.family,
    familyChoice,
    method: fit.method,
    coefficients: fit.coefficients.map((row) => ({ ...row })),
    varCov: fit.varCov,
    correlation: fit.correlation.map((row) =>
      row.map((value) => (Number.isFinite(value) ? value : null)),
    ),
    dispersion: fit.dispersion,
    pearsonDispersion: fit.pearsonDispersion,
    statistics: { ...fit.statistics },
    countTable: {
      layout: table.layout,
      rows: table.groups.map((group) => ({
        doseGy: group.doseGy,
        cells: group.cells,
        aberrations: group.aberrations,
        ...(group.distribution ? { distribution: [...group.distribution] } : {}),
      })),
    },
    warnings: [...fit.warnings],
    provenance,
    ...(irradiation ? { irradiation } : {}),
  };
}

/** The curve as the estimators use it (three terms, zero-padded). */
export function calibrationCurveOf(file: CurveFile): CalibrationCurve {
  return generaliseCurve(
    file.coefficients.map((row) => row.estimate),
    file.varCov,
  );
}
