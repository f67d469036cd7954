import { Worker } from 'node:worker_threads';

export interface WorkerPoolRequest<Task, Reply> {
  /** The worker module (compiled .js beside its caller). */
  readonly script: URL;
  readonly workerData?: unknown;
  readonly threads: number;
  readonly tasks: readonly Task[];
  /** Takes each reply (in completion order); throwing stops the pool with that error. */
  onReply(reply: Reply, index: number): void | Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * Runs `tasks` on up to `threads` worker threads, one task in flight per
 * thread. On abort no new task starts; tasks in flight finish and the pool
 * resolves false. The first failure (a thrown `onReply` or a crashed worker)
 * stops the pool once those in flight are done, and rejects. Resolves true
 * when every task was handed out.
 */
export async function runWorkerPool<Task, Reply>(
  request: WorkerPoolRequest<Task, Reply>,
): Promise<boolean> {
  const { tasks, signal } = request;
  if (tasks.length === 0) return !signal?.aborted;
  const count = Math.max(1, Math.min(request.threads, tasks.length));
  const workers = Array.from(
    { length: count },
    () => new Worker(request.script, { workerData: request.workerData }),
  );
  let next = 0;
  let failure: { error: unknown } | undefined;
  const runOne = (worker: Worker) =>
    new Promise<void>((resolve) => {
      const step = () => {
        if (failure || signal?.aborted || next >= tasks.length) {
          resolve();
          return;
        }
        const index = next++;
        worker.once('message', (reply: Reply) => {
          Promise.resolve()
            .then(() => request.onReply(reply, index))
            .then(step, (error: unknown) => {
              failure ??= { error };
              resolve();
            });
        });
        worker.postMessage(tasks[index]);
      };
      worker.once('error', (error: Error) => {
        failure ??= { error };
        resolve();
      });
      step();
    });
  try {
    await Promise.all(workers.map(runOne));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (failure) throw failure.error;
  return next >= tasks.length;
}
