/**
 * The worker thread that owns the onnxruntime sessions. `session.run` spends
 * its time in native code; here it cannot freeze the main thread's progress
 * bar, Ctrl-C handling or a server.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { ModelPort, WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): ModelPort[] {
  return metadata.map((entry) => ({
    name: entry.name,
    shape: entry.isTensor ? [...entry.shape] : [],
  }));
}

const sessions: ort.InferenceSession[] = [];
for (let member = 0; member < setup.models.length; member++) {
  try {
    sessions.push(
      await ort.InferenceSession.create(setup.models[member]!, {
        intraOpNumThreads: setup.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        // Members run one after another, each with its own thread pool: idle
        // pools that spin-wait steal the cores from the one running (measured
        // 75 → 47 ms per member on a 2-core machine).
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      }),
    );
  } catch (error) {
    port.postMessage({
      type: 'setup-failed',
      member,
      message: (error as Error).message,
    } satisfies WorkerReply);
    process.exit(0);
  }
}
port.postMessage({
  type: 'ready',
  inputs: sessions.map((session) => describe(session.inputMetadata)),
  outputs: sessions.map((session) => describe(session.outputMetadata)),
} satisfies WorkerReply);

port.on('message', async (request: WorkerRequest) => {
  if (request.type === 'close') {
    await Promise.all(sessions.map((session) => session.release()));
    port.close();
    return;
  }
  try {
    const image = new ort.Tensor('float32', request.input, [...request.dims]);
    const chosen = request.members ?? sessions.map((_, index) => index);
    const outputs: Float32Array[][] = [];
    const seconds: number[] = [];
    let dims: (readonly number[])[] = [];
    for (const index of chosen) {
      const started = performance.now();
      const result = await sessions[index]!.run(
        { [sessions[index]!.inputNames[0]!]: image },
        setup.outputs,
      );
      seconds.push((performance.now() - started) / 1000);
      const tensors = setup.outputs.map((name) => result[name]!);
      dims = tensors.map((tensor) => tensor.dims);
      // copy out of onnxruntime's buffers so they can be transferred without aliasing
      outputs.push(tensors.map((tensor) => Float32Array.from(tensor.data as Float32Array)));
      tensors.forEach((tensor) => tensor.dispose());
    }
    port.postMessage(
      { type: 'result', id: request.id, outputs, dims, seconds } satisfies WorkerReply,
      outputs.flat().map((output) => output.buffer as ArrayBuffer),
    );
  } catch (error) {
    port.postMessage({
      type: 'run-failed',
      id: request.id,
      message: (error as Error).message,
    } satisfies WorkerReply);
  }
});
