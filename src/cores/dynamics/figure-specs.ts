import type { TopLevelSpec } from 'vega-lite';
import type { EmbeddingGrid } from './embedding-grid.js';
import type { CentroidTrack } from './centroid-tracks.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** Points as in the paper's Fig. 5: background grey, dicentrics red, fragments blue. */
const POINT_COLOURS = ['#616161', '#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b'];
/** Lighter region colours of the same hues, so the points stay visible on them. */
const REGION_COLOURS = ['#d9d9d9', '#f7c6c5', '#bcd6ee', '#c7e9c0', '#dadaeb', '#e7cbbf'];
const PANEL = { width: 300, height: 260 };

function colourScale(classes: readonly string[], colours: readonly string[]) {
  return { domain: [...classes], range: classes.map((_, i) => colours[i % colours.length]!) };
}

function axes(grid: EmbeddingGrid) {
  return {
    x: { domain: [grid.xMin, grid.xMax], nice: false, zero: false },
    y: { domain: [grid.yMin, grid.yMax], nice: false, zero: false },
  };
}

/** One row per grid cell with its bounds, for a `rect` heatmap layer. */
function cellRows(grid: EmbeddingGrid, value: (cell: number) => Record<string, unknown>) {
  const dx = (grid.xMax - grid.xMin) / grid.columns;
  const dy = (grid.yMax - grid.yMin) / grid.rows;
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.columns; c++) {
      const x0 = grid.xMin + c * dx;
      const y0 = grid.yMin + r * dy;
      // each rect overlaps its neighbours by 2% so anti-aliasing leaves no seams between cells
      rows.push({
        x0,
        x1: Math.min(grid.xMax, x0 + dx * 1.02),
        y0,
        y1: Math.min(grid.yMax, y0 + dy * 1.02),
        ...value(r * grid.columns + c),
      });
    }
  }
  return rows;
}

/** Position of the `cellRows` rects on the PC axes. */
function cellPosition(scale: ReturnType<typeof axes>) {
  return {
    x: { field: 'x0', type: 'quantitative', scale: scale.x, title: 'PC 1' },
    x2: { field: 'x1' },
    y: { field: 'y0', type: 'quantitative', scale: scale.y, title: 'PC 2' },
    y2: { field: 'y1' },
  } as const;
}

export interface RegionPanel {
  readonly epoch: number;
  /** cells × classes probabilities of that epoch's SVM. */
  readonly probabilities: Float64Array;
  /** rows × 2 embedding of that epoch. */
  readonly embedding: Float64Array;
}

/**
 * Fig. 5: per chosen epoch, the embedded locations over the SVM's decision
 * regions (colour = most probable class, opacity = its probability).
 */
