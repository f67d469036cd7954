import type { Command } from 'commander';
import type { QueueStatus } from '../../engines/queue/queue-status.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { queueAddress, withQueueOptions, type QueueOptions } from '../queue-options.js';

function describe(status: QueueStatus): string {
  const counts = Object.entries(status.counts)
    .map(([state, n]) => `${state} ${n}`)
    .join(', ');
  const lines = status.jobs.map((job) => {
    const progress = job.progress ? `${job.progress.done}/${job.progress.total} cells` : '—';
    const tries = `attempts ${job.attemptsMade}/${job.attempts}${job.stalled > 0 ? `, stalled ${job.stalled}` : ''}`;
    const head = `${job.jobId}\t${job.state}\t${progress}\t${tries}\t${job.caseDir ?? '?'}`;
    return job.failedReason ? `${head}\n  ${job.failedReason}` : head;
  });
  return [counts, ...lines].join('\n');
}

export function registerQueueStatusCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    withQueueOptions(
      program
        .command('queue-status')
        .summary('jobs per state (waiting, active, completed, failed) and one line each')
        .description(
          'Count the case jobs of a queue in each state and list them: job id, state, cells done of the\n' +
            'case’s total, attempts (and how often a worker died on it), the case folder and, for a\n' +
            'failed case, its failure reason with the case’s error code. --json adds each completed\n' +
            'case’s result (cells, counts, dose and interval, output files).',
        ),
    ).addHelpText(
      'after',
      '\nExamples:\n' +
        '  dicentra queue-status --queue redis://10.0.0.5:6379\n' +
        '  dicentra queue-status --queue redis://10.0.0.5:6379 --json',
    ),
  ).action(
    commandAction<QueueOptions>(signal, async (options, context) => {
      const { queueStatus } = await import('../../engines/queue/queue-status.js');
      const status = await queueStatus(queueAddress(options));
      context.result(describe(status), { ok: true, queue: options.name, ...status });
    }),
  );
}
