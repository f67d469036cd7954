import { Worker } from 'node:worker_threads';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { ModelPort, RunRequest, WorkerReply, WorkerSetup } from './worker-protocol.js';

export interface EnsembleRunResult {
  /** Per member run, one array per fetched output, each N×C×h×w row-major. */
  readonly outputs: Float32Array[][];
  /** The shape of each fetched output. */
  readonly dims: readonly (readonly number[])[];
  /** Seconds inside onnxruntime per member. */
  readonly seconds: readonly number[];
}

export interface EnsembleSessionOptions {
  /** Threads per operator (0: onnxruntime decides, usually one per core). */
  readonly intraOpThreads?: number;
  /** Which outputs to fetch, in this order (default: only "heatmap"). */
  readonly outputs?: readonly string[];
  /** Member labels for messages (e.g. "epoch 12"). */
  readonly labels?: readonly string[];
}

/**
 * M onnxruntime sessions living in one worker thread. The main thread only
 * posts input tensors and receives outputs; it never blocks on inference.
 */
export class EnsembleSession {
  private readonly pending = new Map<
    number,
    { resolve: (result: EnsembleRunResult) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly inputs: readonly ModelPort[][],
    readonly outputPorts: readonly ModelPort[][],
    private readonly labels: readonly string[],
  ) {
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error: unknown) => this.failAll(error as Error));
    worker.on('exit', () => this.failAll(new Error('the inference worker stopped')));
  }

  get size(): number {
    return this.inputs.length;
  }

  static open(
    models: readonly Uint8Array[],
    options: EnsembleSessionOptions = {},
  ): Promise<EnsembleSession> {
    const labels = options.labels ?? models.map((_, index) => `member ${index}`);
    const setup: WorkerSetup = {
      models,
      intraOpThreads: options.intraOpThreads ?? 0,
      outputs: options.outputs ?? ['heatmap'],
    };
    const worker = new Worker(new URL('./onnx-worker.js', import.meta.url), {
      workerData: setup,
    });
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        worker.off('error', onError);
        if (reply.type === 'ready') {
          resolve(new EnsembleSession(worker, reply.inputs, reply.outputs, labels));
        } else if (reply.type === 'setup-failed') {
          void worker.terminate();
          reject(
            new DicentraError(
              'DCN_E_MODEL_INVALID',
              `${labels[reply.member]} cannot be loaded by onnxruntime: ${reply.message}`,
              {
                hint: 'the ONNX file is damaged or from an unsupported exporter; re-export the bundle',
              },
            ),
          );
        }
      };
      const onError = (error: Error) =>
        reject(
          new DicentraError(
            'DCN_E_MODEL_INVALID',
            `the inference worker failed: ${error.message}`,
            {
              cause: error,
            },
          ),
        );
      worker.once('message', onMessage);
      worker.once('error', onError);
    });
  }

  /** Runs every member (or the given member indices) on one N×1×H×W input. */
  run(
    input: Float32Array,
    dims: readonly [number, number, number, number],
    members?: readonly number[],
  ): Promise<EnsembleRunResult> {
    if (this.closed) return Promise.reject(new Error('the ensemble session is closed'));
    const id = this.nextId++;
    const request: RunRequest = { type: 'run', id, input, dims, ...(members ? { members } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage({ type: 'close' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private settle(reply: WorkerReply): void {
    if (reply.type !== 'result' && reply.type !== 'run-failed') return;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.type === 'result') {
      waiter.resolve({ outputs: reply.outputs, dims: reply.dims, seconds: reply.seconds });
    } else {
      waiter.reject(
        new DicentraError('DCN_E_INFERENCE_FAILED', `inference failed: ${reply.message}`, {
          hint: 'check that the image size and the bundle input rule agree; re-export the bundle if it persists',
        }),
      );
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) {
      waiter.reject(
        this.closed
          ? error
          : new DicentraError('DCN_E_INFERENCE_FAILED', `inference failed: ${error.message}`, {
              cause: error,
            }),
      );
    }
    this.pending.clear();
    if (!this.closed) this.closed = true;
  }

  /** Labels in member order (for messages). */
  labelOf(index: number): string {
    return this.labels[index] ?? `member ${index}`;
  }
}
