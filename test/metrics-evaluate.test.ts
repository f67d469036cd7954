import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES } from './support/paths.js';
import { makeTwoBlockCell } from './support/two-block-cell.js';
import { runCli } from './support/run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

interface Row {
  label: string;
  precision: { median: number; q05: number; q95: number } | null;
  recall: { median: number; q05: number; q95: number } | null;
}

/**
 * One 24×20 image: a grey-200 block (a = 200/255 after min–max) at x 8..11, y 4..7 and a
 * white block (a = 1) at x 0..3, y 12..15. Ground truth: dicentrics at (10, 6) — on the grey
 * block — and (20, 18) — on background; a fragment at (20, 2) on background.
 * By the fixture's formula (member k: sigmoid(20a − b_k), b_k = 6, 8, …, 14) every member
 * exceeds 0.6 on both blocks: dicentric TP 1 (grey block), FP 1 (white block), FN 1 → P = R = 1/2.
 * At T_C 0.95 member 5 (sigmoid(15.69 − 14) = 0.844) sees nothing: P = R = 0.
 * Fragments: sigmoid(20(1 − a) − b_k) is high on the whole background, one component
 * holding the fragment's disk: TP 1, FP 0, FN 0.
 */
function dataset(): Promise<string> {
  return makeTwoBlockCell('evaluate');
}

test('evaluate: hand-known P/R, intervals over members, tables and figures, cached reruns', async () => {
  const dir = await dataset();
  const out = join(dir, 'eval');
  const args = [
    'evaluate',
    '--model',
    TINY,
    '--baseline',
    TINY,
    '--data',
    join(dir, 'dataset.json'),
    '--out',
    out,
    '--ensemble-size',
    '3',
    '--ensembles',
    '6',
    '--tc-grid',
    '0.6,0.95,0.99',
    '--curve-ta',
    '1',
    '--paper-ta',
    '1',
  ];
  const run = await runCli(args);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /model: 5 members, 5 heatmaps computed/);
  const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as {
    classes: Record<
      string,
      { table: Row[]; curves: { modelB: { tc: number; precision: Row['precision'] }[] } }
    >;
  };
  const dicentric = metrics.classes.dicentric!;
  const single = dicentric.table.find((row) => row.label === 'Model B')!;
  assert.deepEqual(single.precision, { median: 0.5, q05: 0.5, q95: 0.5, n: 5 });
  assert.deepEqual(single.recall, { median: 0.5, q05: 0.5, q95: 0.5, n: 5 });
  // T_C 0.95: member precisions 0.5, 0.5, 0.5, 0.5, 0 → sorted 0, .5, .5, .5, .5; q05 at position 0.2 → 0.1
  const at95 = dicentric.curves.modelB.find((p) => p.tc === 0.95)!;
  assert.equal(at95.precision!.median, 0.5);
  assert.ok(Math.abs(at95.precision!.q05 - 0.1) < 1e-12);
  const fragment = metrics.classes.fragment!.table.find((row) => row.label === 'Model B')!;
  assert.equal(fragment.precision!.median, 1);
  assert.equal(fragment.recall!.median, 1);
  const files = await readdir(out);
  for (const name of [
    'metrics.json',
    'tables.md',
    'pr-vs-tc.svg',
    'pr-surface.svg',
    'reliability.svg',
  ]) {
    assert.ok(files.includes(name), name);
  }
  assert.match(await readFile(join(out, 'pr-vs-tc.svg'), 'utf8'), /^<svg/);
  assert.match(
    await readFile(join(out, 'tables.md'), 'utf8'),
    /\| Model B \| 0\.6 \| – \| 50\.0% \[50\.0 – 50\.0\]/,
  );
  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /model: 5 members, 0 heatmaps computed/);
});
