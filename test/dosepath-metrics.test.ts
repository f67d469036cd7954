import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readMetricsFile } from '../src/formats/metrics.js';
import { FIXTURES } from './support/paths.js';
import { makeTwoBlockCell } from './support/two-block-cell.js';
import { runCli } from './support/run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

/** Type-7 quantile of an ascending sample, written out here so the check does not reuse the code under test. */
function type7(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

interface Point {
  tp: number[];
  fp: number[];
  fn: number[];
  precision: { median: number; q05: number; q95: number; n: number } | null;
  recall: { median: number; q05: number; q95: number; n: number } | null;
}

/** The interval as recomputed from the stated counts: P = TP/(TP+FP) or R = TP/(TP+FN) per family member. */
function assertRecomputes(point: Point, where: string): void {
  const check = (stated: Point['precision'], other: number[], metric: string) => {
    const values = point.tp
      .map((tp, s) => (tp + other[s]! > 0 ? tp / (tp + other[s]!) : null))
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    if (values.length === 0) {
      assert.equal(stated, null, `${where} ${metric}`);
      return;
    }
    assert.ok(stated, `${where} ${metric}`);
    assert.equal(stated.n, values.length, `${where} ${metric} n`);
    for (const [key, q] of [
      ['median', 0.5],
      ['q05', 0.05],
      ['q95', 0.95],
    ] as const) {
      assert.ok(Math.abs(stated[key] - type7(values, q)) < 1e-12, `${where} ${metric} ${key}`);
    }
  };
  assert.equal(point.fp.length, point.tp.length);
  assert.equal(point.fn.length, point.tp.length);
  check(point.precision, point.fp, 'precision');
  check(point.recall, point.fn, 'recall');
}

test('metrics.json of a real evaluate run: every precision and recall recomputes from its TP, FP, FN', async () => {
  // the image and points of metrics-evaluate.test.ts: a grey and a white block, two dicentrics, a fragment
  const dir = await makeTwoBlockCell('dosepath-metrics');
  const out = join(dir, 'eval');
  const run = await runCli([
    ...['evaluate', '--model', TINY, '--baseline', TINY, '--data', join(dir, 'dataset.json')],
    ...['--out', out, '--ensemble-size', '3', '--ensembles', '6'],
    ...['--tc-grid', '0.6,0.95,0.99', '--curve-ta', '1', '--paper-ta', '1', '--quiet'],
  ]);
  assert.equal(run.code, 0, run.stderr);

  const metrics = await readMetricsFile(join(out, 'metrics.json'));
  assert.equal(metrics.version, '1.0');
  assert.equal(metrics.provenance.tool, 'dicentra evaluate');
  let checked = 0;
  for (const [name, c] of Object.entries(metrics.classes)) {
    const families: [string, Point[]][] = [
      ['table', c.table],
      ['modelA', c.curves.modelA ?? []],
      ['modelB', c.curves.modelB],
      ['ensemble', c.curves.ensemble],
      ['surface', c.surface],
    ];
    for (const [label, list] of families) {
      list.forEach((point, i) => assertRecomputes(point, `${name} ${label}[${i}]`));
      checked += list.length;
    }
    for (const bin of c.reliability.bins) {
      const expected = bin.tp + bin.fp > 0 ? bin.tp / (bin.tp + bin.fp) : null;
      assert.equal(bin.precision, expected, `${name} reliability votes ${bin.votes}`);
    }
  }
  // the grid gains the paper's T_C 0.5; 2 classes × (4 table rows + 3 curves × 4 T_C + 4 T_C × 3 T_A)
  assert.deepEqual(metrics.settings.tcGrid, [0.5, 0.6, 0.95, 0.99]);
  assert.equal(checked, 2 * (4 + 12 + 12));
  // the hand-known single checkpoint (metrics-evaluate.test.ts): TP 1, FP 1, FN 1 for every member at T_C 0.6
  const single = metrics.classes.dicentric!.table.find((row) => row.label === 'Model B')!;
  assert.deepEqual(single.tp, [1, 1, 1, 1, 1]);
  assert.deepEqual(single.fp, [1, 1, 1, 1, 1]);
  assert.deepEqual(single.fn, [1, 1, 1, 1, 1]);
});
