import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic, writeJsonAtomic } from '../../formats/atomic-write.js';
import type { Interval } from '../../cores/metrics/quantile.js';
import {
  curveOverTc,
  familyPoint,
  matchPrecision,
  surface,
  type FamilyPoint,
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

interface TableRow {
  readonly label: string;
  readonly tc: number;
  readonly ta: number | null;
  readonly over: string;
  readonly precision: Interval | null;
  readonly recall: Interval | null;
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
  context: { dataset: string; split: string; images: number },
): Promise<Record<string, unknown>> {
  const { tcGrid } = settings;
  const classes = model.loaded.bundle.classes;
  const kSingle = gridIndex(tcGrid, settings.singleTc);
  const kPaper = gridIndex(tcGrid, settings.paperTc);
  const singles = (prepared: PreparedBundle, c: number) =>
    sweepCounts(
      prepared.items[c]!,
      prepared.members.map((_, j) => [j]),
      tcGrid,
      [0],
    );
  const size = Math.min(settings.subEnsembleSize, model.members.length);
  const subsets = subEnsembles(
    model.members.length,
    size,
    settings.subEnsembleCount,
    settings.seed,
  );
  const taValues = Array.from({ length: size }, (_, t) => t);
  const perClass: Record<string, unknown> = {};
  const tableLines: string[] = [];
  const curveRows: Record<string, unknown>[] = [];
  const surfaceRows: Record<string, unknown>[] = [];
  const reliabilityRows: Record<string, unknown>[] = [];
  for (const [c, name] of classes.entries()) {
    const singleB = singles(model, c);
    const singleA = baseline ? singles(baseline, c) : null;
    const ensemble = sweepCounts(model.items[c]!, subsets, tcGrid, taValues);
    const curveTa = Math.min(settings.curveTa, size - 1);
    const curves = {
      modelA: singleA ? curveOverTc(singleA, 0) : null,
      modelB: curveOverTc(singleB, 0),
      ensemble: curveOverTc(ensemble, curveTa),
    };
    const points = surface(ensemble);
    const pointB = familyPoint(singleB, kSingle, 0);
    const matched = pointB.precision
      ? matchPrecision(points, pointB.precision.median)
      : {
          point: familyPoint(ensemble, kPaper, Math.min(settings.paperTa, size - 1)),
          matched: false,
        };
    const paperPoint = familyPoint(ensemble, kPaper, Math.min(settings.paperTa, size - 1));
    const rows: TableRow[] = [
      ...(singleA
        ? [
            {
              label: 'Model A (baseline)',
              ...familyPoint(singleA, kSingle, 0),
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
        over: `${subsets.length} random ensembles of ${size}`,
      },
      {
        label: 'Ensemble (paper point)',
        ...paperPoint,
        over: `${subsets.length} random ensembles of ${size}`,
      },
    ];
    const bins = reliabilityBins(model.items[c]!, subsets, matched.point.tc, 0);
    const reliability = bins.detections.flatMap((n, votes) =>
      votes === 0
        ? []
        : [
            {
              votes,
              voteFraction: votes / size,
              detections: n,
              correct: bins.correct[votes]!,
              precision: n > 0 ? bins.correct[votes]! / n : null,
            },
          ],
    );
    perClass[name] = {
      table: rows,
      operatingPoint: {
        tc: matched.point.tc,
        ta: matched.point.ta,
        precisionMatched: matched.matched,
      },
      curves,
      curveTa,
      surface: points,
      reliability: { tc: matched.point.tc, ta: 0, bins: reliability },
    };
    tableLines.push(
      `### ${name}`,
      '',
      '| | T_C | T_A | Precision [q5 – q95] | Recall [q5 – q95] | interval over |',
      '|---|---|---|---|---|---|',
      ...rows.map(
        (row) =>
          `| ${row.label} | ${row.tc} | ${row.ta ?? '–'} | ${percent(row.precision)} | ${percent(row.recall)} | ${row.over} |`,
      ),
      '',
      `Reliability (ensembles of ${size}, T_C = ${matched.point.tc}, T_A = 0): precision of detections by their votes`,
      '',
      '| votes | vote fraction | detections | correct | precision |',
      '|---|---|---|---|---|',
      ...reliability.map(
        (r) =>
          `| ${r.votes} | ${r.voteFraction.toFixed(2)} | ${r.detections} | ${r.correct} | ${r.precision === null ? 'n/a' : (100 * r.precision).toFixed(1) + '%'} |`,
      ),
      '',
    );
    const addCurve = (model: string, list: FamilyPoint[] | null) =>
      list?.forEach((p) => {
        for (const metric of ['precision', 'recall'] as const) {
          const value = p[metric];
          if (value)
            curveRows.push({
              class: name,
              model,
              metric,
              tc: p.tc,
              median: value.median,
              q05: value.q05,
              q95: value.q95,
            });
        }
      });
    addCurve('Model A', curves.modelA);
    addCurve(baseline ? 'Model B' : 'Single checkpoint', curves.modelB);
    addCurve(`Ensemble (T_A = ${curveTa})`, curves.ensemble);
    for (const p of points) {
      for (const metric of ['precision', 'recall'] as const) {
        const value = p[metric];
        if (value)
          surfaceRows.push({ class: name, metric, tc: p.tc, ta: p.ta, median: value.median });
      }
    }
    for (const r of reliability) if (r.detections > 0) reliabilityRows.push({ class: name, ...r });
  }
  const metrics = {
    version: '1.0',
    dataset: context.dataset,
    split: context.split,
    images: context.images,
    quantiles: 'type 7 (linear interpolation, numpy default); nulls (0/0) left out',
    counting:
      'Fig. 2: TP = cc(GT ∧ D), FP = max(0, cc(D) − TP), FN = max(0, cc(GT) − TP), 8-connected, summed over images',
    settings: { ...settings, subEnsembleSize: size },
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
    classes: perClass,
  };
  await writeJsonAtomic(join(outDir, 'metrics.json'), metrics);
  await writeFileAtomic(
    join(outDir, 'tables.md'),
    `# Precision and recall (${context.dataset}, split ${context.split}, ${context.images} images)\n\n` +
      'Median over the family, [q5 – q95] in brackets (type-7 quantiles).\n\n' +
      tableLines.join('\n'),
  );
  await writeFileAtomic(
    join(outDir, 'pr-vs-tc.svg'),
    await renderVegaLiteSvg(curveSpec(curveRows)),
  );
  await writeFileAtomic(
    join(outDir, 'pr-surface.svg'),
    await renderVegaLiteSvg(surfaceSpec(surfaceRows)),
  );
  await writeFileAtomic(
    join(outDir, 'reliability.svg'),
    await renderVegaLiteSvg(reliabilitySpec(reliabilityRows)),
  );
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