export function decisionRegionsSpec(
  panels: readonly RegionPanel[],
  grid: EmbeddingGrid,
  labels: Uint8Array,
  classes: readonly string[],
): TopLevelSpec {
  const scale = axes(grid);
  const classCount = classes.length;
  return {
    $schema: SCHEMA,
    title: 'Feature-space embedding and SVM decision regions per epoch',
    resolve: { scale: { color: 'independent' } },
    hconcat: panels.map(({ epoch, probabilities, embedding }) => ({
      ...PANEL,
      title: `epoch ${epoch}`,
      layer: [
        {
          data: {
            values: cellRows(grid, (cell) => {
              let best = 0;
              for (let r = 1; r < classCount; r++) {
                if (
                  probabilities[cell * classCount + r]! > probabilities[cell * classCount + best]!
                ) {
                  best = r;
                }
              }
              return { region: classes[best], p: probabilities[cell * classCount + best] };
            }),
          },
          mark: { type: 'rect', strokeWidth: 0 },
          encoding: {
            ...cellPosition(scale),
            color: {
              field: 'region',
              type: 'nominal',
              scale: colourScale(classes, REGION_COLOURS),
              title: 'SVM region',
            },
            opacity: {
              field: 'p',
              type: 'quantitative',
              scale: { domain: [1 / classCount, 1], range: [0.25, 1] },
              legend: null,
            },
          },
        },
        {
          data: {
            values: Array.from(labels, (label, i) => ({
              x: embedding[2 * i],
              y: embedding[2 * i + 1],
              class: classes[label],
            })),
          },
          mark: { type: 'circle', size: 10, opacity: 0.8, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: scale.x },
            y: { field: 'y', type: 'quantitative', scale: scale.y },
            color: {
              field: 'class',
              type: 'nominal',
              scale: colourScale(classes, POINT_COLOURS),
              title: 'location',
            },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    })),
  } as TopLevelSpec;
}

/**
 * Fig. 6: the entropy of the averaged classifier over the embedding, with
 * each k-means centroid's trajectory over epochs; line width ∝ cluster size.
 */
export function entropyTracksSpec(
  grid: EmbeddingGrid,
  entropy: Float64Array,
  tracks: readonly CentroidTrack[],
  classes: readonly string[],
  epochs: readonly number[],
): TopLevelSpec {
  const scale = axes(grid);
  const largest = Math.max(1, ...tracks.map((t) => t.size));
  const trackRows = tracks.flatMap((track) =>
    track.path.map(([x, y], index) => ({
      track: `${classes[track.classIndex]} ${track.cluster}`,
      class: classes[track.classIndex],
      size: track.size,
      order: index,
      epoch: epochs[index],
      x,
      y,
    })),
  );
  const last = trackRows.filter((row) => row.order === epochs.length - 1);
  return {
    $schema: SCHEMA,
    title: `Entropy of the averaged classifier (epochs ${epochs[0]}–${epochs[epochs.length - 1]}) and centroid trajectories`,
    width: 420,
    height: 360,
    layer: [
      {
        data: { values: cellRows(grid, (cell) => ({ entropy: entropy[cell] })) },
        mark: { type: 'rect', strokeWidth: 0 },
        encoding: {
          ...cellPosition(scale),
          fill: {
            field: 'entropy',
            type: 'quantitative',
            scale: { scheme: 'greys', domain: [0, Math.log(classes.length)] },
            title: 'H(p̄) (nats)',
          },
        },
      },
      {
        data: { values: trackRows },
        mark: { type: 'line', strokeCap: 'round', opacity: 0.9, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: scale.x },
          y: { field: 'y', type: 'quantitative', scale: scale.y },
          detail: { field: 'track', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' },
          color: {
            field: 'class',
            type: 'nominal',
            scale: colourScale(classes, POINT_COLOURS),
            title: 'centroid of',
          },
          strokeWidth: {
            field: 'size',
            type: 'quantitative',
            scale: { type: 'linear', domain: [0, largest], range: [0, 8] },
            title: 'cluster size',
          },
        },
      },
      {
        data: { values: last },
        mark: { type: 'point', shape: 'triangle-up', filled: true, size: 40, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: scale.x },
          y: { field: 'y', type: 'quantitative', scale: scale.y },
          color: { field: 'class', type: 'nominal', scale: colourScale(classes, POINT_COLOURS) },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Explained variance per principal component of the aligned features, with the running total. */
export function explainedVarianceSpec(ratios: readonly number[]): TopLevelSpec {
  let total = 0;
  const rows = ratios.map((ratio, index) => {
    total += ratio;
    return { component: index + 1, ratio, cumulative: total };
  });
  return {
    $schema: SCHEMA,
    title: 'Explained variance of the joint PCA',
    width: 360,
    height: 220,
    data: { values: rows },
    encoding: { x: { field: 'component', type: 'ordinal', title: 'principal component' } },
    layer: [
      {
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          y: {
            field: 'ratio',
            type: 'quantitative',
            title: 'share of variance',
            scale: { domain: [0, 1] },
            axis: { format: '.0%' },
          },
        },
      },
      {
        mark: { type: 'line', color: '#f58518', point: true },
        encoding: { y: { field: 'cumulative', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}
