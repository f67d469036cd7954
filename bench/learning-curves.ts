/**
 * Learning curves of `dicentra train` runs, from their train.log: the validation
 * precision and recall of each class after every epoch, one line per run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from '../src/engines/figures/render-plot.js';

export interface EpochEvent {
  event: 'epoch';
  epoch: number;
  seconds: number;
  trainLoss: number;
  valLoss: number;
  precision: Record<string, number | null>;
  recall: Record<string, number | null>;
}

/** The epoch events of a run folder's train.log; an epoch repeated by a resume counts once (its last). */
export async function readEpochEvents(run: string): Promise<EpochEvent[]> {
  const events: EpochEvent[] = [];
  for (const line of (await readFile(join(run, 'train.log'), 'utf8')).split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { event?: string };
    if (event.event === 'epoch') events.push(event as EpochEvent);
  }
  return [...new Map(events.map((e) => [e.epoch, e])).values()].sort((a, b) => a.epoch - b.epoch);
}

/** Validation P and R of every class per epoch, a panel per class and measure, a line per run. */
export function learningCurvesSvg(
  runs: readonly { name: string; curve: readonly EpochEvent[] }[],
  title: string,
): Promise<string> {
  const values = runs.flatMap(({ name, curve }) =>
    curve.flatMap((e) =>
      Object.keys(e.recall).flatMap((cls) =>
        (['precision', 'recall'] as const).flatMap((measure) => {
          const value = e[measure][cls];
          return value === null || value === undefined
            ? []
            : [{ run: name, epoch: e.epoch, panel: `${cls} ${measure}`, value }];
        }),
      ),
    ),
  );
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns: 2,
    spec: {
      width: 260,
      height: 160,
      mark: { type: 'line', point: { size: 14 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
        y: {
          field: 'value',
          type: 'quantitative',
          title: 'validation (T_C 0.5)',
          scale: { domain: [0, 1] },
        },
        color: { field: 'run', type: 'nominal', title: null },
      },
    },
  };
  return renderVegaLiteSvg(spec);
}
