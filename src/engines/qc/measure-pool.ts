import { availableParallelism } from 'node:os';
import type { MetaphaseMeasures } from '../../cores/qc/measure-metaphase.js';
import { readGreyImage } from '../../imaging/read-image.js';
import { runWorkerPool } from '../worker-pool.js';
import type { MeasureReply, MeasureTask } from './measure-worker.js';

/** A frame to measure: its file and the detected dicentrics that lift its count. */
export interface MeasureFrame {
  readonly file: string;
  readonly dicentrics: readonly (readonly [number, number])[];
}

/**
 * Measures `frames` on one worker thread per core (worker-pool.ts), calling
 * `onMeasured` as each finishes (in completion order). On abort no new frame
 * starts and the pool resolves false once those in flight are done. A frame
 * that cannot be read rejects with the reader's own error.
 */
export async function measureFrames(
  frames: readonly MeasureFrame[],
  onMeasured: (index: number, measures: MetaphaseMeasures) => void,
  signal?: AbortSignal,
  threads = availableParallelism(),
): Promise<boolean> {
  return runWorkerPool<MeasureTask, MeasureReply>({
    script: new URL('./measure-worker.js', import.meta.url),
    threads,
    tasks: frames.map((frame, index) => ({ index, ...frame })),
    onReply: async (reply, index) => {
      if ('measures' in reply) {
        onMeasured(index, reply.measures);
        return;
      }
      // read it here to raise the reader's error (missing, undecodable, …)
      await readGreyImage(frames[index]!.file);
      throw new Error(`measuring ${frames[index]!.file} failed`);
    },
    ...(signal ? { signal } : {}),
  });
}
