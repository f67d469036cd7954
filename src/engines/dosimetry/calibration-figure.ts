import type { TopLevelSpec } from 'vega-lite';
import {
  bandFactor,
  yieldAtDose,
  yieldVarianceAtDose,
  type CalibrationCurve,
} from '../../cores/dosimetry/calibration-curve.js';
import type { DoseGroup } from '../../formats/count-table.js';
import { exactPoissonLimits } from '../../cores/dosimetry/whole-body-merkle.js';
import { renderVegaLiteSvg } from '../figures/render-plot.js';

export interface CalibrationFigure {
  /** The automated (primary ensemble) curve. */
  readonly curve: CalibrationCurve;
  readonly groups: readonly DoseGroup[];
  /** The sub-ensembles' curves (thin lines: the detector's spread). */
  readonly subCurves: readonly CalibrationCurve[];
  /** The curve to compare with (manual scoring, or the generator's truth), if any. */
  readonly reference: { readonly label: string; readonly curve: CalibrationCurve } | null;
  readonly title: string;
}

const GRID_STEPS = 80;

/**
 * The paper's Fig. 10 for one calibration: yield against dose for the
 * automated curve with its 95% simultaneous band, the observed yields with
 * exact Poisson 95% limits, the sub-ensembles' curves, and the reference curve.
 */
export function calibrationFigureSpec(figure: CalibrationFigure): TopLevelSpec {
  const maxDose = Math.max(...figure.groups.map((g) => g.doseGy), 0.1);
  const r = bandFactor(figure.curve, 0.95);
  const doses = Array.from({ length: GRID_STEPS + 1 }, (_, i) => (maxDose * i) / GRID_STEPS);
  const lines: Record<string, unknown>[] = [];
  const band = doses.map((dose) => {
    const y = yieldAtDose(figure.curve, dose);
    const se = Math.sqrt(Math.max(0, yieldVarianceAtDose(figure.curve, dose)));
    return { dose, low: Math.max(0, y - r * se), high: y + r * se };
  });
  const addLine = (series: string, curve: CalibrationCurve, member = series) =>
    doses.forEach((dose) => lines.push({ dose, yield: yieldAtDose(curve, dose), series, member }));
  figure.subCurves.forEach((curve, k) => addLine('sub-ensembles', curve, `sub-${k}`));
  addLine('automated (ensemble)', figure.curve);
  if (figure.reference) addLine(figure.reference.label, figure.reference.curve);
  const points = figure.groups.map((group) => {
    const [low, high] = exactPoissonLimits(group.aberrations, 0.95);
    return {
      dose: group.doseGy,
      yield: group.aberrations / group.cells,
      low: low / group.cells,
      high: high / group.cells,
      cells: group.cells,
    };
  });
  const series = [
    'sub-ensembles',
    'automated (ensemble)',
    ...(figure.reference ? [figure.reference.label] : []),
  ];
  const colours = ['#bbbbbb', '#1f77b4', ...(figure.reference ? ['#000000'] : [])];
  const x = { field: 'dose', type: 'quantitative', title: 'dose (Gy)' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: figure.title,
    width: 420,
    height: 300,
    layer: [
      {
        data: { values: band },
        mark: { type: 'area', opacity: 0.2, color: '#1f77b4' },
        encoding: {
          x,
          y: { field: 'low', type: 'quantitative', title: 'dicentrics per cell' },
          y2: { field: 'high' },
        },
      },
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'yield', type: 'quantitative' },
          detail: { field: 'member', type: 'nominal' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: series, range: colours },
          },
          opacity: {
            condition: { test: "datum.series === 'sub-ensembles'", value: 0.35 },
            value: 1,
          },
        },
      },
      {
        data: { values: points },
        mark: { type: 'rule', color: '#1f77b4' },
        encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, color: '#1f77b4', size: 30 },
        encoding: {
          x,
          y: { field: 'yield', type: 'quantitative' },
          tooltip: [{ field: 'cells', type: 'quantitative' }],
        },
      },
    ],
  };
}

export function renderCalibrationFigure(figure: CalibrationFigure): Promise<string> {
  return renderVegaLiteSvg(calibrationFigureSpec(figure));
}
