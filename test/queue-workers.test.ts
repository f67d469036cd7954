import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CELL_SIZE, writeCountedCalibration, writeCountedCell } from './support/counted-cell.js';
import { FIXTURES, makeTempDir } from './support/paths.js';
import { startRedis, type RedisServer } from './support/queue-redis.js';
import { CLI, runCli } from './support/run-cli.js';

/**
 * Two real worker processes on a real redis-server take 20 small cases and a
 * corrupt one; one worker is killed (SIGKILL) in the middle of a case. Each
 * case's cells are drawn with known dicentrics and fragments (see
 * counted-cell.ts), which the tiny fixture bundle finds by construction.
 */
const TINY = join(FIXTURES, 'tiny-bundle', 'bundle.json');
const CASES = 20;
/** The first case is larger, so the worker killed on it is surely in the middle of it. */
const cellsOf = (c: number) => (c === 0 ? 24 : 4);
/** [dicentrics, fragments] of cell i of case c: a fixed pattern over the cases. */
const cellOf = (c: number, i: number): [number, number] => [
  (c + i) % 3 === 0 ? 1 : 0,
  (c * i) % 3 === 1 ? 1 : 0,
];
const caseName = (c: number) => `p-${String(c).padStart(2, '0')}`;
/** Short locks so a dead worker's case comes back within seconds (long enough for a busy machine's lock renewals). */
const WORKER_TIMING = ['--lock-duration', '4000', '--stalled-interval', '1000'];

let redis: RedisServer;
let dir: string;
let curve: string;
const caseDirs: string[] = [];
let corruptDir: string;
const workers: ChildProcess[] = [];
const logs = new Map<ChildProcess, string>();

const cli = async (args: string[]) => {
  const run = await runCli(args);
  return { ...run, json: run.stdout.trim().startsWith('{') ? JSON.parse(run.stdout) : null };
};
const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

function startWorker(name: string, ...extra: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--queue',
      redis.url,
      '--worker-name',
      name,
      '--threads',
      '1',
      ...WORKER_TIMING,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  logs.set(child, '');
  child.stderr!.on('data', (chunk: Buffer) => logs.set(child, logs.get(child)! + chunk.toString()));
  workers.push(child);
  return child;
}

