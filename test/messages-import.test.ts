import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';

async function greyPng(path: string, width: number, height: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 200, b: 200 } } })
    .png()
    .toFile(path);
}

interface ErrorDocument {
  ok: boolean;
  error: { code: string; problems?: { code: string; file?: string; field?: string }[] };
}

test('import names the CSV file and line of a point outside its image, not the unwritten output', async () => {
  const dir = await makeTempDir('messages');
  await greyPng(join(dir, 'a.png'), 20, 10);
  const csv = join(dir, 'points.csv');
  await writeFile(csv, 'image,class,x,y\na.png,dicentric,5,5\na.png,fragment,25,5\n');
  const out = join(dir, 'out', 'dataset.json');
  const run = await runCli(['import', '--images', dir, '--points', csv, '--out', out, '--json']);
  assert.equal(run.code, 2, run.stderr);
  const { error } = JSON.parse(run.stdout) as ErrorDocument;
  assert.deepEqual(error.problems, [
    {
      code: 'DCN_E_POINT_OUT_OF_BOUNDS',
      file: csv,
      field: 'line 3',
      message: 'point (25, 5) of class "fragment" lies outside the 20×10 image a.png',
    },
  ]);
  assert.ok(!run.stderr.includes(out), run.stderr);
  await assert.rejects(access(out));
});

test('import names the CSV line of an image that is not in the folder', async () => {
  const dir = await makeTempDir('messages');
  await greyPng(join(dir, 'a.png'), 20, 10);
  const csv = join(dir, 'points.csv');
  await writeFile(csv, 'image,class,x,y\na.png,dicentric,5,5\nb.png,dicentric,5,5\n');
  const run = await runCli([
    'import',
    '--images',
    dir,
    '--points',
    csv,
    '--out',
    join(dir, 'd.json'),
    '--json',
  ]);
  assert.equal(run.code, 2, run.stderr);
  const { error } = JSON.parse(run.stdout) as ErrorDocument;
  assert.equal(error.problems?.length, 1);
  assert.equal(error.problems?.[0]?.file, csv);
  assert.equal(error.problems?.[0]?.field, 'line 3');
  assert.match(run.stderr, /b\.png/);
});

test('import checks every image and lists all broken ones at once, writing nothing', async () => {
  const dir = await makeTempDir('messages');
  await greyPng(join(dir, 'a.png'), 20, 10);
  await writeFile(join(dir, 'b.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really a png'));
  await greyPng(join(dir, 'c.png'), 20, 10);
  await writeFile(join(dir, 'd.png'), 'plain text');
  const csv = join(dir, 'points.csv');
  await writeFile(csv, 'image,class,x,y\na.png,dicentric,5,5\nc.png,dicentric,30,5\n');
  const out = join(dir, 'dataset.json');
  const run = await runCli(['import', '--images', dir, '--points', csv, '--out', out, '--json']);
  assert.equal(run.code, 3, run.stderr);
  const { error } = JSON.parse(run.stdout) as ErrorDocument;
  assert.deepEqual(
    error.problems?.map((p) => [p.code, p.file, p.field]),
    [
      ['DCN_E_IMAGE_DECODE', join(dir, 'b.png'), undefined],
      ['DCN_E_IMAGE_DECODE', join(dir, 'd.png'), undefined],
      ['DCN_E_POINT_OUT_OF_BOUNDS', csv, 'line 3'],
    ],
  );
  await assert.rejects(access(out));
});

test('import names the YOLO label file and line of a bad box', async () => {
  const dir = await makeTempDir('messages');
  await greyPng(join(dir, 'cell.png'), 20, 20);
  await writeFile(join(dir, 'cell.txt'), '0 0.5 0.5 0.1 0.1\n0 1.5 0.5 0.1 0.1\n');
  const run = await runCli([
    'import',
    '--images',
    dir,
    '--yolo',
    dir,
    '--out',
    join(dir, 'd.json'),
    '--json',
  ]);
  assert.equal(run.code, 2, run.stderr);
  const { error } = JSON.parse(run.stdout) as ErrorDocument;
  assert.deepEqual(
    error.problems?.map((p) => [p.code, p.file, p.field]),
    [['DCN_E_YOLO_INVALID', join(dir, 'cell.txt'), 'line 2']],
  );
});

test('--yolo-classes ID=- drops a class: its boxes are ignored and counted in a note', async () => {
  const dir = await makeTempDir('messages');
  await greyPng(join(dir, 'k1.png'), 100, 100);
  await greyPng(join(dir, 'k2.png'), 100, 100);
  // a karyotype labelled 0 dicentric, 1 normal chromosome, 2 fragment
  await writeFile(
    join(dir, 'k1.txt'),
    '1 0.1 0.1 0.1 0.1\n0 0.5 0.5 0.1 0.1\n1 0.2 0.2 0.1 0.1\n2 0.3 0.3 0.1 0.1\n',
  );
  await writeFile(join(dir, 'k2.txt'), '1 0.4 0.4 0.1 0.1\n1 0.6 0.6 0.1 0.1\n');
  const out = join(dir, 'dataset.json');
  const run = await runCli([
    'import',
    '--images',
    dir,
    '--yolo',
    dir,
    '--yolo-classes',
    '0=dicentric,*=-',
    '--out',
    out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /5 boxes of dropped classes ignored/);
  const dataset = JSON.parse(await readFile(out, 'utf8')) as {
    classes: string[];
    images: { id: string; points: Record<string, number[][]> }[];
  };
  assert.deepEqual(dataset.classes, ['dicentric']);
  assert.deepEqual(
    dataset.images.map((image) => [image.id, image.points]),
    [
      ['k1', { dicentric: [[50, 50]] }],
      ['k2', { dicentric: [] }],
    ],
  );
});

test('--help and docs/cli.md document dropping a YOLO class with ID=-', async () => {
  const help = await runCli(['import', '--help']);
  assert.match(help.stdout, /ID=-/);
  const docs = await readFile(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  assert.match(docs, /`0=-`|ID=-/);
});
