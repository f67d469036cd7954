import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdir, readFile, readdir, writeFile, access } from 'node:fs/promises';
import sharp from 'sharp';
import { importDataset } from '../src/engines/import/import-dataset.js';
import { parseYoloClassMap } from '../src/formats/yolo-labels.js';
import { DicentraError } from '../src/formats/dicentra-error.js';
import { makeTempDir, REFS, FIXTURES } from './support/paths.js';
import { runCli } from './support/run-cli.js';

const REAL = join(REFS, 'real-metaphases');

async function greyPng(path: string, width: number, height: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 200, b: 200 } } })
    .png()
    .toFile(path);
}

test('the real reference metaphases import with every YOLO box as a chromosome point', async () => {
  const labelCounts = new Map<string, number>();
  for (const name of await readdir(join(REAL, 'labels'))) {
    const text = await readFile(join(REAL, 'labels', name), 'utf8');
    labelCounts.set(
      name.replace('.txt', ''),
      text.split('\n').filter((line) => line.trim() !== '').length,
    );
  }
  const dir = await makeTempDir('real');
  const { dataset } = await importDataset({
    imagesDir: join(REAL, 'images'),
    annotations: {
      kind: 'yolo',
      labelDir: join(REAL, 'labels'),
      classMap: parseYoloClassMap('*=chromosome'),
    },
    outPath: join(dir, 'dataset.json'),
  });
  assert.equal(dataset.images.length, 8);
  assert.deepEqual(dataset.classes, ['chromosome']);
  for (const image of dataset.images) {
    assert.equal(image.width, 1440);
    assert.equal(image.height, 1024);
    assert.equal(
      image.points!.chromosome!.length,
      labelCounts.get(image.id),
      `points of image ${image.id}`,
    );
  }
});

test('a YOLO box becomes its centre in pixels', async () => {
  const dir = await makeTempDir('yolo');
  await mkdir(join(dir, 'img'));
  await mkdir(join(dir, 'lab'));
  await greyPng(join(dir, 'img', 'cell.png'), 200, 100);
  await writeFile(join(dir, 'lab', 'cell.txt'), '0 0.25 0.5 0.1 0.1\n1 0.75 0.2 0.05 0.05\n');
  const { dataset } = await importDataset({
    imagesDir: join(dir, 'img'),
    annotations: {
      kind: 'yolo',
      labelDir: join(dir, 'lab'),
      classMap: parseYoloClassMap('0=dicentric,1=fragment'),
    },
    outPath: join(dir, 'dataset.json'),
  });
  assert.deepEqual(dataset.images[0]!.points, { dicentric: [[50, 50]], fragment: [[150, 20]] });
  assert.equal(dataset.images[0]!.path, 'img/cell.png');
});

test('an unmapped YOLO class id is refused', async () => {
  const dir = await makeTempDir('yolo');
  await greyPng(join(dir, 'cell.png'), 20, 20);
  await writeFile(join(dir, 'cell.txt'), '2 0.5 0.5 0.1 0.1\n');
  await assert.rejects(
    importDataset({
      imagesDir: dir,
      annotations: { kind: 'yolo', labelDir: dir, classMap: parseYoloClassMap('0=dicentric') },
      outPath: join(dir, 'dataset.json'),
    }),
    (error: DicentraError) =>
      error.code === 'DCN_E_YOLO_INVALID' && /class id 2/.test(error.message),
  );
});

