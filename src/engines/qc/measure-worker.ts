/**
 * A measuring thread of `dicentra qc`: reads and measures the frames it is
 * handed (measure-pool.ts). A frame it cannot read is reported as failed; the
 * main thread reads it again to raise the reader's own error.
 */
import { parentPort } from 'node:worker_threads';
import { measureMetaphase, type MetaphaseMeasures } from '../../cores/qc/measure-metaphase.js';
import { readGreyImage } from '../../imaging/read-image.js';
import { limitImageThreads } from '../../imaging/write-image.js';

export interface MeasureTask {
  readonly index: number;
  readonly file: string;
  readonly dicentrics: readonly (readonly [number, number])[];
}

export type MeasureReply =
  | { readonly index: number; readonly measures: MetaphaseMeasures }
  | { readonly index: number; readonly failed: true };

// one libvips thread per worker: the pool already fills the cores
limitImageThreads(1);

const port = parentPort!;
port.on('message', async (task: MeasureTask) => {
  let reply: MeasureReply;
  try {
    const grey = await readGreyImage(task.file);
    reply = {
      index: task.index,
      measures: measureMetaphase(grey.data, grey.width, grey.height, task.dicentrics),
    };
  } catch {
    reply = { index: task.index, failed: true };
  }
  port.postMessage(reply);
});
