import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import {
  METRICS_FORMAT_VERSION,
  writeMetricsFile,
  type ClassMetrics,
  type Metrics,
  type MetricsFamilyPoint,
} from '../../formats/metrics.js';
import { provenanceNow } from '../../formats/provenance.js';
import type { Interval } from '../../cores/metrics/quantile.js';
import {
  curveOverTc,
  familyPoint,
  matchPrecision,
  surface,
} from '../../cores/metrics/paper-table.js';
import { reliabilityBins, sweepCounts } from '../../cores/metrics/threshold-sweep.js';
import { subEnsembles, type PreparedBundle } from './evaluate-bundle.js';
import { renderVegaLiteSvg } from '../figures/render-plot.js';

export interface EvaluationSettings {
  readonly tcGrid: readonly number[];
  /** Single-checkpoint T_C of the table (the paper: 0.6). */
  readonly singleTc: number;
  /** The paper's ensemble point (T_C 0.5, T_A 4), reported beside the matched one. */
  readonly paperTc: number;
  readonly paperTa: number;
  /** T_A of the ensemble curves over T_C. */
  readonly curveTa: number;
  readonly subEnsembleSize: number;
  readonly subEnsembleCount: number;
  readonly seed: number;
}

type TableRow = ClassMetrics['table'][number];
type ReliabilityBin = ClassMetrics['reliability']['bins'][number];

/** Figure data rows, across classes. */
interface FigureRows {
  readonly curves: Record<string, unknown>[];
  readonly surface: Record<string, unknown>[];
  readonly reliability: Record<string, unknown>[];
}

function gridIndex(grid: readonly number[], value: number): number {
  const k = grid.findIndex((v) => Math.abs(v - value) < 1e-9);
  if (k < 0) throw new RangeError(`T_C ${value} is not in the grid`);
  return k;
}

const percent = (interval: Interval | null) =>
  interval
    ? `${(100 * interval.median).toFixed(1)}% [${(100 * interval.q05).toFixed(1)} – ${(100 * interval.q95).toFixed(1)}]`
    : 'n/a';

/** The families a class is evaluated over: each checkpoint alone, and random sub-ensembles. */
interface Families {
  readonly settings: EvaluationSettings;
  readonly size: number;
  readonly subsets: number[][];
  readonly taValues: number[];
  readonly kSingle: number;
  readonly kPaper: number;
}

function familiesOf(model: PreparedBundle, settings: EvaluationSettings): Families {
  const size = Math.min(settings.subEnsembleSize, model.members.length);
  return {
    settings,
    size,
    subsets: subEnsembles(model.members.length, size, settings.subEnsembleCount, settings.seed),
    taValues: Array.from({ length: size }, (_, t) => t),
    kSingle: gridIndex(settings.tcGrid, settings.singleTc),
    kPaper: gridIndex(settings.tcGrid, settings.paperTc),
  };
}

/** Every checkpoint alone, at every T_C (T_A 0). */
function singles(prepared: PreparedBundle, c: number, tcGrid: readonly number[]) {
  return sweepCounts(
    prepared.items[c]!,
    prepared.members.map((_, j) => [j]),
    tcGrid,
    [0],
  );
}

/** Precision of the detections of the sub-ensembles at (T_C, 0), by their votes. */
function reliabilityOf(
  model: PreparedBundle,
  c: number,
  f: Families,
  tc: number,
): ReliabilityBin[] {
  const bins = reliabilityBins(model.items[c]!, f.subsets, tc, 0);
  return bins.detections.flatMap((n, votes) =>
    votes === 0
      ? []
      : [
          {
            votes,
            voteFraction: votes / f.size,
            tp: bins.correct[votes]!,
            fp: n - bins.correct[votes]!,
            precision: n > 0 ? bins.correct[votes]! / n : null,
          },
        ],
  );
}

/**
 * One class: the single checkpoints (Model A, Model B), the ensemble's whole
 * (T_C, T_A) surface, its precision-matched and paper operating points, the
 * curves over T_C and the vote reliability.
 */
