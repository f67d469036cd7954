import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundleFile, verifyBundleMembers } from '../src/formats/bundle-file.js';
import { makeTempDir } from './support/paths.js';
import { CLI } from './support/run-cli.js';
import { makeTinyTrainingSet } from './support/tiny-training-set.js';

const TINY = ['--depth', '2', '--base-width', '4', '--batch-size', '3', '--threads', '1'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onStderr` may interrupt it (returns true to send `signal`, default SIGINT, once). */
function train(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    onStderr?: (text: string) => boolean;
    signal?: NodeJS.Signals;
  } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'train', ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!signalled && options.onStderr?.(stderr)) {
        signalled = true;
        child.kill(options.signal ?? 'SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const folder = await makeTempDir('train-cli');
const set = await makeTinyTrainingSet(join(folder, 'data'), { count: 6, size: 32, seed: 2 });

test('no Python with torch: exit 2 with DCN_E_PYTHON_MISSING and the install command', async () => {
  const run = await train(['--data', set.datasetPath, '--out', join(folder, 'nopy')], {
    env: { DICENTRA_PYTHON: join(folder, 'no-such-python') },
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /DCN_E_PYTHON_MISSING/);
  assert.match(run.stderr, /apt-get install python3-torch/);
});

test('an unknown key in the config file is refused naming the file and the key', async () => {
  const config = join(folder, 'bad-config.json');
  await writeFile(config, JSON.stringify({ epochs: 2, learningrate: 0.1 }));
  const run = await train([
    '--data',
    set.datasetPath,
    '--out',
    join(folder, 'badcfg'),
    '--config',
    config,
    '--json',
  ]);
  assert.equal(run.code, 2);
  const error = (JSON.parse(run.stdout) as { error: { code: string; file: string; field: string } })
    .error;
  assert.equal(error.code, 'DCN_E_SCHEMA_INVALID');
  assert.equal(error.file, config);
  assert.equal(error.field, 'learningrate');
  assert.match(run.stderr, /did you mean learningRate/);
});

test('a diverging run stops with DCN_E_TRAINING_DIVERGED and exit 4', async () => {
  const out = join(folder, 'diverge');
  const run = await train([
    '--data',
    set.datasetPath,
    '--out',
    out,
    ...TINY,
    '--lr',
    '1e30',
    '--weight-decay',
    '0',
    '--epochs',
    '3',
    '--warmup',
    '0',
  ]);
  assert.equal(run.code, 4, run.stderr);
  assert.match(run.stderr, /error\[DCN_E_TRAINING_DIVERGED\]: the training loss became (nan|inf)/);
});

test('Ctrl-C stops at a safe point with a valid bundle; --resume finishes the run', async () => {
  const out = join(folder, 'interrupt');
  const args = ['--data', set.datasetPath, '--out', out, ...TINY, '--warmup', '1'];
  const first = await train([...args, '--epochs', '500'], {
    onStderr: (text) => /epoch 2\/500/.test(text),
  });
  assert.equal(first.code, 130, first.stderr);
  assert.match(first.stderr, /DCN_E_INTERRUPTED/);
  const partial = await readBundleFile(join(out, 'bundle.json'));
  const finished = partial.bundle.members.map((m) => m.epoch);
  assert.ok(finished.length >= 1 && finished[0] === 2);
  await verifyBundleMembers(partial, partial.bundle.members);

  const reused = await train([...args, '--epochs', '500']);
  assert.equal(reused.code, 2);
  assert.match(reused.stderr, /DCN_E_RUN_STATE/);

  const last = finished.at(-1)! + 2;
  const resumed = await train([...args, '--epochs', String(last), '--resume', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const bundle = await readBundleFile(join(out, 'bundle.json'));
  assert.deepEqual(
    bundle.bundle.members.map((m) => m.epoch),
    Array.from({ length: last - 1 }, (_, i) => i + 2),
  );
  await verifyBundleMembers(bundle, bundle.bundle.members);
});

/** Processes whose command line mentions `text` (read from /proc). */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (command.includes(text)) found.push(Number(entry));
  }
  return found;
}

test('SIGTERM stops like Ctrl-C: exit 130, a valid bundle, and no worker left running', async () => {
  const out = join(folder, 'terminated');
  const run = await train(
    ['--data', set.datasetPath, '--out', out, ...TINY, '--warmup', '1', '--epochs', '500'],
    { onStderr: (text) => /epoch 2\/500/.test(text), signal: 'SIGTERM' },
  );
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /DCN_E_INTERRUPTED/);
  const bundle = await readBundleFile(join(out, 'bundle.json'));
  await verifyBundleMembers(bundle, bundle.bundle.members);
  assert.deepEqual(await processesMentioning(out), []);
});
