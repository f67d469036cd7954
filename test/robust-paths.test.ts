import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { importDataset } from '../src/engines/import/import-dataset.js';
import { readDatasetFile } from '../src/formats/dataset-file.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';
import { refusalOf } from './support/robust-program.js';

async function grey(path: string, format: 'png' | 'tiff' = 'png'): Promise<void> {
  await sharp({ create: { width: 16, height: 8, channels: 3, background: '#808080' } })
    .toFormat(format)
    .toFile(path);
}

async function datasetWith(dir: string, paths: string[], extra = {}): Promise<string> {
  const file = join(dir, 'dataset.json');
  await writeFile(
    file,
    JSON.stringify({
      version: '1.0',
      classes: ['dicentric'],
      images: paths.map((path, i) => ({ id: `i${i}`, path, width: 16, height: 8, split: 'none' })),
      ...extra,
    }),
  );
  return file;
}

test('dataset image paths must be relative, normalised and inside the dataset folder', async () => {
  const dir = await makeTempDir('robust-paths');
  await mkdir(join(dir, 'data', 'sub'), { recursive: true });
  await grey(join(dir, 'outside.png'));
  await grey(join(dir, 'data', 'sub', 'in.png'));
  const bad = [
    '../outside.png',
    '/etc/passwd',
    'sub/../sub/in.png',
    './sub/in.png',
    'sub//in.png',
    'sub\\in.png',
    'C:/images/in.png',
  ];
  const dataset = await datasetWith(join(dir, 'data'), bad);
  const run = await runCli(['validate', dataset, '--json']);
  assert.equal(run.code, 2, run.stderr);
  const error = JSON.parse(run.stdout).error as {
    code: string;
    problems: { field: string; message: string }[];
  };
  assert.equal(error.code, 'DCN_E_SCHEMA_INVALID');
  assert.deepEqual(
    error.problems.map((p) => p.field),
    bad.map((_, i) => `images[${i}].path`),
  );
  const messages = error.problems.map((p) => p.message);
  assert.match(messages[0]!, /must stay inside the dataset's folder/);
  assert.match(messages[1]!, /must be relative to the dataset's folder, not absolute/);
  assert.match(messages[2]!, /must be normalised .* e\.g\. "sub\/in\.png"/);
  assert.match(messages[5]!, /must use "\/" as the separator/);
  assert.match(messages[6]!, /not absolute/);

  const good = await readDatasetFile(await datasetWith(join(dir, 'data'), ['sub/in.png']));
  assert.equal(good.images[0]!.path, 'sub/in.png');
});

test('a dataset that declares imagesOutsideFolder may name images outside its folder', async () => {
  const dir = await makeTempDir('robust-paths');
  await mkdir(join(dir, 'data'));
  const dataset = await datasetWith(
    join(dir, 'data'),
    ['../outside.png', join(dir, 'outside.png')],
    { imagesOutsideFolder: true },
  );
  const read = await readDatasetFile(dataset);
  assert.deepEqual(
    read.images.map((image) => image.path),
    ['../outside.png', join(dir, 'outside.png')],
  );
});

test('import from a folder outside the dataset folder records imagesOutsideFolder; inside it does not', async () => {
  const dir = await makeTempDir('robust-paths');
  await mkdir(join(dir, 'scans'));
  await grey(join(dir, 'scans', 'a.png'));
  const points = join(dir, 'p.csv');
  await writeFile(points, 'image,class,x,y\na.png,dicentric,3,4\n');
  const outside = join(dir, 'data', 'dataset.json');
  const run = await runCli([
    'import',
    '--images',
    join(dir, 'scans'),
    '--points',
    points,
    '--out',
    outside,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const written = JSON.parse(await readFile(outside, 'utf8'));
  assert.equal(written.images[0].path, '../scans/a.png');
  assert.equal(written.imagesOutsideFolder, true);
  assert.equal((await readDatasetFile(outside)).images.length, 1);

  const { dataset: within } = await importDataset({
    imagesDir: join(dir, 'scans'),
    annotations: { kind: 'points', csv: points },
    outPath: join(dir, 'dataset.json'),
  });
  assert.equal(within.images[0]!.path, 'scans/a.png');
  assert.equal(within.imagesOutsideFolder, undefined);
});

test('import and detect refuse two image files with one stem, naming both files', async () => {
  const dir = await makeTempDir('robust-paths');
  await mkdir(join(dir, 'img'));
  await grey(join(dir, 'img', 'cell.png'));
  await grey(join(dir, 'img', 'cell.tif'), 'tiff');
  await grey(join(dir, 'img', 'other.png'));
  const points = join(dir, 'p.csv');
  await writeFile(points, 'image,class,x,y\n');
  const imported = await refusalOf([
    'import',
    '--images',
    join(dir, 'img'),
    '--points',
    points,
    '--out',
    join(dir, 'd.json'),
  ]);
  assert.equal(imported.code, 'DCN_E_DATASET_INVALID');
  assert.equal(imported.exitCode, 2);
  assert.deepEqual(
    imported.problems.map((p) => [p.code, p.file]),
    [['DCN_E_DUPLICATE_ID', join(dir, 'img', 'cell.tif')]],
  );
  assert.match(
    imported.problems[0]!.message,
    /cell\.png and cell\.tif would share the image id "cell"/,
  );

  const detect = await refusalOf([
    'detect',
    '--model',
    join(FIXTURES, 'tiny-bundle', 'bundle.json'),
    '--images',
    join(dir, 'img'),
    '--out',
    join(dir, 'det.json'),
  ]);
  assert.equal(detect.code, 'DCN_E_DUPLICATE_ID');
  assert.match(detect.message, /id "cell" from cell\.png, cell\.tif/);
});