function evaluateClass(
  model: PreparedBundle,
  baseline: PreparedBundle | null,
  c: number,
  f: Families,
): ClassMetrics {
  const { settings, size } = f;
  const singleB = singles(model, c, settings.tcGrid);
  const singleA = baseline ? singles(baseline, c, settings.tcGrid) : null;
  const ensemble = sweepCounts(model.items[c]!, f.subsets, settings.tcGrid, f.taValues);
  const curveTa = Math.min(settings.curveTa, size - 1);
  const paperTa = Math.min(settings.paperTa, size - 1);
  const points = surface(ensemble);
  const pointB = familyPoint(singleB, f.kSingle, 0);
  const matched = (pointB.precision && matchPrecision(points, pointB.precision.median)) || {
    point: familyPoint(ensemble, f.kPaper, paperTa),
    matched: false,
  };
  const ensembleOver = `${f.subsets.length} random ensembles of ${size}`;
  const table: TableRow[] = [
    ...(singleA
      ? [
          {
            label: 'Model A (baseline)',
            ...familyPoint(singleA, f.kSingle, 0),
            ta: null,
            over: `${baseline!.members.length} last checkpoints`,
          },
        ]
      : []),
    {
      label: baseline ? 'Model B' : 'Single checkpoint',
      ...pointB,
      ta: null,
      over: `${model.members.length} last checkpoints`,
    },
    {
      label: matched.matched
        ? 'Ensemble (precision matched)'
        : "Ensemble (most precise; Model B's precision not reached)",
      ...matched.point,
      over: ensembleOver,
    },
    {
      label: 'Ensemble (paper point)',
      ...familyPoint(ensemble, f.kPaper, paperTa),
      over: ensembleOver,
    },
  ];
  return {
    table,
    operatingPoint: {
      tc: matched.point.tc,
      ta: matched.point.ta,
      precisionMatched: matched.matched,
    },
    curves: {
      modelA: singleA ? curveOverTc(singleA, 0) : null,
      modelB: curveOverTc(singleB, 0),
      ensemble: curveOverTc(ensemble, curveTa),
    },
    curveTa,
    surface: points,
    reliability: {
      tc: matched.point.tc,
      ta: 0,
      bins: reliabilityOf(model, c, f, matched.point.tc),
    },
  };
}

/** The class's section of tables.md: the paper's table and the vote reliability. */
function classTable(name: string, metrics: ClassMetrics, size: number): string[] {
  return [
    `### ${name}`,
    '',
    '| | T_C | T_A | Precision [q5 – q95] | Recall [q5 – q95] | interval over |',
    '|---|---|---|---|---|---|',
    ...metrics.table.map(
      (row) =>
        `| ${row.label} | ${row.tc} | ${row.ta ?? '–'} | ${percent(row.precision)} | ${percent(row.recall)} | ${row.over} |`,
    ),
    '',
    `Reliability (ensembles of ${size}, T_C = ${metrics.reliability.tc}, T_A = 0): precision of detections by their votes`,
    '',
    '| votes | vote fraction | detections | correct | precision |',
    '|---|---|---|---|---|',
    ...metrics.reliability.bins.map(
      (r) =>
        `| ${r.votes} | ${r.voteFraction.toFixed(2)} | ${r.tp + r.fp} | ${r.tp} | ${r.precision === null ? 'n/a' : (100 * r.precision).toFixed(1) + '%'} |`,
    ),
    '',
  ];
}

/** The class's rows of the three figures. */
function addFigureRows(
  rows: FigureRows,
  name: string,
  metrics: ClassMetrics,
  modelBLabel: string,
): void {
  const addCurve = (model: string, list: readonly MetricsFamilyPoint[] | null) =>
    list?.forEach((p) => {
      for (const metric of ['precision', 'recall'] as const) {
        const value = p[metric];
        if (value) {
          rows.curves.push({ class: name, model, metric, tc: p.tc, ...value });
        }
      }
    });
  addCurve('Model A', metrics.curves.modelA);
  addCurve(modelBLabel, metrics.curves.modelB);
  addCurve(`Ensemble (T_A = ${metrics.curveTa})`, metrics.curves.ensemble);
  for (const p of metrics.surface) {
    for (const metric of ['precision', 'recall'] as const) {
      const value = p[metric];
      if (value)
        rows.surface.push({ class: name, metric, tc: p.tc, ta: p.ta, median: value.median });
    }
  }
  for (const r of metrics.reliability.bins) {
    if (r.tp + r.fp > 0) rows.reliability.push({ class: name, ...r, detections: r.tp + r.fp });
  }
}

async function writeFigures(outDir: string, rows: FigureRows): Promise<void> {
  await writeFileAtomic(
    join(outDir, 'pr-vs-tc.svg'),
    await renderVegaLiteSvg(curveSpec(rows.curves)),
  );
  await writeFileAtomic(
    join(outDir, 'pr-surface.svg'),
    await renderVegaLiteSvg(surfaceSpec(rows.surface)),
  );
  await writeFileAtomic(
    join(outDir, 'reliability.svg'),
    await renderVegaLiteSvg(reliabilitySpec(rows.reliability)),
  );
}

/**
 * Computes the paper's evaluation from prepared bundles (Model B = `model`,
 * optional Model A = `baseline`) and writes metrics.json, tables.md and the
 * SVG figures into `outDir`. Returns metrics.json's content.
 */
