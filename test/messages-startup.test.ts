import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir } from './support/paths.js';
import { CLI } from './support/run-cli.js';

const COMMANDS = [
  'import',
  'validate',
  'synth',
  'train',
  'demo',
  'detect',
  'evaluate',
  'curve',
  'dose',
  'limits',
  'calibrate',
  'dynamics',
  'counts',
  'triage',
  'report',
  'submit',
  'worker',
  'queue-status',
];

/** Libraries only the commands' engines need; --help must not pay for them. */
const HEAVY =
  /\/node_modules\/(onnxruntime-node|sharp|vega|vega-lite|libsvm-js|ml-[a-z]+|bullmq|ioredis)\//;

/**
 * Preloads for a child process: `loads` records every resolved module URL
 * (a loader hook) and its CPU time, `cpu` only its CPU time (user + system,
 * written on exit); both append to the file named by DCN_LOAD_LOG.
 */
async function preloads(): Promise<{ loads: string[]; cpu: string[] }> {
  const dir = await makeTempDir('messages');
  const hooks = join(dir, 'hooks.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.DCN_LOAD_LOG, result.url + '\\n');
  return result;
}
`,
  );
  const cpu = join(dir, 'cpu.mjs');
  await writeFile(
    cpu,
    `import { appendFileSync } from 'node:fs';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  appendFileSync(process.env.DCN_LOAD_LOG, 'cpu-seconds ' + (user + system) / 1e6 + '\\n');
});
`,
  );
  const register = join(dir, 'register.mjs');
  await writeFile(
    register,
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});
`,
  );
  return {
    loads: ['--import', pathToFileURL(register).href],
    cpu: ['--import', pathToFileURL(cpu).href],
  };
}

test('--help and COMMAND --help load none of onnxruntime-node, sharp, vega, libsvm-js, ml-*', async () => {
  const preload = (await preloads()).loads;
  const dir = await makeTempDir('messages');
  for (const command of [[], ...COMMANDS.map((name) => [name])]) {
    const log = join(dir, `${command[0] ?? 'top'}.log`);
    const run = spawnSync(process.execPath, [...preload, CLI, ...command, '--help'], {
      env: { ...process.env, DCN_LOAD_LOG: log },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: dicentra/);
    const loaded = (await readFile(log, 'utf8')).split('\n');
    assert.ok(
      loaded.some((url) => url.includes('/node_modules/commander/')),
      'the hook records loads',
    );
    const heavy = loaded.filter((url) => HEAVY.test(url));
    assert.deepEqual(heavy, [], `dicentra ${command.join(' ')} --help loaded heavy modules`);
  }
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Start-up is measured as the CPU time the process spends (user + system):
 * unlike wall time it does not grow when other work shares the machine, so the
 * bound holds on a busy CI runner. Loading every engine for --help took about
 * 2.5 s of CPU; without them it is a bare node plus commander (about 0.3 s).
 */
test('dicentra --help and COMMAND --help start fast: median CPU time under 1 s', async (t) => {
  const preload = (await preloads()).cpu;
  const dir = await makeTempDir('messages');
  for (const command of [[], ['synth'], ['detect']]) {
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const log = join(dir, `${command[0] ?? 'top'}-${i}.log`);
      const started = process.hrtime.bigint();
      const run = spawnSync(process.execPath, [...preload, CLI, ...command, '--help'], {
        env: { ...process.env, DCN_LOAD_LOG: log },
      });
      wall.push(Number(process.hrtime.bigint() - started) / 1e9);
      assert.equal(run.status, 0);
      const line = (await readFile(log, 'utf8'))
        .split('\n')
        .find((l) => l.startsWith('cpu-seconds'));
      cpu.push(Number(line!.split(' ')[1]));
    }
    const name = ['dicentra', ...command, '--help'].join(' ');
    t.diagnostic(
      `${name}: median CPU ${median(cpu).toFixed(2)} s, wall ${median(wall).toFixed(2)} s`,
    );
    assert.ok(median(cpu) < 1, `${name} used ${median(cpu)} s of CPU`);
  }
});
