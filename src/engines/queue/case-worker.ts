import { once } from 'node:events';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { caseJobDataSchema, type CaseJobData, type CaseJobResult } from '../../formats/case-job.js';
import { DicentraError, isDicentraError } from '../../formats/dicentra-error.js';
import { ExitCode } from '../../formats/exit-codes.js';
import {
  displayUrl,
  lastingConnection,
  checkQueueUrl,
  type QueueAddress,
} from './queue-connection.js';
import { processCase } from './process-case.js';

export interface WorkerRequest {
  readonly address: QueueAddress;
  /** Cases processed at once by this worker. */
  readonly concurrency: number;
  /** Inference threads per case (0: one per core). */
  readonly threads: number;
  /** How long a case's lock lasts without renewal: a dead worker's case is free again after it. */
  readonly lockDurationMs: number;
  /** How often this worker looks for cases whose worker died (stalled), and puts them back. */
  readonly stalledIntervalMs: number;
  /** Recorded on every job it processes (`processedBy`). */
  readonly workerName: string;
  readonly toolVersion: string;
  readonly signal: AbortSignal;
  log(line: string): void;
}

export interface WorkerSummary {
  readonly completed: number;
  readonly failed: number;
}

/**
 * Errors worth another attempt: a model or inference failure (a member file on
 * a flaky mount, memory), a file that could not be written (disk full, a
 * mount gone) and anything unexpected. Every other DicentraError is in the
 * case or the options (a corrupt image, a bad curve) and fails the job at once.
 */
function retryable(error: DicentraError): boolean {
  return (
    error.exitCode === ExitCode.model ||
    error.code === 'DCN_E_FILE_WRITE' ||
    error.code === 'DCN_E_INTERNAL'
  );
}

/** The job's failedReason: `CODE: message (file …; hint …)`, the code first for `queue-status`. */
export function failureText(error: DicentraError): string {
  const details = [
    error.file && !error.message.includes(error.file) ? `file: ${error.file}` : null,
    error.field ? `field: ${error.field}` : null,
    error.hint ? `hint: ${error.hint}` : null,
  ].filter((part) => part !== null);
  return `${error.code}: ${error.message}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}

function jobError(error: unknown): Error {
  if (!isDicentraError(error)) return error instanceof Error ? error : new Error(String(error));
  const text = failureText(error);
  return retryable(error) ? new Error(text) : new UnrecoverableError(text);
}

const describeResult = (result: CaseJobResult) =>
  result.cases
    .map((entry) => {
      const found = Object.entries(entry.detections)
        .map(([name, n]) => `${n} ${name}`)
        .join(', ');
      const dose = entry.dose
        ? `, dose ${entry.dose.estimate.toFixed(3)} [${entry.dose.lower.toFixed(3)}, ${entry.dose.upper.toFixed(3)}] Gy`
        : '';
      return `${entry.id}: ${entry.cells} cells, ${found}, ${entry.aberrations} counted${dose}`;
    })
    .join('; ');

/**
 * `dicentra worker`: takes case jobs from the queue and processes each as the
 * single-machine commands would, until the signal fires. Then it stops taking
 * jobs, puts the case it is on back in the queue (the interrupted run leaves
 * no file half-written), closes its connections and reports what it did.
 * While Redis cannot be reached it logs the error and keeps reconnecting.
 */
export async function runCaseWorker(request: WorkerRequest): Promise<WorkerSummary> {
  const { address, signal, log } = request;
  checkQueueUrl(address.url);
  const summary = { completed: 0, failed: 0 };
  const processor = async (job: Job<CaseJobData, CaseJobResult>, token?: string) => {
    const parsed = caseJobDataSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        `DCN_E_SCHEMA_INVALID: job ${job.id} is not a dicentra case job (${parsed.error.issues[0]?.message}); submit cases with \`dicentra submit\``,
      );
    }
    const data = parsed.data;
    log(
      `${job.id} ${data.caseDir}: started (attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1})`,
    );
    try {
      return await processCase({
        data,
        createdAt: new Date(job.timestamp).toISOString(),
        toolVersion: request.toolVersion,
        threads: request.threads,
        signal,
        onProgress: (done, total) => {
          job.updateProgress({ done, total }).catch(() => undefined);
        },
        log: (line) => log(`${job.id}: ${line}`),
      });
    } catch (error) {
      if (signal.aborted) {
        // back to the queue for another worker, without using up an attempt
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw jobError(error);
    }
  };
  const worker = new Worker<CaseJobData, CaseJobResult>(address.name, processor, {
    connection: lastingConnection(address.url),
    concurrency: request.concurrency,
    lockDuration: request.lockDurationMs,
    stalledInterval: request.stalledIntervalMs,
    name: request.workerName,
    autorun: false,
  });
  let lastProblem = '';
  worker.on('error', (error) => {
    if (error.message === lastProblem) return;
    lastProblem = error.message;
    log(`queue ${displayUrl(address.url)}: ${error.message}; reconnecting`);
  });
  worker.on('ready', () => {
    if (lastProblem) log(`queue ${displayUrl(address.url)}: connected again`);
    lastProblem = '';
  });
  worker.on('completed', (job, result) => {
    summary.completed++;
    log(`${job.id}: done — ${describeResult(result)}`);
  });
  worker.on('failed', (job, error) => {
    if (!job || error instanceof WaitingError || error.name === 'WaitingError') return;
    const attempts = job.opts.attempts ?? 1;
    if (error.name !== 'UnrecoverableError' && job.attemptsMade < attempts) {
      log(
        `${job.id}: attempt ${job.attemptsMade} of ${attempts} failed, to be retried — ${error.message}`,
      );
      return;
    }
    summary.failed++;
    log(`${job.id}: failed — ${error.message}`);
  });
  log(
    `worker ${request.workerName} on queue "${address.name}" at ${displayUrl(address.url)}, ${request.concurrency} case(s) at a time`,
  );
  // run() resolves only once connected; closing before that leaves it pending, so it is not awaited
  worker.run().catch((error: Error) => log(`queue ${displayUrl(address.url)}: ${error.message}`));
  if (!signal.aborted) await once(signal, 'abort');
  log('stopping: no new cases; a case in hand goes back to the queue');
  await worker.close();
  return summary;
}
