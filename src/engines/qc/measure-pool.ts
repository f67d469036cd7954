import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MetaphaseMeasures } from '../../cores/qc/measure-metaphase.js';
import { readGreyImage } from '../../imaging/read-image.js';
import type { MeasureReply, MeasureTask } from './measure-worker.js';

/** A frame to measure: its file and the detected dicentrics that lift its count. */
export interface MeasureFrame {
  readonly file: string;
  readonly dicentrics: readonly (readonly [number, number])[];
}

/**
 * Measures `frames` on one worker thread per core, one frame in flight per
 * thread, calling `onMeasured` as each finishes (in completion order). On
 * abort no new frame starts and the pool resolves false once those in flight
 * are done. A frame that cannot be read rejects with the reader's own error.
 */
export async function measureFrames(
  frames: readonly MeasureFrame[],
  onMeasured: (index: number, measures: MetaphaseMeasures) => void,
  signal?: AbortSignal,
  threads = availableParallelism(),
): Promise<boolean> {
  if (frames.length === 0) return true;
  const count = Math.max(1, Math.min(threads, frames.length));
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./measure-worker.js', import.meta.url)),
  );
  let next = 0;
  let failure: unknown;
  const runOne = (worker: Worker) =>
    new Promise<void>((resolve) => {
      const step = () => {
        if (failure !== undefined || signal?.aborted || next >= frames.length) {
          resolve();
          return;
        }
        const index = next++;
        worker.once('message', (reply: MeasureReply) => {
          if ('measures' in reply) {
            onMeasured(reply.index, reply.measures);
            step();
          } else {
            // read it here to raise the reader's error (missing, undecodable, …)
            readGreyImage(frames[index]!.file).then(
              () => {
                failure ??= new Error(`measuring ${frames[index]!.file} failed`);
                resolve();
              },
              (error: unknown) => {
                failure ??= error;
                resolve();
              },
            );
          }
        });
        worker.postMessage({ index, ...frames[index]! } satisfies MeasureTask);
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
  if (failure !== undefined) throw failure;
  return next >= frames.length;
}
