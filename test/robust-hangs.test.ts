import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { characteristicLimits } from '../src/cores/dosimetry/characteristic-limits.js';
import { compareCaseWithControl } from '../src/cores/dosimetry/exact-poisson-test.js';
import { makeTempDir } from './support/paths.js';
import { runCliBounded } from './support/robust-run-cli.js';

const LIMITS = { alpha: 0.05, beta: 0.1, maxCount: 100 };

test('limits with a huge expected background count answers in seconds', async () => {
  // 50 per cell in 10^6 cells: 5·10^7 expected, so no count up to --max-count 100 is above it.
  const run = await runCliBounded(
    ['limits', '--background-rate', '50', '--cells', '1000000', '--json'],
    { timeoutMs: 30_000 },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).limits[0].decisionThreshold, null);
});

test('the decision threshold far above a huge background matches the normal approximation', () => {
  const started = performance.now();
  const row = characteristicLimits(
    1_000_000,
    { kind: 'rate', perCell: 50 },
    { ...LIMITS, maxCount: 60_000_000 },
  );
  // y_d + 1 is the first count with a two-sided p < 0.05: about m + z_0.975·√m for
  // m = 5·10^7 (the Poisson skew moves it by under one count).
  const approximate = 5e7 + 1.959964 * Math.sqrt(5e7);
  assert.ok(Math.abs(row.decisionThreshold! + 1 - approximate) < 3, `${row.decisionThreshold}`);
  assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
});

test('a case of 10^8 aberrations is tested against its control at once', () => {
  const started = performance.now();
  const same = compareCaseWithControl(
    { aberrations: 100_000_000, cells: 1_000_000_000 },
    { aberrations: 100_000_000, cells: 1_000_000_000 },
  );
  // equal counts in equal cells: the observed count is the binomial mode, p = 1
  assert.equal(same.pValue, 1);
  const apart = compareCaseWithControl(
    { aberrations: 120_000_000, cells: 1_000_000_000 },
    { aberrations: 100_000_000, cells: 1_000_000_000 },
  );
  // 0.12 vs 0.10 per cell is thousands of standard errors apart
  assert.equal(apart.pValue, 0);
  assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
});

test('a dataset image that is a FIFO or a folder is refused, not waited on', async () => {
  const dir = await makeTempDir('robust-fifo');
  execFileSync('mkfifo', [join(dir, 'pipe.png')]);
  await mkdir(join(dir, 'folder.png'));
  const dataset = join(dir, 'dataset.json');
  await writeFile(
    dataset,
    JSON.stringify({
      version: '1.0',
      classes: ['dicentric'],
      images: [
        { id: 'p', path: 'pipe.png', width: 8, height: 8, split: 'none' },
        { id: 'f', path: 'folder.png', width: 8, height: 8, split: 'none' },
      ],
    }),
  );
  for (const extra of [[], ['--headers-only']]) {
    const run = await runCliBounded(['validate', dataset, '--json', ...extra]);
    assert.equal(run.code, 3, run.stderr);
    const problems = JSON.parse(run.stdout).error.problems as { code: string; message: string }[];
    assert.deepEqual(
      problems.map((p) => p.code),
      ['DCN_E_FILE_READ', 'DCN_E_FILE_READ'],
    );
    assert.match(problems[0]!.message, /pipe\.png is a FIFO, not a regular file/);
    assert.match(problems[1]!.message, /folder\.png is a folder, not a regular file/);
  }
});

test('a FIFO given as a table input is refused, not waited on', async () => {
  const dir = await makeTempDir('robust-fifo');
  const pipe = join(dir, 'pipe.csv');
  execFileSync('mkfifo', [pipe]);
  const run = await runCliBounded(['curve', 'fit', '--counts', pipe, '--out', join(dir, 'c.json')]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /DCN_E_FILE_READ.*pipe\.csv is a FIFO, not a regular file/);
});
