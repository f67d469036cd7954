import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPointTable } from '../src/formats/point-table.js';
import { readSampleTable } from '../src/formats/sample-table.js';
import { makeTempDir } from './support/paths.js';

test('a bad row after blank lines is reported at its own line of the file', async () => {
  const dir = await makeTempDir('csv-lines');
  // line 1 header, 2 a good row, 3–4 blank, 5 the bad row
  const points = join(dir, 'points.csv');
  await writeFile(points, 'image,class,x,y\na.png,dicentric,3,4\n\n\nb.png,dicentric,0x10,4\n');
  await assert.rejects(readPointTable(points), (error: Error & { field?: string }) => {
    assert.match(error.message, /line 5: x and y must be numbers/);
    assert.equal(error.field, 'line 5');
    return true;
  });
  const samples = join(dir, 'samples.csv');
  await writeFile(samples, 'image,sampleId,doseGy\n\na.png,p1,1\n\nb.png,p1,-2\n');
  await assert.rejects(readSampleTable(samples), /line 5: doseGy must be a decimal number/);
});

test('points keep the line they were read from', async () => {
  const dir = await makeTempDir('csv-lines');
  const points = join(dir, 'points.csv');
  await writeFile(points, 'image,class,x,y\n\na.png,dicentric,3,4\n');
  const table = await readPointTable(points);
  assert.equal(table.get('a.png')!.get('dicentric')![0]!.line, 3);
});
