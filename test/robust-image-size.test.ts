import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { maxImagePixels } from '../src/imaging/pixel-limit.js';
import { readGreyImage } from '../src/imaging/read-image.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { refusalOf } from './support/robust-program.js';
import { runCliBounded } from './support/robust-run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

/** A solid grey PNG: a huge frame compresses to a small file. */
async function solidPng(path: string, width: number, height: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toFile(path);
}

async function datasetOf(dir: string, width: number, height: number): Promise<string> {
  const path = join(dir, 'dataset.json');
  await writeFile(
    path,
    JSON.stringify({
      version: '1.0',
      classes: ['dicentric', 'fragment'],
      images: [{ id: 'big', path: 'big.png', width, height, split: 'none', doseGy: 1 }],
    }),
  );
  return path;
}

async function withMaxPixels<T>(value: string, body: () => Promise<T>): Promise<T> {
  process.env.DICENTRA_MAX_PIXELS = value;
  try {
    return await body();
  } finally {
    delete process.env.DICENTRA_MAX_PIXELS;
  }
}

test('a small-on-disk 9000×9000 PNG is refused by the default limit before decoding (exit 3)', async () => {
  const dir = await makeTempDir('robust-pixels');
  await solidPng(join(dir, 'big.png'), 9000, 9000);
  assert.ok((await stat(join(dir, 'big.png'))).size < 1_000_000);
  const dataset = await datasetOf(dir, 9000, 9000);
  const run = await runCliBounded(['validate', dataset, '--json'], { timeoutMs: 60_000 });
  assert.equal(run.code, 3, run.stderr);
  const problem = JSON.parse(run.stdout).error.problems[0];
  assert.equal(problem.code, 'DCN_E_IMAGE_TOO_LARGE');
  assert.equal(problem.field, 'images[0].path');
  assert.match(problem.message, /is 9000×9000 = 81,000,000 pixels, above the limit of 67,108,864/);
});

test('DICENTRA_MAX_PIXELS lowers the limit for validate, import, calibrate and detect', async () => {
  const dir = await makeTempDir('robust-pixels');
  await mkdir(join(dir, 'img'));
  await solidPng(join(dir, 'big.png'), 40, 30);
  await solidPng(join(dir, 'img', 'big.png'), 40, 30);
  const dataset = await datasetOf(dir, 40, 30);
  const points = join(dir, 'points.csv');
  await writeFile(points, 'image,class,x,y\n');
  const message = /40×30 = 1,200 pixels, above the limit of 1,000 \(DICENTRA_MAX_PIXELS\)/;
  await withMaxPixels('1000', async () => {
    for (const extra of [[], ['--headers-only']]) {
      const error = await refusalOf(['validate', dataset, ...extra]);
      assert.equal(error.exitCode, 3);
      assert.equal(error.problems[0]!.code, 'DCN_E_IMAGE_TOO_LARGE');
      assert.match(error.problems[0]!.message, message);
    }
    // import lists every problem at once, each with its own code
    const imported = await refusalOf([
      'import',
      '--images',
      join(dir, 'img'),
      '--points',
      points,
      '--out',
      join(dir, 'i.json'),
    ]);
    assert.equal(imported.exitCode, 3);
    assert.equal(imported.problems[0]!.code, 'DCN_E_IMAGE_TOO_LARGE');
    assert.match(imported.problems[0]!.message, message);
    for (const args of [
      [
        'calibrate',
        '--model',
        TINY,
        '--data',
        dataset,
        '--sub-ensembles',
        '0',
        '--out',
        join(dir, 'c.json'),
      ],
    ]) {
      const error = await refusalOf(args);
      assert.equal(error.code, 'DCN_E_IMAGE_TOO_LARGE', `${args[0]}: ${error.message}`);
      assert.match(error.message, message);
    }
  });
  // detect lists an unreadable image under "errors" and exits 3
  const detect = await runCliBounded(
    ['detect', '--model', TINY, '--images', join(dir, 'img'), '--out', join(dir, 'det.json')],
    { env: { DICENTRA_MAX_PIXELS: '1000' } },
  );
  assert.equal(detect.code, 3, detect.stderr);
  assert.match(detect.stderr, message);
  await withMaxPixels('1200', async () => {
    assert.equal((await readGreyImage(join(dir, 'big.png'))).data.length, 1200);
  });
});

test('a DICENTRA_MAX_PIXELS that is not a positive whole number is a usage error', async () => {
  assert.equal(maxImagePixels(), 8192 * 8192);
  for (const value of ['0', 'lots', '1e3', '0x100', '-5']) {
    await withMaxPixels(value, async () => {
      assert.throws(
        () => maxImagePixels(),
        (error: { code?: string; field?: string; exitCode?: number }) =>
          error.code === 'DCN_E_OPTION_INVALID' &&
          error.field === 'DICENTRA_MAX_PIXELS' &&
          error.exitCode === 2,
        value,
      );
    });
  }
  await withMaxPixels('2500', async () => assert.equal(maxImagePixels(), 2500));
});
