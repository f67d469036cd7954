import { hostname } from 'node:os';
import type { Command } from 'commander';
import { commandAction, withCommonOptions } from '../define-command.js';
import { throwIfInterrupted } from '../interrupt.js';
import { parseInteger } from '../parse-options.js';
import { queueAddress, withQueueOptions, type QueueOptions } from '../queue-options.js';
import { TOOL_VERSION } from '../tool-version.js';

interface WorkerOptions extends QueueOptions {
  concurrency: number;
  threads: number;
  workerName?: string;
  lockDuration: number;
  stalledInterval: number;
}

export function registerWorkerCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    withQueueOptions(
      program
        .command('worker')
        .summary('process queued cases (detect → counts → dose); one worker per machine')
        .description(
          'Take case jobs from a Redis queue (filled by `dicentra submit`) and do for each what the\n' +
            'single-machine commands do: detect on the case’s images → CASE/detections.json, counts →\n' +
            'CASE/counts.csv and, when the job has a curve, dose → CASE/dose.json (all written atomically).\n' +
            'Case folders, model and curve must be at the same path on every machine (shared storage).\n' +
            'A worker that dies leaves its case locked for --lock-duration; another worker then takes it\n' +
            'again. A case whose input is at fault (a corrupt image, a bad curve) fails at once with its\n' +
            'error code; model and write errors are retried. Ctrl-C (or SIGTERM) stops taking cases, puts\n' +
            'the one in hand back in the queue and exits 130. See docs/scale.md.',
        ),
    )
      .option(
        '--concurrency <n>',
        'cases processed at once by this worker (each uses --threads)',
        parseInteger('--concurrency', 1, 64),
        1,
      )
      .option(
        '--threads <n>',
        'inference threads (0: one per core); frames run side by side on one single-thread session per thread, up to 4',
        parseInteger('--threads', 0),
        0,
      )
      .option(
        '--worker-name <name>',
        'recorded on every job this worker processes (default: HOST:PID)',
      )
      .option(
        '--lock-duration <ms>',
        'how long a case stays locked without renewal: after a worker dies, its case waits this long',
        parseInteger('--lock-duration', 1000),
        30000,
      )
      .option(
        '--stalled-interval <ms>',
        'how often this worker looks for cases whose worker died and puts them back',
        parseInteger('--stalled-interval', 500),
        30000,
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra worker --queue redis://10.0.0.5:6379\n' +
          '  dicentra worker --queue redis://10.0.0.5:6379 --threads 4 --worker-name gpu-node-2\n' +
          '  dicentra submit --queue redis://10.0.0.5:6379 --case /shared/cases/* --model /shared/models/lab --curve /shared/curve.json\n' +
          '  dicentra queue-status --queue redis://10.0.0.5:6379',
      ),
  ).action(
    commandAction<WorkerOptions>(signal, async (options, context) => {
      const { runCaseWorker } = await import('../../engines/queue/case-worker.js');
      const summary = await runCaseWorker({
        address: queueAddress(options),
        concurrency: options.concurrency,
        threads: options.threads,
        workerName: options.workerName ?? `${hostname()}:${process.pid}`,
        lockDurationMs: options.lockDuration,
        stalledIntervalMs: options.stalledInterval,
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        log: (line) => context.log(line),
      });
      context.log(`worker stopped: ${summary.completed} cases completed, ${summary.failed} failed`);
      throwIfInterrupted(context.signal);
    }),
  );
}
