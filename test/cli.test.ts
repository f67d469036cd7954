import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile, readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { makeTempDir, REFS } from './support/paths.js';
import { runCli } from './support/run-cli.js';

test('--help lists the commands and the exit codes', async () => {
  const run = await runCli(['--help']);
  assert.equal(run.code, 0);
  for (const command of ['import', 'validate', 'demo'])
    assert.match(run.stdout, new RegExp(`\\n  ${command} `));
  assert.match(run.stdout, /130 interrupted/);
});

test('an unknown command exits 2 and says what to run instead', async () => {
  const run = await runCli(['nosuch']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /DCN_E_UNKNOWN_COMMAND/);
  assert.match(run.stderr, /dicentra --help/);
});

test('a misspelt command or flag gets a "did you mean" suggestion and exit 2', async () => {
  const command = await runCli(['improt']);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /Did you mean import\?/);
  const flag = await runCli(['import', '--images', 'x', '--yolo', 'y', '--out', 'z', '--jsn']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--jsn' \(Did you mean --json\?\)/);
});

test('an invalid option value exits 2 naming the flag', async () => {
  const run = await runCli([
    'import',
    '--images',
    'x',
    '--yolo',
    'y',
    '--out',
    'z',
    '--seed',
    '-3',
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /DCN_E_OPTION_INVALID.*--seed/);
});

test('import --json prints exactly one JSON document on stdout', async () => {
  const dir = await makeTempDir('cli');
  const real = join(REFS, 'real-metaphases');
  const run = await runCli([
    'import',
    '--images',
    join(real, 'images'),
    '--yolo',
    join(real, 'labels'),
    '--yolo-classes',
    '*=chromosome',
    '--out',
    join(dir, 'dataset.json'),
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const document = JSON.parse(run.stdout) as { ok: boolean; images: number };
  assert.equal(document.ok, true);
  assert.equal(document.images, 8);
});

test('validate lists a missing file, a duplicate id and an out-of-bounds point together, exit 3', async () => {
  const dir = await makeTempDir('cli');
  await sharp({ create: { width: 20, height: 10, channels: 3, background: 'white' } })
    .png()
    .toFile(join(dir, 'a.png'));
  const dataset = {
    version: '1.0',
    classes: ['dicentric', 'fragment'],
    images: [
      {
        id: 'a',
        path: 'a.png',
        width: 20,
        height: 10,
        split: 'train',
        points: { dicentric: [[30, 2]] },
      },
      { id: 'a', path: 'gone.png', width: 20, height: 10, split: 'train' },
    ],
  };
  const path = join(dir, 'dataset.json');
  await writeFile(path, JSON.stringify(dataset));
  const before = await readdir(dir);
  const run = await runCli(['validate', path, '--json']);
  assert.equal(run.code, 3);
  const document = JSON.parse(run.stdout) as {
    ok: boolean;
    error: { problems: { code: string; field: string }[] };
  };
  assert.equal(document.ok, false);
  assert.deepEqual(
    document.error.problems.map((p) => [p.code, p.field]),
    [
      ['DCN_E_POINT_OUT_OF_BOUNDS', 'images[0].points.dicentric[0]'],
      ['DCN_E_DUPLICATE_ID', 'images[1].id'],
      ['DCN_E_IMAGE_MISSING', 'images[1].path'],
    ],
  );
  assert.deepEqual(await readdir(dir), before, 'validation writes nothing');
});

test('a missing dataset file exits 3', async () => {
  const run = await runCli(['validate', '/nonexistent/dataset.json']);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /DCN_E_FILE_NOT_FOUND/);
});
