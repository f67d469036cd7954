import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readBundleFile } from '../src/formats/bundle-file.js';
import { readCurveFile } from '../src/formats/curve-file.js';
import { DicentraError } from '../src/formats/dicentra-error.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';

const TINY_FOLDER = join(FIXTURES, 'tiny-bundle');

test('a missing field of a dataset is named, not "received undefined"', async () => {
  const dir = await makeTempDir('messages');
  const data = join(dir, 'dataset.json');
  const image = (id: string) => ({ id, path: `${id}.png`, width: 4, height: 4, split: 'none' });
  const withoutWidth: Partial<ReturnType<typeof image>> = image('d');
  delete withoutWidth.width;
  await writeFile(
    data,
    JSON.stringify({
      version: '1.0',
      classes: ['dicentric'],
      images: [image('a'), image('b'), image('c'), withoutWidth],
    }),
  );
  const run = await runCli(['validate', data]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /DCN_E_SCHEMA_INVALID/);
  assert.match(run.stderr, /missing required field `images\[3\]\.width`/);
  assert.doesNotMatch(run.stderr, /received undefined/);
});

test('every JSON reader names a missing field: a curve without its model', async () => {
  const dir = await makeTempDir('messages');
  const file = join(dir, 'curve.json');
  await writeFile(file, JSON.stringify({ version: '1.0' }));
  const error = await readCurveFile(file).then(
    () => assert.fail('a curve without fields was accepted'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DicentraError);
  assert.equal(error.code, 'DCN_E_SCHEMA_INVALID');
  assert.doesNotMatch(error.message, /received undefined/);
  assert.ok(error.problems.length > 0);
  for (const problem of error.problems)
    assert.match(problem.message, new RegExp(`missing required field \`${problem.field}\``));
});

test('a folder given where a file is expected is called a folder, not a permission problem', async () => {
  const dir = await makeTempDir('messages');
  const folder = join(dir, 'data');
  await mkdir(folder);
  const run = await runCli(['validate', folder]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /is a folder/);
  assert.match(run.stderr, /dataset/);
  assert.doesNotMatch(run.stderr, /permission/);
});

test('--model FOLDER reads FOLDER/bundle.json', async () => {
  const loaded = await readBundleFile(TINY_FOLDER);
  assert.equal(loaded.path, join(TINY_FOLDER, 'bundle.json'));
  assert.deepEqual(loaded.bundle.classes, ['dicentric', 'fragment']);

  const dir = await makeTempDir('messages');
  await sharp({
    create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 200, b: 200 } },
  })
    .png()
    .toFile(join(dir, 'cell.png'));
  const out = join(dir, 'detections.json');
  const run = await runCli([
    'detect',
    '--model',
    TINY_FOLDER,
    '--images',
    dir,
    '--tc',
    '0.5',
    '--ta',
    '2',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((JSON.parse(run.stdout) as { ok: boolean }).ok, true);
});

test('--model FOLDER without bundle.json says which file it looked for', async () => {
  const dir = await makeTempDir('messages');
  const run = await runCli([
    'detect',
    '--model',
    dir,
    '--images',
    dir,
    '--out',
    join(dir, 'd.json'),
  ]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /DCN_E_FILE_NOT_FOUND/);
  assert.ok(run.stderr.includes(join(dir, 'bundle.json')), run.stderr);
});
