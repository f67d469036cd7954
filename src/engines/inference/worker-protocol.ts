/** Messages between the main thread and the onnxruntime worker (structured-clone safe). */

export interface WorkerSetup {
  /** ONNX model bytes, one per member, in vote order. */
  readonly models: readonly Uint8Array[];
  /** Threads each session may use for one operator (0 = onnxruntime's default). */
  readonly intraOpThreads: number;
  /** Outputs to fetch from every member, in this order. */
  readonly outputs: readonly string[];
}

export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  /** N×1×H×W, normalised and padded. */
  readonly input: Float32Array;
  readonly dims: readonly [number, number, number, number];
  /** Indices into the worker's members to run; all when absent. */
  readonly members?: readonly number[];
}

export interface CloseRequest {
  readonly type: 'close';
}

export type WorkerRequest = RunRequest | CloseRequest;

export interface ModelPort {
  readonly name: string;
  readonly shape: readonly (number | string)[];
}

export type WorkerReply =
  | {
      readonly type: 'ready';
      readonly inputs: readonly ModelPort[][];
      readonly outputs: readonly ModelPort[][];
    }
  | { readonly type: 'setup-failed'; readonly member: number; readonly message: string }
  | {
      readonly type: 'result';
      readonly id: number;
      /** Per member run, one array per fetched output (in the setup's order). */
      readonly outputs: Float32Array[][];
      /** The shape of each fetched output. */
      readonly dims: readonly (readonly number[])[];
      /** Seconds spent inside onnxruntime per member. */
      readonly seconds: readonly number[];
    }
  | { readonly type: 'run-failed'; readonly id: number; readonly message: string };
