import { Worker } from 'node:worker_threads';
import { DicentraError } from '../../formats/dicentra-error.js';
import type {
  SynthTask,
  SynthTaskResult,
  SynthWorkerData,
  SynthWorkerReply,
} from './synth-tasks.js';

export interface PoolOutcome {
  /** True when the signal stopped the run before every task was done. */
  readonly interrupted: boolean;
}

/**
 * Renders `tasks` on `threads` worker threads, one task in flight per thread,
 * calling `onResult` as each finishes (in completion order). On abort no new
 * task starts; tasks in flight finish (their files are whole) and the pool
 * resolves with `interrupted`. The first failure stops the pool and rejects.
 */
export async function runSynthPool(
  tasks: readonly SynthTask[],
  threads: number,
  setup: SynthWorkerData,
  onResult: (result: SynthTaskResult) => void,
  signal?: AbortSignal,
): Promise<PoolOutcome> {
  if (tasks.length === 0) return { interrupted: Boolean(signal?.aborted) };
  const count = Math.max(1, Math.min(threads, tasks.length));
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./synth-worker.js', import.meta.url), { workerData: setup }),
  );
  let next = 0;
  let failure: Error | undefined;
  const runOne = (worker: Worker) =>
    new Promise<void>((resolve) => {
      const step = () => {
        if (failure || signal?.aborted || next >= tasks.length) {
          resolve();
          return;
        }
        const task = tasks[next++]!;
        worker.once('message', (reply: SynthWorkerReply) => {
          if (reply.ok) {
            try {
              onResult(reply.result);
            } catch (error) {
              failure ??= error as Error;
            }
          } else {
            failure ??= reply.range
              ? new DicentraError('DCN_E_OPTION_INVALID', reply.message, {
                  field: '--size',
                  hint: 'use a larger --size, fewer --chromosomes or a smaller --scale',
                })
              : new Error(`rendering image ${reply.index} failed: ${reply.message}`);
          }
          step();
        });
        worker.postMessage(task);
      };
      worker.once('error', (error: Error) => {
        failure ??= error;
        resolve();
      });
      step();
    });
  try {
    await Promise.all(workers.map(runOne));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (failure) throw failure;
  return { interrupted: next < tasks.length };
}
