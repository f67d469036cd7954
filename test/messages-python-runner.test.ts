import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, REPO_ROOT } from './support/paths.js';

/** Runs python/run-tests.sh with a stand-in Python whose `-m pytest` exits with `status`. */
async function runWithPytestExiting(status: number) {
  const dir = await makeTempDir('messages');
  const python = join(dir, 'python');
  await writeFile(python, `#!/bin/sh\necho "fake pytest $*"\nexit ${status}\n`);
  await chmod(python, 0o755);
  return spawnSync('sh', [join(REPO_ROOT, 'python', 'run-tests.sh')], {
    env: { ...process.env, DICENTRA_PYTHON: python },
    encoding: 'utf8',
  });
}

test('python/run-tests.sh fails when pytest collects no test (exit 5)', async () => {
  const run = await runWithPytestExiting(5);
  assert.notEqual(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout + run.stderr, /no tests collected/);
});

test('python/run-tests.sh passes pytest’s own success and failure through', async () => {
  assert.equal((await runWithPytestExiting(0)).status, 0);
  assert.equal((await runWithPytestExiting(1)).status, 1);
});