async function waitFor(condition: () => boolean, what: string, ms = 30000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

before(async () => {
  redis = await startRedis();
  dir = await makeTempDir('queue-workers');
  await mkdir(join(dir, 'calib'));
  const calibration = await writeCountedCalibration(join(dir, 'calib'));
  curve = join(dir, 'curve.json');
  const calibrate = await cli([
    'calibrate',
    '--model',
    TINY,
    '--data',
    calibration.file,
    '--out',
    curve,
    '--quantile',
    '0.2',
    '--sub-ensembles',
    '0',
    '--quiet',
  ]);
  assert.equal(calibrate.code, 0, calibrate.stderr);
  for (let c = 0; c < CASES; c++) {
    const caseDir = join(dir, 'cases', caseName(c));
    await mkdir(caseDir, { recursive: true });
    for (let i = 0; i < cellsOf(c); i++) {
      await writeCountedCell(join(caseDir, `cell-${i}.png`), ...cellOf(c, i));
    }
    caseDirs.push(caseDir);
  }
  corruptDir = join(dir, 'cases', 'p-corrupt');
  await mkdir(corruptDir);
  await writeCountedCell(join(corruptDir, 'cell-0.png'), 1, 1);
  await writeFile(join(corruptDir, 'cell-1.png'), 'not a PNG');
});

after(async () => {
  for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.stop();
});

const submitArgs = (dirs: readonly string[], ...extra: string[]) => [
  'submit',
  '--queue',
  redis.url,
  '--case',
  ...dirs,
  '--model',
  TINY,
  '--curve',
  curve,
  '--method',
  'delta',
  '--backoff',
  '200',
  '--json',
  ...extra,
];

test('2 workers × 20 cases, one killed mid-case: each case completes once, the corrupt one fails alone', async () => {
  const all = [...caseDirs, corruptDir];
  const submitted = await cli(submitArgs(all));
  assert.equal(submitted.code, 0, submitted.stderr);
  const jobIds: string[] = submitted.json.jobs.map((job: { jobId: string }) => job.jobId);
  assert.deepEqual(
    submitted.json.jobs.map((job: { action: string; state: string }) => [job.action, job.state]),
    all.map(() => ['added', 'waiting']),
  );
  assert.equal(new Set(jobIds).size, all.length);

  // worker A is killed while it holds the first (large) case; B goes on, C replaces A
  const a = startWorker('worker-a');
  const b = startWorker('worker-b');
  const firstJob = jobIds[0]!;
  await waitFor(
    () => logs.get(a)!.includes(`${firstJob} `) || logs.get(b)!.includes(`${firstJob} `),
    'the first case to start',
  );
  const holder = logs.get(a)!.includes(`${firstJob} `) ? a : b;
  const survivor = holder === a ? b : a;
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  assert.doesNotMatch(
    logs.get(holder)!,
    new RegExp(`${firstJob}: done`),
    'killed before the case finished',
  );
  const c = startWorker('worker-c');

  // a second submit of the same cases adds nothing and waits for all of them
  const waited = await cli(submitArgs(all, '--wait'));
  assert.equal(waited.code, 1, waited.stderr);
  assert.match(
    waited.stderr,
    /error\[DCN_E_QUEUE_JOBS_FAILED\]: 1 of 21 cases failed \(first: .*p-corrupt: DCN_E_IMAGES_FAILED/,
  );
  assert.deepEqual(
    waited.json.jobs.map((job: { jobId: string; action: string; state: string }) => [
      job.jobId,
      job.action,
      job.state,
    ]),
    all.map((_, k) => [jobIds[k], 'kept', k < CASES ? 'completed' : 'failed']),
  );

  const status = await cli(['queue-status', '--queue', redis.url, '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(status.json.counts, {
    waiting: 0,
    prioritized: 0,
    delayed: 0,
    active: 0,
    completed: 20,
    failed: 1,
  });
  assert.equal(status.json.jobs.length, 21);
  const byId = new Map(status.json.jobs.map((job: { jobId: string }) => [job.jobId, job]));
  const killed = byId.get(firstJob) as { stalled: number; processedBy: string; progress: unknown };
  assert.equal(killed.stalled, 1, 'the killed worker’s case went back to the queue once');
  assert.notEqual(killed.processedBy, holder === a ? 'worker-a' : 'worker-b');
  assert.deepEqual(killed.progress, { done: 24, total: 24 });
  const corrupt = byId.get(jobIds[CASES]!) as {
    errorCode: string;
    attemptsMade: number;
    failedReason: string;
  };
  assert.equal(corrupt.errorCode, 'DCN_E_IMAGES_FAILED');
  assert.equal(corrupt.attemptsMade, 1, 'an input error is not retried');
  assert.match(
    corrupt.failedReason,
    /1 of 2 images of .*p-corrupt could not be read \(first: cell-1\.png/,
  );

  // exactly once: one `done` line per case over all workers' logs, none for the corrupt case
  const allLogs = [...logs.values()].join('\n');
  for (const [k, jobId] of jobIds.entries()) {
    const done = allLogs.split('\n').filter((line) => line.startsWith(`${jobId}: done`)).length;
    assert.equal(done, k < CASES ? 1 : 0, `${jobId} (${all[k]})`);
  }

  // the counts each case's cells were drawn with, in its job result and its files
  for (let k = 0; k < CASES; k++) {
    const job = byId.get(jobIds[k]!) as {
      result: {
        cases: { id: string; cells: number; detections: Record<string, number>; dose: unknown }[];
      };
    };
    const cells = Array.from({ length: cellsOf(k) }, (_, i) => cellOf(k, i));
    const [entry] = job.result.cases;
    assert.equal(entry!.id, caseName(k));
    assert.equal(entry!.cells, cells.length);
    assert.deepEqual(entry!.detections, {
      dicentric: cells.reduce((sum, [d]) => sum + d, 0),
      fragment: cells.reduce((sum, [, f]) => sum + f, 0),
    });
    assert.ok(entry!.dose, 'a dose with the curve');
    const counts = await readFile(join(caseDirs[k]!, 'counts.csv'), 'utf8');
    // the curve counts dicentrics in cells with a fragment (calibrate's default rule)
    const gated = cells.map(([d, f]) => (f > 0 ? d : 0));
    const distribution = [gated.filter((n) => n === 0).length, gated.filter((n) => n === 1).length];
    const width = distribution[1]! > 0 ? 2 : 1;
    assert.equal(
      counts,
      `ID,${['C0', 'C1'].slice(0, width).join(',')}\n${caseName(k)},${distribution.slice(0, width).join(',')}\n`,
    );
  }
  const corruptDetections = JSON.parse(await readFile(join(corruptDir, 'detections.json'), 'utf8'));
  assert.deepEqual(
    corruptDetections.errors.map((error: { id: string; code: string }) => [error.id, error.code]),
    [['cell-1', 'DCN_E_IMAGE_DECODE']],
  );
  await assert.rejects(stat(join(corruptDir, 'counts.csv')), { code: 'ENOENT' });

  // Ctrl-C: the remaining workers stop taking cases and exit 130
  for (const child of [survivor, c]) child.kill('SIGINT');
  for (const child of [survivor, c]) {
    const [code] = child.exitCode === null ? await once(child, 'exit') : [child.exitCode];
    assert.equal(code, 130, logs.get(child)!);
    assert.match(logs.get(child)!, /worker stopped: \d+ cases completed, [01] failed/);
  }
});

test('a case’s files equal a local run of detect, counts and dose on it', async () => {
  // the large case (whose first worker was killed), copied under the same folder name elsewhere
  const local = join(dir, 'local', caseName(0));
  await mkdir(local, { recursive: true });
  for (let i = 0; i < cellsOf(0); i++)
    await writeCountedCell(join(local, `cell-${i}.png`), ...cellOf(0, i));
  const detect = await cli([
    'detect',
    '--model',
    TINY,
    '--images',
    local,
    '--curve',
    curve,
    '--out',
    join(local, 'detections.json'),
    '--quiet',
  ]);
  assert.equal(detect.code, 0, detect.stderr);
  const counts = await cli([
    'counts',
    '--detections',
    join(local, 'detections.json'),
    '--out',
    join(local, 'counts.csv'),
    '--quiet',
  ]);
  assert.equal(counts.code, 0, counts.stderr);
  const dose = await cli([
    'dose',
    '--curve',
    curve,
    '--counts',
    join(local, 'counts.csv'),
    '--method',
    'delta',
    '--out',
    join(local, 'dose.json'),
    '--quiet',
  ]);
  assert.equal(dose.code, 0, dose.stderr);

  const read = async (folder: string, name: string) =>
    JSON.parse(await readFile(join(folder, name), 'utf8'));
  const queued = caseDirs[0]!;
  const withoutTime = (document: { provenance: Record<string, unknown> }) => ({
    ...document,
    provenance: { ...document.provenance, createdAt: null },
  });
  assert.deepEqual(
    withoutTime(await read(queued, 'detections.json')),
    withoutTime(await read(local, 'detections.json')),
  );
  assert.equal(
    await readFile(join(queued, 'counts.csv'), 'utf8'),
    await readFile(join(local, 'counts.csv'), 'utf8'),
  );
  const queuedDose = await read(queued, 'dose.json');
  const localDose = await read(local, 'dose.json');
  assert.equal(queuedDose.source.counts, join(queued, 'counts.csv'));
  assert.deepEqual(
    { ...withoutTime(queuedDose), source: null },
    { ...withoutTime(localDose), source: null },
  );
});

test('Ctrl-C on a worker in the middle of a case puts it back in the queue, unfinished and no attempt used', async () => {
  const slow = join(dir, 'cases', 'p-slow');
  await mkdir(slow);
  const cells = 50;
  for (let i = 0; i < cells; i++) await writeCountedCell(join(slow, `cell-${i}.png`), 1, 1);
  // a queue of its own, so the other tests' workers never see this case
  const queue = ['--name', 'interrupt'];
  const submitted = await cli([...submitArgs([slow]), ...queue]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const jobId = submitted.json.jobs[0].jobId;
  const worker = startWorker('worker-i', ...queue);
  await waitFor(() => logs.get(worker)!.includes(`${jobId} `), 'the case to start');
  worker.kill('SIGINT');
  const [code] = await once(worker, 'exit');
  assert.equal(code, 130, logs.get(worker)!);
  assert.match(logs.get(worker)!, /stopping: no new cases/);
  assert.doesNotMatch(logs.get(worker)!, new RegExp(`${jobId}: (done|failed)`));

  const status = await cli(['queue-status', '--queue', redis.url, ...queue, '--json']);
  const [job] = status.json.jobs;
  assert.equal(job.state, 'waiting');
  assert.equal(job.attemptsMade, 0);
  assert.ok(job.progress === null || job.progress.done < cells, JSON.stringify(job.progress));
  await assert.rejects(stat(join(slow, 'detections.json')), { code: 'ENOENT' });

  // another worker finishes it
  startWorker('worker-j', ...queue);
  const waited = await cli([...submitArgs([slow], '--wait'), ...queue]);
  assert.equal(waited.code, 0, waited.stderr);
  assert.equal(waited.json.jobs[0].state, 'completed');
  assert.deepEqual(waited.json.jobs[0].result.cases[0].detections, {
    dicentric: cells,
    fragment: cells,
  });
});

test('an error that may pass (an output that cannot be written) is retried --attempts times with backoff', async () => {
  const blocked = join(dir, 'cases', 'p-blocked');
  await mkdir(join(blocked, 'detections.json'), { recursive: true });
  await writeFile(join(blocked, 'detections.json', 'keep'), 'a folder where detections.json goes');
  await writeCountedCell(join(blocked, 'cell-0.png'), 1, 1);
  const queue = ['--name', 'retry'];
  const worker = startWorker('worker-r', ...queue);
  const waited = await cli([...submitArgs([blocked], '--wait', '--attempts', '3'), ...queue]);
  assert.equal(waited.code, 1, waited.stderr);
  const jobId = waited.json.jobs[0].jobId;
  assert.match(
    waited.json.jobs[0].failedReason,
    /^DCN_E_FILE_WRITE: could not write .*detections\.json/,
  );
  const status = await cli(['queue-status', '--queue', redis.url, ...queue, '--json']);
  assert.equal(status.json.jobs[0].attemptsMade, 3);
  const starts = logs
    .get(worker)!
    .split('\n')
    .filter((line) => line.startsWith(`${jobId} `));
  assert.deepEqual(
    starts.map((line) => line.replace(/^.*started /, '')),
    ['(attempt 1 of 3)', '(attempt 2 of 3)', '(attempt 3 of 3)'],
  );
  assert.match(logs.get(worker)!, new RegExp(`${jobId}: attempt 2 of 3 failed, to be retried`));
  assert.match(logs.get(worker)!, new RegExp(`${jobId}: failed — DCN_E_FILE_WRITE`));
  worker.kill('SIGINT');
  await once(worker, 'exit');
  assert.match(logs.get(worker)!, /worker stopped: 0 cases completed, 1 failed/);
});

test('submit --rerun runs completed cases again as the same jobs: byte-identical files, rewritten', async () => {
  const chosen = caseDirs.slice(1, 4);
  const files = ['detections.json', 'counts.csv', 'dose.json'];
  const before = await Promise.all(
    chosen.flatMap((caseDir) =>
      files.map(async (name) => ({
        hash: await sha256(join(caseDir, name)),
        ino: (await stat(join(caseDir, name))).ino,
      })),
    ),
  );
  startWorker('worker-d');
  const rerun = await cli(submitArgs(chosen, '--rerun', '--wait'));
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(
    rerun.json.jobs.map((job: { action: string; state: string }) => [job.action, job.state]),
    chosen.map(() => ['retried', 'completed']),
  );
  const afterRun = await Promise.all(
    chosen.flatMap((caseDir) =>
      files.map(async (name) => ({
        hash: await sha256(join(caseDir, name)),
        ino: (await stat(join(caseDir, name))).ino,
      })),
    ),
  );
  assert.deepEqual(
    afterRun.map((file) => file.hash),
    before.map((file) => file.hash),
  );
  afterRun.forEach((file, k) =>
    assert.notEqual(file.ino, before[k]!.ino, 'each file was written anew'),
  );
  assert.equal(CELL_SIZE, 32);
});
