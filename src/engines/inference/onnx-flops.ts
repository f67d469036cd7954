import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

interface ProfileEvent {
  readonly cat?: string;
  readonly args?: {
    readonly op_name?: string;
    readonly input_type_shape?: Record<string, number[]>[];
    readonly output_type_shape?: Record<string, number[]>[];
  };
}

const shapeOf = (entry: Record<string, number[]> | undefined): number[] =>
  entry ? (Object.values(entry)[0] ?? []) : [];
const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Floating-point operations of one node from its ONNX op type and tensor
 * shapes: convolutions and matrix products as 2 × multiply–accumulates (bias
 * adds included); every other op is counted as one operation per output
 * element (activations, pooling, additions, resizes — a few percent of a U-Net).
 */
export function nodeFlops(
  op: string,
  inputs: readonly number[][],
  outputs: readonly number[][],
): number {
  const out = outputs[0] ?? [];
  switch (op) {
    case 'Conv': {
      const weight = inputs[1] ?? [];
      const perOutput = product(weight.slice(1)); // C_in/group × kh × kw
      return product(out) * (2 * perOutput + (inputs[2] ? 1 : 0));
    }
    case 'ConvTranspose': {
      const input = inputs[0] ?? [];
      const weight = inputs[1] ?? []; // C_in × C_out/group × kh × kw
      return 2 * product(input) * product(weight.slice(1)) + (inputs[2] ? product(out) : 0);
    }
    case 'MatMul':
    case 'Gemm': {
      const a = inputs[0] ?? [];
      const k = a[a.length - 1] ?? 0;
      return 2 * product(out) * k + (op === 'Gemm' && inputs[2] ? product(out) : 0);
    }
    default:
      return product(out);
  }
}

/**
 * Counts the FLOPs of one inference of an ONNX model on an input of `dims`:
 * runs it once with graph optimisations off (so the executed nodes are the
 * graph's own) and profiling on, and sums `nodeFlops` over the profiled node
 * shapes — the graph's operators with their concrete shapes for this input.
 */
export async function countModelFlops(
  model: Uint8Array,
  inputName: string,
  dims: readonly number[],
): Promise<{ flops: number; byOp: Record<string, number> }> {
  const folder = await mkdtemp(join(tmpdir(), 'dicentra-profile-'));
  try {
    const session = await ort.InferenceSession.create(model, {
      graphOptimizationLevel: 'disabled',
      enableProfiling: true,
      profileFilePrefix: join(folder, 'profile'),
    });
    const input = new ort.Tensor('float32', new Float32Array(product(dims)), [...dims]);
    await session.run({ [inputName]: input });
    session.endProfiling();
    await session.release();
    const file = (await readdir(folder)).find((name) => name.endsWith('.json'));
    if (!file) throw new Error('onnxruntime wrote no profile');
    const events = JSON.parse(await readFile(join(folder, file), 'utf8')) as ProfileEvent[];
    const byOp: Record<string, number> = {};
    let flops = 0;
    for (const event of events) {
      const op = event.args?.op_name;
      if (event.cat !== 'Node' || !op || !event.args?.output_type_shape) continue;
      const value = nodeFlops(
        op,
        (event.args.input_type_shape ?? []).map(shapeOf),
        event.args.output_type_shape.map(shapeOf),
      );
      byOp[op] = (byOp[op] ?? 0) + value;
      flops += value;
    }
    return { flops, byOp };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
