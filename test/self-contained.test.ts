import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REFS, REPO_ROOT } from './support/paths.js';

/** Every file under a folder, recursively. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test('no source, test or benchmark reads the folder beside the repository', async () => {
  // Built from parts so that this file does not match itself.
  const outside = new RegExp(['\\.\\.', 'shared'].join('[/\\\\]') + "|'\\.\\.',\\s*'shared'");
  const offenders: string[] = [];
  for (const folder of ['src', 'test', 'bench', 'python']) {
    for (const file of await filesUnder(join(REPO_ROOT, folder))) {
      if (!/\.(ts|py|sh|js)$/.test(file)) continue;
      if (outside.test(await readFile(file, 'utf8'))) offenders.push(relative(REPO_ROOT, file));
    }
  }
  assert.deepEqual(offenders, []);
});

test('the reference data the tests read travel with the repository', async () => {
  const files = (await filesUnder(REFS)).map((file) => relative(REFS, file)).sort();
  for (const needed of [
    'biodosetools/expected.json',
    'biodosetools/data/count-data-barquinero-1995.csv',
    'biodosetools/data/count-data-barquinero-1995-aggr.csv',
    'biodosetools/data/cases-data-partial.csv',
    'real-metaphases/LICENSE',
    ...[1, 2, 3, 4, 5, 6, 7, 8].flatMap((n) => [
      `real-metaphases/images/${n}.png`,
      `real-metaphases/labels/${n}.txt`,
    ]),
  ]) {
    assert.ok(files.includes(needed), `${needed} is missing from test/fixtures/refs`);
  }
});