export async function writeEvaluation(
  outDir: string,
  model: PreparedBundle,
  baseline: PreparedBundle | null,
  settings: EvaluationSettings,
  context: { dataset: string; split: string; images: number; toolVersion: string },
): Promise<Metrics> {
  const families = familiesOf(model, settings);
  const classes: Record<string, ClassMetrics> = {};
  const tableLines: string[] = [];
  const rows: FigureRows = { curves: [], surface: [], reliability: [] };
  for (const [c, name] of model.loaded.bundle.classes.entries()) {
    const metrics = evaluateClass(model, baseline, c, families);
    classes[name] = metrics;
    tableLines.push(...classTable(name, metrics, families.size));
    addFigureRows(rows, name, metrics, baseline ? 'Model B' : 'Single checkpoint');
  }
  const metrics: Metrics = {
    version: METRICS_FORMAT_VERSION,
    dataset: context.dataset,
    split: context.split,
    images: context.images,
    quantiles: 'type 7 (linear interpolation, numpy default); nulls (0/0) left out',
    counting:
      'Fig. 2: TP = cc(GT ∧ D), FP = max(0, cc(D) − TP), FN = max(0, cc(GT) − TP), 8-connected, summed over images',
    settings: { ...settings, tcGrid: [...settings.tcGrid], subEnsembleSize: families.size },
    model: {
      path: model.loaded.path,
      sha256: model.loaded.sha256,
      memberEpochs: model.members.map((m) => m.epoch),
      gtRadius: model.loaded.bundle.gtRadius,
    },
    baseline: baseline
      ? {
          path: baseline.loaded.path,
          sha256: baseline.loaded.sha256,
          memberEpochs: baseline.members.map((m) => m.epoch),
        }
      : null,
    classes,
    provenance: provenanceNow('dicentra evaluate', context.toolVersion, {
      source: context.dataset,
    }),
  };
  await writeMetricsFile(join(outDir, 'metrics.json'), metrics);
  await writeFileAtomic(
    join(outDir, 'tables.md'),
    `# Precision and recall (${context.dataset}, split ${context.split}, ${context.images} images)\n\n` +
      'Median over the family, [q5 – q95] in brackets (type-7 quantiles).\n\n' +
      tableLines.join('\n'),
  );
  await writeFigures(outDir, rows);
  return metrics;
}

/** Fig. 3: P and R against T_C with the q5–q95 band, one panel per model and class. */
function curveSpec(rows: Record<string, unknown>[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    facet: { row: { field: 'model', title: null }, column: { field: 'class', title: null } },
    spec: {
      width: 260,
      height: 160,
      layer: [
        {
          mark: { type: 'area', opacity: 0.25 },
          encoding: {
            x: { field: 'tc', type: 'quantitative', title: 'confidence threshold T_C' },
            y: { field: 'q05', type: 'quantitative', title: 'score', scale: { domain: [0, 1] } },
            y2: { field: 'q95' },
            color: { field: 'metric', type: 'nominal' },
          },
        },
        {
          mark: { type: 'line', point: { size: 12 } },
          encoding: {
            x: { field: 'tc', type: 'quantitative' },
            y: { field: 'median', type: 'quantitative' },
            color: { field: 'metric', type: 'nominal', title: null },
          },
        },
      ],
    },
  };
}

function surfaceSpec(rows: Record<string, unknown>[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    facet: { row: { field: 'metric', title: null }, column: { field: 'class', title: null } },
    spec: {
      width: 260,
      height: 160,
      mark: 'rect',
      encoding: {
        x: { field: 'tc', type: 'ordinal', title: 'T_C', axis: { format: '.2f' } },
        y: { field: 'ta', type: 'ordinal', title: 'T_A', sort: 'descending' },
        color: {
          field: 'median',
          type: 'quantitative',
          title: 'median',
          scale: { domain: [0, 1] },
        },
      },
    },
  };
}

function reliabilitySpec(rows: Record<string, unknown>[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    facet: { column: { field: 'class', title: null } },
    spec: {
      width: 260,
      height: 160,
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: {
              field: 'voteFraction',
              type: 'quantitative',
              title: 'vote fraction',
              scale: { domain: [0, 1] },
            },
            y: {
              field: 'precision',
              type: 'quantitative',
              title: 'precision of detections',
              scale: { domain: [0, 1] },
            },
          },
        },
        {
          mark: { type: 'text', dy: -8, fontSize: 8 },
          encoding: {
            x: { field: 'voteFraction', type: 'quantitative' },
            y: { field: 'precision', type: 'quantitative' },
            text: { field: 'detections', type: 'quantitative' },
          },
        },
      ],
    },
  };
}
