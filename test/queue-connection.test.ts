import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { caseJobId } from '../src/engines/queue/case-job-id.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { freePort } from './support/queue-redis.js';
import { CLI, runCli } from './support/run-cli.js';

const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');

test('a case’s job id is a hash of its absolute path: the same folder gives one id however it is named', () => {
  const dir = '/shared/cases/p-017';
  const expected = `case-${createHash('sha256').update('/shared/cases/p-017').digest('hex').slice(0, 32)}`;
  assert.equal(caseJobId(dir), expected);
  assert.equal(caseJobId('/shared/cases/p-017/'), expected);
  assert.equal(caseJobId('/shared/cases/./other/../p-017'), expected);
  assert.equal(caseJobId(relative(process.cwd(), dir)), expected);
  assert.notEqual(caseJobId('/shared/cases/p-018'), expected);
  // BullMQ refuses custom ids that are integers or contain ':'
  assert.match(expected, /^case-[0-9a-f]{32}$/);
});

test('an unreachable Redis is DCN_E_QUEUE_UNREACHABLE (exit 3) naming the URL and the fix, within seconds', async () => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const started = Date.now();
  const status = await runCli(['queue-status', '--queue', url, '--json']);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(status.code, 3, status.stderr);
  assert.ok(seconds < 10, `took ${seconds} s`);
  const error = JSON.parse(status.stdout).error;
  assert.equal(error.code, 'DCN_E_QUEUE_UNREACHABLE');
  assert.match(error.message, new RegExp(`${url}.*ECONNREFUSED`));
  assert.equal(error.field, '--queue');
  assert.match(error.hint, /start redis-server/);
  assert.match(status.stderr, /^error\[DCN_E_QUEUE_UNREACHABLE\]/m);

  // submit checks its cases and model first, then fails the same way; a password is not printed
  const dir = await makeTempDir('queue-unreachable');
  await mkdir(join(dir, 'p-1'));
  const submit = await runCli([
    'submit',
    '--queue',
    `redis://:s3cret@127.0.0.1:${port}`,
    '--case',
    join(dir, 'p-1'),
    '--model',
    TINY,
  ]);
  assert.equal(submit.code, 3, submit.stderr);
  assert.match(submit.stderr, /error\[DCN_E_QUEUE_UNREACHABLE\]: .*redis:\/\/:\*\*\*@127\.0\.0\.1/);
  assert.doesNotMatch(submit.stderr, /s3cret/);
});

test('submit refuses a missing case folder and a URL that is not redis:// before connecting', async () => {
  const dir = await makeTempDir('queue-options');
  const missing = await runCli([
    'submit',
    '--queue',
    'redis://127.0.0.1:1',
    '--case',
    join(dir, 'nobody'),
    '--model',
    TINY,
  ]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(
    missing.stderr,
    /error\[DCN_E_FILE_NOT_FOUND\]: case folder .*nobody does not exist/,
  );
  const status = await runCli(['queue-status', '--queue', 'http://127.0.0.1:6379']);
  assert.equal(status.code, 2);
  assert.match(
    status.stderr,
    /error\[DCN_E_OPTION_INVALID\]: --queue http:\/\/127\.0\.0\.1:6379 is not a Redis URL/,
  );
});

test('a worker without Redis logs that it reconnects, and stops on SIGTERM with exit 130', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'worker', '--queue', `redis://127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const deadline = Date.now() + 15000;
  while (!/ECONNREFUSED.*reconnecting/.test(stderr) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match(
    stderr,
    new RegExp(`queue redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*; reconnecting`),
  );
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /worker stopped: 0 cases completed, 0 failed/);
});
