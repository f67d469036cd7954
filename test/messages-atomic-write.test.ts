import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/formats/atomic-write.js';
import { makeTempDir } from './support/paths.js';

test('an output name of 245 characters can be written (the temporary name stays short)', async () => {
  const dir = await makeTempDir('messages');
  const name = `${'a'.repeat(240)}.json`;
  assert.equal(name.length, 245);
  await writeFileAtomic(join(dir, name), '{"ok":true}\n');
  assert.equal(await readFile(join(dir, name), 'utf8'), '{"ok":true}\n');
  assert.deepEqual(await readdir(dir), [name]);
});

test('the longest valid name (255) works too, and a failed write leaves no temporary file', async () => {
  const dir = await makeTempDir('messages');
  const name = 'b'.repeat(255);
  await writeFileAtomic(join(dir, name), 'x');
  assert.deepEqual(await readdir(dir), [name]);
  // a folder where the file should go: the rename fails after the temporary file was written
  const blocked = await makeTempDir('messages');
  await writeFile(join(blocked, 'keep.txt'), 'k');
  await mkdir(join(blocked, 'out.json'));
  await assert.rejects(
    writeFileAtomic(join(blocked, 'out.json'), 'data'),
    /DCN_E_FILE_WRITE|could not write/,
  );
  assert.deepEqual((await readdir(blocked)).sort(), ['keep.txt', 'out.json']);
});
