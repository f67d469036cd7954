import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { QueueEvents, type Job, type JobsOptions, type Queue } from 'bullmq';
import { readBundleFile } from '../../formats/bundle-file.js';
import type { CaseJobData, CaseJobResult } from '../../formats/case-job.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { chooseDetector } from '../detect/choose-detector.js';
import { caseJobId } from './case-job-id.js';
import {
  briefConnection,
  queueUnreachable,
  withQueue,
  type QueueAddress,
} from './queue-connection.js';

export interface SubmitRequest {
  readonly address: QueueAddress;
  /** Case folders as given; stored as absolute paths. */
  readonly cases: readonly string[];
  readonly detector: Omit<CaseJobData, 'version' | 'caseDir'>;
  /** Tries per case before it fails (retries only for errors that may pass: see case-worker.ts). */
  readonly attempts: number;
  /** The first retry's delay; each next one doubles it. */
  readonly backoffMs: number;
  /** Run cases whose job completed again (the same job when the options are the same). */
  readonly rerun: boolean;
  /** Wait until every submitted case has finished. */
  readonly wait: boolean;
  onFinished?(done: number, total: number): void;
}

/**
 * What submit did with a case: `added` a new job; `kept` a job already queued,
 * running or (without --rerun) completed; `retried` its failed or completed job
 * (same id, same options); `replaced` a finished job whose options differ.
 */
export type SubmitAction = 'added' | 'kept' | 'retried' | 'replaced';

export interface SubmittedCase {
  readonly caseDir: string;
  readonly jobId: string;
  readonly action: SubmitAction;
  /** The job's state after submitting, or when --wait ends: completed or failed. */
  readonly state: string;
  readonly result?: CaseJobResult;
  readonly failedReason?: string;
}

/** Each case folder must exist here too: the workers see the same path. */
async function checkCaseFolder(caseDir: string): Promise<void> {
  const info = await stat(caseDir).catch(() => null);
  if (!info) {
    throw new DicentraError('DCN_E_FILE_NOT_FOUND', `case folder ${caseDir} does not exist`, {
      file: caseDir,
      field: '--case',
      hint: 'give a folder of one person’s images, on storage every worker mounts at this same path',
    });
  }
  if (!info.isDirectory()) {
    throw new DicentraError('DCN_E_FILE_READ', `--case ${caseDir} is not a folder`, {
      file: caseDir,
      field: '--case',
      hint: 'give the folder holding the case’s images (or its dataset.json)',
    });
  }
}

async function submitOne(
  queue: Queue,
  data: CaseJobData,
  options: JobsOptions,
  rerun: boolean,
): Promise<{ job: Job; action: SubmitAction }> {
  const jobId = options.jobId!;
  const existing = (await queue.getJob(jobId)) as Job<CaseJobData> | undefined;
  if (existing) {
    const state = await existing.getState();
    const finished = state === 'failed' || (state === 'completed' && rerun);
    if (!finished) return { job: existing, action: 'kept' };
    if (isDeepStrictEqual(existing.data, data)) {
      await existing.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
      return { job: existing, action: 'retried' };
    }
    await existing.remove();
    return { job: await queue.add('case', data, options), action: 'replaced' };
  }
  return { job: await queue.add('case', data, options), action: 'added' };
}

/** Waits for every job; each ends completed (with its result) or failed (with its reason). */
async function awaitJobs(
  request: SubmitRequest,
  jobs: readonly Job[],
): Promise<Map<string, Pick<SubmittedCase, 'state' | 'result' | 'failedReason'>>> {
  const events = new QueueEvents(request.address.name, {
    connection: briefConnection(request.address.url),
  });
  events.on('error', () => undefined);
  try {
    await events.waitUntilReady().catch((error: unknown) => {
      throw queueUnreachable(request.address.url, error);
    });
    const outcomes = new Map<string, Pick<SubmittedCase, 'state' | 'result' | 'failedReason'>>();
    let done = 0;
    await Promise.all(
      jobs.map(async (job) => {
        const outcome = await job.waitUntilFinished(events).then(
          (result: CaseJobResult) => ({ state: 'completed', result }),
          (error: Error) => ({ state: 'failed', failedReason: error.message }),
        );
        outcomes.set(job.id!, outcome);
        request.onFinished?.(++done, jobs.length);
      }),
    );
    return outcomes;
  } finally {
    await events.close().catch(() => undefined);
  }
}

/**
 * `dicentra submit`: one job per case folder, its id derived from the folder's
 * absolute path, so a case already queued or running is not queued twice.
 * The model, curve and detector options are checked here (as `detect` checks
 * them) so a mistake in them fails now, not in every job.
 */
export async function submitCases(request: SubmitRequest): Promise<SubmittedCase[]> {
  const caseDirs = [...new Set(request.cases.map((dir) => resolve(dir)))];
  for (const caseDir of caseDirs) await checkCaseFolder(caseDir);
  const detector = {
    ...request.detector,
    model: resolve(request.detector.model),
    ...(request.detector.curve ? { curve: resolve(request.detector.curve) } : {}),
  };
  const loaded = await readBundleFile(detector.model);
  await chooseDetector(detector, loaded, () => undefined);
  return withQueue(request.address, async (queue) => {
    const submitted: { caseDir: string; job: Job; action: SubmitAction }[] = [];
    for (const caseDir of caseDirs) {
      const data: CaseJobData = { version: 1, caseDir, ...detector };
      const options: JobsOptions = {
        jobId: caseJobId(caseDir),
        attempts: request.attempts,
        backoff: { type: 'exponential', delay: request.backoffMs },
      };
      const { job, action } = await submitOne(queue, data, options, request.rerun);
      submitted.push({ caseDir, job, action });
    }
    const outcomes = request.wait
      ? await awaitJobs(
          request,
          submitted.map((entry) => entry.job),
        )
      : null;
    return Promise.all(
      submitted.map(async ({ caseDir, job, action }) => ({
        caseDir,
        jobId: job.id!,
        action,
        ...(outcomes?.get(job.id!) ?? { state: await job.getState() }),
      })),
    );
  });
}
