import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readCaseTable, readCalibrationTable } from '../src/formats/count-table.js';
import { readCurveFile } from '../src/formats/curve-file.js';
import { DicentraError } from '../src/formats/dicentra-error.js';
import { readPointTable } from '../src/formats/point-table.js';
import { readSampleTable } from '../src/formats/sample-table.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';
import { fitReferenceCurve } from './support/reference-curve.js';
import { refusalOf } from './support/robust-program.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

async function grey(path: string): Promise<void> {
  await sharp({ create: { width: 32, height: 32, channels: 3, background: '#808080' } })
    .png()
    .toFile(path);
}

/** The error a reader throws on `text` written to a fresh file. */
async function readerError(
  read: (path: string) => Promise<unknown>,
  text: string,
): Promise<DicentraError> {
  const path = join(await makeTempDir('robust-values'), 'table.csv');
  await writeFile(path, text);
  try {
    await read(path);
  } catch (error) {
    if (error instanceof DicentraError) return error;
    throw error;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

test('hexadecimal numbers in count tables are refused at reading, naming the line (exit 2)', async () => {
  const dir = await makeTempDir('robust-values');
  const calibration = join(dir, 'calibration.csv');
  await writeFile(
    calibration,
    'D,C0,C1,C2\n0,1000,2,0\n1,900,0x10,0\n2,800,150,10\n3,700,250,40\n',
  );
  const fit = await runCli(['curve', 'fit', '--counts', calibration, '--out', join(dir, 'c.json')]);
  assert.equal(fit.code, 2, fit.stderr);
  assert.match(fit.stderr, /DCN_E_COUNTS_INVALID/);
  assert.match(fit.stderr, /line 3, column C1: "0x10" is not a decimal number/);

  const dose = await readerError(
    readCalibrationTable,
    'D,C0,C1\n0,1000,2\n0x1,900,50\n2,800,150\n',
  );
  assert.equal(dose.code, 'DCN_E_COUNTS_INVALID');
  assert.match(dose.message, /line 3, column D: dose "0x1" is not a number/);
  const cases = await readerError(readCaseTable, 'ID,C0,C1\nP1,100,0x10\nP2,0b11,1\n');
  assert.match(cases.message, /line 2, column C1: "0x10" is not a decimal number/);
  assert.match(cases.message, /line 3, column C0: "0b11" is not a decimal number/);
});

test('hexadecimal numbers in point and sample tables are refused, naming the line', async () => {
  const points = await readerError(readPointTable, 'image,class,x,y\na.png,dicentric,0x10,3\n');
  assert.equal(points.code, 'DCN_E_CSV_INVALID');
  assert.match(points.message, /line 2: x and y must be numbers, got "0x10", "3"/);
  const samples = await readerError(readSampleTable, 'image,sampleId,doseGy\na.png,S1,0x2\n');
  assert.equal(samples.code, 'DCN_E_CSV_INVALID');
  assert.match(samples.message, /line 2: doseGy must be a decimal number ≥ 0, got "0x2"/);
});

test('counts beyond 10^9 are refused at reading, not passed to the fitter', async () => {
  const distribution = await readerError(
    readCalibrationTable,
    'D,C0,C1\n0,1000,2\n1,900,50\n2,1e20,150\n3,700,250\n',
  );
  assert.equal(distribution.code, 'DCN_E_COUNTS_INVALID');
  assert.match(distribution.message, /line 4, column C0: count 1e20 is above 1000000000/);
  const totals = await readerError(
    readCalibrationTable,
    'D,N,X\n0,1000,2\n1,1000,60\n2,1000,1e12\n',
  );
  assert.match(totals.message, /line 4, column X: count 1e12 is above 1000000000/);
  const cases = await readerError(readCaseTable, 'ID,C0,C1\nP1,100,9007199254740993\n');
  assert.match(cases.message, /line 2, column C1: count 9007199254740993 is above/);
});

const reference = (async () => {
  const dir = await makeTempDir('robust-values');
  const text = await readFile(await fitReferenceCurve(dir), 'utf8');
  return { dir, curve: JSON.parse(text) as EditableCurve };
})();

interface EditableCurve {
  varCov: number[][];
  coefficients: { name: string; estimate: number }[];
}

/** The reference curve with one edit, written to a file and read back. */
async function editedCurveError(edit: (curve: EditableCurve) => void): Promise<DicentraError> {
  const { dir, curve } = await reference;
  const copy = structuredClone(curve);
  edit(copy);
  const path = join(dir, `edited-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, JSON.stringify(copy));
  try {
    await readCurveFile(path);
  } catch (error) {
    if (error instanceof DicentraError) return error;
    throw error;
  }
  assert.fail('the edited curve was accepted');
}

test('a curve with a negative variance or an asymmetric covariance is refused', async () => {
  const negative = await editedCurveError((curve) => {
    curve.varCov[1]![1] = -2.66e-5;
  });
  assert.equal(negative.code, 'DCN_E_SCHEMA_INVALID');
  assert.equal(negative.field, 'varCov[1][1]');
  assert.match(negative.message, /the variance of alpha is negative/);
  const asymmetric = await editedCurveError((curve) => {
    curve.varCov[0]![2] = 1e-3;
  });
  assert.equal(asymmetric.field, 'varCov[0][2]');
  assert.match(asymmetric.message, /varCov must be symmetric/);
});

test('a curve that never rises with dose is refused naming its coefficients', async () => {
  const { dir, curve } = await reference;
  const path = join(dir, 'falling.json');
  const falling: Record<string, number> = { C: 0.0013, alpha: -0.021, beta: -0.063 };
  await writeFile(
    path,
    JSON.stringify({
      ...curve,
      coefficients: curve.coefficients.map((c) => ({ ...c, estimate: falling[c.name] })),
    }),
  );
  const cases = join(dir, 'cases.csv');
  await writeFile(cases, 'ID,C0,C1,C2\nP1,400,80,20\n');
  const run = await runCli(['dose', '--curve', path, '--counts', cases, '--json']);
  assert.equal(run.code, 2, run.stderr);
  const error = JSON.parse(run.stdout).error;
  assert.equal(error.code, 'DCN_E_SCHEMA_INVALID');
  assert.equal(error.field, 'coefficients');
  assert.match(
    error.message,
    /alpha is -0\.021 and beta is -0\.063: the yield never rises with dose/,
  );
  assert.doesNotMatch(run.stderr, /--ci/);

  const flat = await editedCurveError((edited) => {
    edited.coefficients[1]!.estimate = 0;
    edited.coefficients[2]!.estimate = 0;
  });
  assert.match(flat.message, /alpha is 0 and beta is 0: the yield never rises/);
});

test('split ratios must each lie in [0, 1] and sum to 1', async () => {
  const synth = await runCli([
    'synth',
    '--out',
    '/nonexistent/s',
    '--count',
    '1',
    '--split',
    '0.5,0.6,0.1',
  ]);
  assert.equal(synth.code, 2, synth.stderr);
  assert.match(synth.stderr, /DCN_E_OPTION_INVALID.*--split.*sum to 1.*\(sum 1\.2\)/);
  const imported = await refusalOf([
    'import',
    '--images',
    '/nonexistent',
    '--points',
    'p.csv',
    '--split',
    '0.2,0.2,0.2',
    '--out',
    'd.json',
  ]);
  assert.equal(imported.code, 'DCN_E_OPTION_INVALID');
  assert.match(imported.message, /--split needs three ratios .* that sum to 1/);
});

test('evaluate refuses sub-ensembles larger than the bundle, giving the member count', async () => {
  const error = await refusalOf([
    'evaluate',
    '--model',
    TINY,
    '--data',
    '/nonexistent.json',
    '--ensemble-size',
    '50',
    '--out',
    join(await makeTempDir('robust-values'), 'eval'),
  ]);
  assert.equal(error.code, 'DCN_E_OPTION_INVALID');
  assert.match(error.message, /--ensemble-size 50 .*5 members/);
});

test('limits takes --alpha only in (0, 0.5) and --beta in (0, 1)', async () => {
  for (const [flag, value, range] of [
    ['--alpha', '0', '(0, 0.5)'],
    ['--alpha', '0.5', '(0, 0.5)'],
    ['--beta', '0', '(0, 1)'],
    ['--beta', '1', '(0, 1)'],
  ] as const) {
    const error = await refusalOf(['limits', '--control', '4/1000', flag, value]);
    assert.equal(error.code, 'DCN_E_OPTION_INVALID');
    assert.equal(error.message, `${flag} must be a number in ${range}, got "${value}"`);
  }
});

test('synth --out on a file, a bad class name in a point table and an image-less calibration are catalogued', async () => {
  const dir = await makeTempDir('robust-values');
  const file = join(dir, 'file');
  await writeFile(file, 'x');
  const synth = await runCli(['synth', '--out', file, '--count', '1', '--size', '64x64']);
  assert.equal(synth.code, 2, synth.stderr);
  assert.match(synth.stderr, /DCN_E_OUTPUT_PATH/);

  await mkdir(join(dir, 'img'));
  await grey(join(dir, 'img', 'a.png'));
  const points = join(dir, 'p.csv');
  await writeFile(points, 'image,class,x,y\na.png,bad class!,1,2\n');
  const imported = await runCli([
    'import',
    '--images',
    join(dir, 'img'),
    '--points',
    points,
    '--out',
    join(dir, 'd.json'),
  ]);
  assert.equal(imported.code, 2, imported.stderr);
  assert.match(
    imported.stderr,
    /DCN_E_CSV_INVALID[\s\S]*line 2: class "bad class!" is not a valid class name/,
  );
  const good = join(dir, 'good.csv');
  await writeFile(good, 'image,class,x,y\na.png,dicentric,1,2\n');
  const viaOption = await refusalOf([
    'import',
    '--images',
    join(dir, 'img'),
    '--points',
    good,
    '--classes',
    'dicentric,no way',
    '--out',
    join(dir, 'd.json'),
  ]);
  assert.equal(viaOption.code, 'DCN_E_SCHEMA_INVALID');
  assert.equal(viaOption.field, 'classes[1]');

  const empty = join(dir, 'empty.json');
  await writeFile(
    empty,
    JSON.stringify({ version: '1.0', classes: ['dicentric', 'fragment'], images: [] }),
  );
  const calibrate = await runCli([
    'calibrate',
    '--model',
    TINY,
    '--data',
    empty,
    '--sub-ensembles',
    '0',
    '--out',
    join(dir, 'curve.json'),
  ]);
  assert.equal(calibrate.code, 3, calibrate.stderr);
  assert.match(calibrate.stderr, /DCN_E_NO_IMAGES.*empty\.json lists no image/);
});
