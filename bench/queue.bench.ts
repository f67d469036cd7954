/**
 * Throughput of the case queue (docs/scale.md): the same synthetic cases run
 * three ways, each on a fresh copy (so no heatmap is read from a cache):
 *   local     `detect` then `counts` per case, one case after another (the single-machine way)
 *   1 worker  `dicentra worker` (all cores) fed by `submit --wait`
 *   2 workers two `dicentra worker`s (--threads 1 each) on the same machine
 * The model is the shipped demo ensemble; the cases are `synth` metaphases at the
 * demo's frame size. No curve: a dose from a count table takes milliseconds.
 *
 *   npm run bench -- queue [--cases 6] [--cells 4]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir, REPO_ROOT } from '../test/support/paths.js';
import { startRedis } from '../test/support/queue-redis.js';
import { CLI } from '../test/support/run-cli.js';
import { cpuModel } from './cpu-model.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '6' },
    cells: { type: 'string', default: '4' },
  },
  strict: false,
});
const caseCount = Number(values.cases);
const cellsPerCase = Number(values.cells);
const MODEL = join(REPO_ROOT, 'models', 'demo', 'bundle.json');

function run(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`dicentra ${args[0]} exit ${code}: ${stderr}`)),
    );
  });
}

const work = await makeTempDir('queue-bench');
await run([
  'synth',
  '--out',
  join(work, 'synth'),
  '--count',
  String(caseCount * cellsPerCase),
  '--size',
  '768x672',
  '--seed',
  '11',
  '-q',
]);
const images = (await readdir(join(work, 'synth', 'images'))).sort();

/** A fresh copy of the cases under `folder`: case k gets images k·cells … (k+1)·cells − 1. */
async function copyCases(folder: string): Promise<string[]> {
  const dirs: string[] = [];
  for (let k = 0; k < caseCount; k++) {
    const dir = join(work, folder, `p-${k}`);
    await mkdir(dir, { recursive: true });
    for (const name of images.slice(k * cellsPerCase, (k + 1) * cellsPerCase)) {
      await copyFile(join(work, 'synth', 'images', name), join(dir, name));
    }
    dirs.push(dir);
  }
  return dirs;
}

async function local(): Promise<number> {
  const dirs = await copyCases('local');
  const started = performance.now();
  for (const dir of dirs) {
    await run([
      'detect',
      '--model',
      MODEL,
      '--images',
      dir,
      '--out',
      join(dir, 'detections.json'),
      '-q',
    ]);
    await run([
      'counts',
      '--detections',
      join(dir, 'detections.json'),
      '--out',
      join(dir, 'counts.csv'),
      '-q',
    ]);
  }
  return (performance.now() - started) / 1000;
}

async function queued(workers: number): Promise<number> {
  const dirs = await copyCases(`queue-${workers}`);
  const redis = await startRedis();
  const threads = workers === 1 ? '0' : '1';
  const children: ChildProcess[] = Array.from({ length: workers }, () =>
    spawn(process.execPath, [CLI, 'worker', '--queue', redis.url, '--threads', threads, '-q'], {
      stdio: 'ignore',
    }),
  );
  try {
    const started = performance.now();
    await run([
      'submit',
      '--queue',
      redis.url,
      '--case',
      ...dirs,
      '--model',
      MODEL,
      '--wait',
      '-q',
    ]);
    return (performance.now() - started) / 1000;
  } finally {
    for (const child of children) child.kill('SIGINT');
    await Promise.all(children.map((child) => once(child, 'exit')));
    await redis.stop();
  }
}

const cpu = cpuModel();
console.log(
  `CPU: ${cpu}, ${availableParallelism()} cores; ${caseCount} cases × ${cellsPerCase} cells of 768×672 (synth), model models/demo`,
);
const seconds = { local: await local(), one: await queued(1), two: await queued(2) };
const rate = (s: number) =>
  `${(caseCount / s).toFixed(3)} cases/s, ${((caseCount * cellsPerCase) / s).toFixed(2)} cells/s`;
console.log(`| run | seconds | throughput | vs local |`);
console.log(`|---|---|---|---|`);
console.log(
  `| local sequential (detect + counts per case) | ${seconds.local.toFixed(1)} | ${rate(seconds.local)} | 1.00 |`,
);
for (const [name, s] of [
  ['1 worker (all cores)', seconds.one],
  ['2 workers (--threads 1 each), same machine', seconds.two],
] as const) {
  console.log(`| ${name} | ${s.toFixed(1)} | ${rate(s)} | ${(seconds.local / s).toFixed(2)} |`);
}