test('CSV points import onto PNG, 16-bit TIFF and JPEG images, with splits grouped by sample', async () => {
  const dir = await makeTempDir('csv');
  const images = join(dir, 'images');
  await mkdir(images);
  await greyPng(join(images, 'p1-a.png'), 40, 30);
  await greyPng(join(images, 'p1-b.png'), 40, 30);
  await sharp({ create: { width: 40, height: 30, channels: 3, background: 'white' } })
    .jpeg()
    .toFile(join(images, 'p2-a.jpg'));
  await writeFile(join(images, 'p3-a.tif'), await readFile(join(FIXTURES, 'grey16.tif')));
  await writeFile(
    join(dir, 'points.csv'),
    'image,class,x,y\np1-a.png,dicentric,10,12\np1-a.png,fragment,3.5,4\np2-a.jpg,dicentric,39,29\np3-a.tif,dicentric,1,1\n',
  );
  await writeFile(
    join(dir, 'samples.csv'),
    'image,sampleId,doseGy\np1-a.png,P1,2\np1-b.png,P1,2\np2-a.jpg,P2,0.5\np3-a.tif,P3,\n',
  );
  const { dataset } = await importDataset({
    imagesDir: images,
    annotations: { kind: 'points', csv: join(dir, 'points.csv') },
    samplesCsv: join(dir, 'samples.csv'),
    split: { ratios: { train: 0.5, val: 0.25, test: 0.25 }, seed: 5, groupBySample: true },
    outPath: join(dir, 'dataset.json'),
  });
  assert.deepEqual(dataset.classes, ['dicentric', 'fragment']);
  const byId = new Map(dataset.images.map((image) => [image.id, image]));
  assert.deepEqual(byId.get('p1-a')!.points, { dicentric: [[10, 12]], fragment: [[3.5, 4]] });
  assert.deepEqual(byId.get('p1-b')!.points, { dicentric: [], fragment: [] });
  assert.equal(byId.get('p3-a')!.width, 16);
  assert.equal(byId.get('p1-a')!.doseGy, 2);
  assert.equal(byId.get('p3-a')!.doseGy, undefined);
  assert.equal(byId.get('p1-a')!.split, byId.get('p1-b')!.split, 'one sample, one split');
  assert.equal(dataset.provenance?.seed, 5);
});

test('import with a duplicate id and an out-of-bounds point reports both, exits 2 and writes nothing', async () => {
  const dir = await makeTempDir('bad');
  await greyPng(join(dir, 'a.png'), 20, 10);
  await sharp({ create: { width: 20, height: 10, channels: 3, background: 'white' } })
    .jpeg()
    .toFile(join(dir, 'a.jpg'));
  await writeFile(join(dir, 'points.csv'), 'image,class,x,y\na.png,dicentric,25,5\n');
  const out = join(dir, 'out', 'dataset.json');
  const run = await runCli([
    'import',
    '--images',
    dir,
    '--points',
    join(dir, 'points.csv'),
    '--out',
    out,
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /DCN_E_DUPLICATE_ID in \S*a\.png: a\.jpg and a\.png would share/);
  assert.match(run.stderr, /DCN_E_POINT_OUT_OF_BOUNDS in \S*points\.csv line 2:/);
  await assert.rejects(access(out));
});

test('a point table without a y column, or with a non-numeric x, is refused naming the line', async () => {
  const dir = await makeTempDir('csv');
  await greyPng(join(dir, 'a.png'), 20, 10);
  await writeFile(join(dir, 'no-y.csv'), 'image,class,x\na.png,dicentric,3\n');
  await writeFile(
    join(dir, 'bad-x.csv'),
    'image,class,x,y\na.png,dicentric,3,4\na.png,fragment,abc,4\n',
  );
  const attempt = (csv: string) =>
    importDataset({
      imagesDir: dir,
      annotations: { kind: 'points', csv: join(dir, csv) },
      outPath: join(dir, 'dataset.json'),
    });
  await assert.rejects(attempt('no-y.csv'), (error: DicentraError) => {
    assert.equal(error.code, 'DCN_E_CSV_INVALID');
    assert.match(error.message, /lacks column\(s\) y/);
    return true;
  });
  await assert.rejects(attempt('bad-x.csv'), (error: DicentraError) => {
    assert.equal(error.code, 'DCN_E_CSV_INVALID');
    assert.match(error.message, /line 3: x and y must be numbers/);
    return true;
  });
});
