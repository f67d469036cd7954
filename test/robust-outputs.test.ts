import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DicentraError } from '../src/formats/dicentra-error.js';
import { FIXTURES, makeTempDir, REFS } from './support/paths.js';
import { runCli } from './support/run-cli.js';
import { refusalOf } from './support/robust-program.js';

const COUNTS = join(REFS, 'biodosetools', 'data', 'count-data-barquinero-1995.csv');
const CASES = join(REFS, 'biodosetools', 'data', 'cases-data-partial.csv');
const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

/** The refusal is an output clash that names both options. */
function assertClash(error: DicentraError, options: [string, string]): void {
  assert.equal(error.code, 'DCN_E_OUTPUT_PATH', error.message);
  assert.equal(error.exitCode, 2);
  for (const option of options) assert.ok(error.message.includes(option), error.message);
}

async function grey(path: string): Promise<void> {
  await sharp({ create: { width: 32, height: 32, channels: 3, background: '#808080' } })
    .png()
    .toFile(path);
}

test('curve fit: --out on its --counts exits 2 and leaves the table as it was', async () => {
  const dir = await makeTempDir('robust-out');
  const counts = join(dir, 'counts.csv');
  await cp(COUNTS, counts);
  const before = await readFile(counts);
  const run = await runCli(['curve', 'fit', '--counts', counts, '--out', counts]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /error\[DCN_E_OUTPUT_PATH\]: --out .*counts\.csv is the input --counts/);
  assert.deepEqual(await readFile(counts), before);
});

test('an output reached through a file link or a folder link is still the input', async () => {
  const dir = await makeTempDir('robust-out');
  const counts = join(dir, 'counts.csv');
  await cp(COUNTS, counts);
  await symlink(counts, join(dir, 'link.csv'));
  await symlink(dir, join(dir, 'same-folder'));
  for (const out of [join(dir, 'link.csv'), join(dir, 'same-folder', 'counts.csv')]) {
    assertClash(await refusalOf(['curve', 'fit', '--counts', counts, '--out', out]), [
      '--out',
      '--counts',
    ]);
  }
  assertClash(
    await refusalOf([
      'curve',
      'fit',
      '--counts',
      join(dir, 'same-folder', 'counts.csv'),
      '--out',
      counts,
    ]),
    ['--out', '--counts'],
  );
});

test('dose refuses --out on its case table or its curve', async () => {
  const dir = await makeTempDir('robust-out');
  const curve = join(dir, 'curve.json');
  await writeFile(curve, '{}'); // refused before it is read
  const cases = join(dir, 'cases.csv');
  await cp(CASES, cases);
  for (const [out, option] of [
    [cases, '--counts'],
    [curve, '--curve'],
  ] as const) {
    const error = await refusalOf(['dose', '--curve', curve, '--counts', cases, '--out', out]);
    assertClash(error, ['--out', option]);
  }
});

test('import refuses --out on its point table or on one of its images', async () => {
  const dir = await makeTempDir('robust-out');
  await mkdir(join(dir, 'img'));
  await grey(join(dir, 'img', 'a.png'));
  const points = join(dir, 'points.csv');
  await writeFile(points, 'image,class,x,y\na.png,dicentric,3,4\n');
  const base = ['import', '--images', join(dir, 'img'), '--points', points, '--out'];
  assertClash(await refusalOf([...base, points]), ['--out', '--points']);
  assertClash(await refusalOf([...base, join(dir, 'img', 'a.png')]), ['--out', '--images']);
});

test('calibrate refuses --out or --figure on --data, and --figure on --out', async () => {
  const dir = await makeTempDir('robust-out');
  const data = join(dir, 'calibration.json');
  await writeFile(data, '{}'); // refused before it is read
  const curve = join(dir, 'curve.json');
  const base = ['calibrate', '--model', TINY, '--data', data, '--sub-ensembles', '0'];
  assertClash(await refusalOf([...base, '--out', data]), ['--out', '--data']);
  assertClash(await refusalOf([...base, '--out', curve, '--figure', data]), ['--figure', '--data']);
  assertClash(await refusalOf([...base, '--out', curve, '--figure', curve]), ['--figure', '--out']);
  assert.deepEqual(await readdir(dir), ['calibration.json']);
});

test('detect refuses --out on the bundle, --csv on an input image, and --csv equal to --out', async () => {
  const dir = await makeTempDir('robust-out');
  await cp(join(FIXTURES, 'tiny-bundle'), join(dir, 'bundle'), { recursive: true });
  const bundle = join(dir, 'bundle', 'bundle.json');
  await mkdir(join(dir, 'img'));
  await grey(join(dir, 'img', 'a.png'));
  const base = ['detect', '--model', bundle, '--images', join(dir, 'img')];
  assertClash(await refusalOf([...base, '--out', bundle]), ['--out', '--model']);
  const image = join(dir, 'img', 'a.png');
  assertClash(await refusalOf([...base, '--out', join(dir, 'd.json'), '--csv', image]), [
    '--csv',
    '--images',
  ]);
  const same = join(dir, 'det.out');
  assertClash(await refusalOf([...base, '--out', same, '--csv', same]), ['--csv', '--out']);
  assert.deepEqual((await readdir(dir)).sort(), ['bundle', 'img']);
});

test('every command that writes a folder refuses an --out that is an existing file', async () => {
  const dir = await makeTempDir('robust-out');
  const file = join(dir, 'taken.txt');
  await writeFile(file, 'keep me\n');
  const data = join(dir, 'd.json');
  const runs = [
    ['synth', '--out', file, '--count', '1', '--size', '64x64'],
    ['demo', '--quick', '--out', file],
    ['train', '--data', data, '--out', file],
    ['evaluate', '--model', TINY, '--data', data, '--out', file],
    ['dynamics', '--model', TINY, '--data', data, '--out', file],
  ];
  for (const args of runs) {
    const error = await refusalOf(args);
    assert.equal(error.code, 'DCN_E_OUTPUT_PATH', `${args[0]}: ${error.message}`);
    assert.match(error.message, /^--out .*taken\.txt is a file; --out names the folder/);
  }
  assert.equal(await readFile(file, 'utf8'), 'keep me\n');
  const dose = await refusalOf(['dose', '--curve', file, '--counts', file, '--out', dir]);
  assert.match(dose.message, /^--out .* is a folder; --out names the file to write/);
});
