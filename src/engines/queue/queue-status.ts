import type { Job, JobType } from 'bullmq';
import type { CaseJobData, CaseJobResult } from '../../formats/case-job.js';
import { withQueue, type QueueAddress } from './queue-connection.js';

/** The states `queue-status` counts, in the order a case passes through them. */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
] as const;
export type CaseJobState = (typeof JOB_STATES)[number];

export interface CaseJobLine {
  readonly jobId: string;
  readonly caseDir: string | null;
  readonly state: CaseJobState;
  /** Cells done and total of the current or last attempt. */
  readonly progress: { readonly done: number; readonly total: number } | null;
  /** Attempts that ended in an error; a dead worker's run is counted in `stalled` instead. */
  readonly attemptsMade: number;
  readonly attempts: number;
  /** Times a worker died on (or lost) this case and it went back to the queue. */
  readonly stalled: number;
  readonly processedBy: string | null;
  /** The DicentraError code at the head of the failure reason. */
  readonly errorCode: string | null;
  readonly failedReason: string | null;
  readonly result: CaseJobResult | null;
}

export interface QueueStatus {
  readonly counts: Record<CaseJobState, number>;
  readonly jobs: CaseJobLine[];
}

function progressOf(progress: unknown): CaseJobLine['progress'] {
  if (typeof progress !== 'object' || progress === null) return null;
  const { done, total } = progress as { done?: unknown; total?: unknown };
  return typeof done === 'number' && typeof total === 'number' ? { done, total } : null;
}

function lineOf(job: Job<CaseJobData, CaseJobResult>, state: CaseJobState): CaseJobLine {
  const failedReason = state === 'failed' || job.failedReason ? job.failedReason || null : null;
  return {
    jobId: job.id!,
    caseDir: typeof job.data?.caseDir === 'string' ? job.data.caseDir : null,
    state,
    progress: progressOf(job.progress),
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    stalled: job.stalledCounter ?? 0,
    processedBy: job.processedBy ?? null,
    errorCode: failedReason?.match(/^(DCN_E_[A-Z0-9_]+):/)?.[1] ?? null,
    failedReason,
    result: state === 'completed' ? (job.returnvalue ?? null) : null,
  };
}

/** `dicentra queue-status`: how many cases are in each state, and each case's line. */
export async function queueStatus(address: QueueAddress): Promise<QueueStatus> {
  return withQueue(address, async (queue) => {
    const counts = (await queue.getJobCounts(...(JOB_STATES as readonly JobType[]))) as Record<
      CaseJobState,
      number
    >;
    const jobs: CaseJobLine[] = [];
    for (const state of JOB_STATES) {
      const found = (await queue.getJobs(state, 0, -1, true)) as Job<CaseJobData, CaseJobResult>[];
      for (const job of found) if (job) jobs.push(lineOf(job, state));
    }
    return {
      counts: Object.fromEntries(JOB_STATES.map((state) => [state, counts[state] ?? 0])) as Record<
        CaseJobState,
        number
      >,
      jobs,
    };
  });
}
