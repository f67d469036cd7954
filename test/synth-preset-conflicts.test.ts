import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './support/run-cli.js';
import { makeTempDir } from './support/paths.js';

test('synth --preset wide refuses the fixed-frame options it replaces, and writes nothing', async () => {
  const dir = await makeTempDir('preset-conflict');
  for (const extra of [
    ['--difficulty', 'hard'],
    ['--size', '512x448'],
    ['--scale', '0.5'],
    ['--rgb'],
    ['--jpeg-quality', '80'],
    ['--touching-pairs', '3'],
  ]) {
    const out = join(dir, extra[0]!.slice(2));
    const result = await runCli([
      'synth',
      '--out',
      out,
      '--count',
      '2',
      '--preset',
      'wide',
      ...extra,
    ]);
    assert.equal(result.code, 2, `${extra[0]}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`--preset.*${extra[0]}|${extra[0]}.*--preset`));
  }
  assert.deepEqual(await readdir(dir), []);
});
