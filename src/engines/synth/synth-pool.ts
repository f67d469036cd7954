import { DicentraError } from '../../formats/dicentra-error.js';
import { runWorkerPool } from '../worker-pool.js';
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
 * Renders `tasks` on `threads` worker threads (worker-pool.ts), calling
 * `onResult` as each finishes (in completion order). On abort no new task
 * starts; tasks in flight finish (their files are whole) and the pool resolves
 * with `interrupted`. The first failure stops the pool and rejects.
 */
export async function runSynthPool(
  tasks: readonly SynthTask[],
  threads: number,
  setup: SynthWorkerData,
  onResult: (result: SynthTaskResult) => void,
  signal?: AbortSignal,
): Promise<PoolOutcome> {
  const complete = await runWorkerPool<SynthTask, SynthWorkerReply>({
    script: new URL('./synth-worker.js', import.meta.url),
    workerData: setup,
    threads,
    tasks,
    onReply: (reply) => {
      if (reply.ok) {
        onResult(reply.result);
        return;
      }
      throw reply.range
        ? new DicentraError('DCN_E_OPTION_INVALID', reply.message, {
            field: '--size',
            hint: 'use a larger --size, fewer --chromosomes or a smaller --scale',
          })
        : new Error(`rendering image ${reply.index} failed: ${reply.message}`);
    },
    ...(signal ? { signal } : {}),
  });
  return { interrupted: !complete || Boolean(signal?.aborted) };
}
