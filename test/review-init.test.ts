import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCountedCell } from './support/counted-cell.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { runCli } from './support/run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle');

test('review --init copies the images into the case and runs detect on them; a second --init is refused', async () => {
  const dir = await makeTempDir('review-init');
  const scans = join(dir, 'person-7');
  await mkdir(scans);
  // the tiny bundle sees a bright block as a dicentric and a dark one as a fragment
  await writeCountedCell(join(scans, 'a.png'), 2, 1);
  await writeCountedCell(join(scans, 'b.png'), 0, 1);
  await writeCountedCell(join(scans, 'c.png'), 1, 0);
  const caseDir = join(dir, 'case');
  const init = await runCli([
    'review',
    '--init',
    '--case',
    caseDir,
    '--images',
    scans,
    '--model',
    TINY,
  ]);
  assert.equal(init.code, 0, init.stderr);
  const detections = JSON.parse(await readFile(join(caseDir, 'detections.json'), 'utf8')) as {
    images: { id: string; sampleId: string; path: string; counts: Record<string, number> }[];
  };
  assert.deepEqual(
    detections.images.map((image) => [image.id, image.sampleId, image.path, image.counts]),
    [
      ['a', 'person-7', 'images/a.png', { dicentric: 2, fragment: 1 }],
      ['b', 'person-7', 'images/b.png', { dicentric: 0, fragment: 1 }],
      ['c', 'person-7', 'images/c.png', { dicentric: 1, fragment: 0 }],
    ],
  );
  assert.deepEqual(
    await readFile(join(caseDir, 'images', 'a.png')),
    await readFile(join(scans, 'a.png')),
  );
  // no review yet: the counts are detect's; dicentrics only in cells with a fragment (a: 2, b: 0, c: 0)
  const csv = join(dir, 'case.csv');
  const counts = await runCli([
    ...['counts', '--detections', join(caseDir, 'detections.json'), '--review', caseDir],
    ...['--out', csv],
  ]);
  assert.equal(counts.code, 0, counts.stderr);
  assert.equal(await readFile(csv, 'utf8'), 'ID,C0,C1,C2\nperson-7,2,0,1\n');
  assert.equal(existsSync(join(caseDir, 'review.sqlite')), false, 'an export writes no store');

  const again = await runCli([
    'review',
    '--init',
    '--case',
    caseDir,
    '--images',
    scans,
    '--model',
    TINY,
  ]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /DCN_E_OUTPUT_PATH.*is a case already/);
  const stray = await runCli(['review', '--case', caseDir, '--images', scans]);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--images go with --init/);
});
