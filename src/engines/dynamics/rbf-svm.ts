import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { SvmGridFit, SvmSettings } from '../../cores/dynamics/svm-grid-fitter.js';

/** The part of libsvm-js's SVM class used here. */
interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  predictOneProbability(sample: number[]): {
    prediction: number;
    estimates: { label: number; probability: number }[];
  };
  getSVIndices(): number[];
  free(): void;
}
interface LibsvmConstructor {
  new (options: Record<string, unknown>): LibsvmModel;
  readonly SVM_TYPES: { readonly C_SVC: string };
  readonly KERNEL_TYPES: { readonly RBF: string };
}

const require = createRequire(import.meta.url);
const LIBSVM_ENTRY = 'libsvm-js/asm';

/**
 * A fresh instance of libsvm (emscripten asm build). libsvm's probability
 * estimates shuffle with C rand(), whose state lives in the module and cannot
 * be seeded through the port; a fresh instance starts from the same state, so
 * each fit depends only on its own data. The build also installs a process
 * 'unhandledRejection' handler that exits with status 1; it is removed.
 */
function loadFreshLibsvm(): LibsvmConstructor {
  const packageFolder = dirname(require.resolve(LIBSVM_ENTRY));
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(packageFolder)) delete require.cache[key];
  }
  const before = new Set(process.listeners('unhandledRejection'));
  const constructor = require(LIBSVM_ENTRY) as LibsvmConstructor;
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.has(listener)) process.removeListener('unhandledRejection', listener);
  }
  return constructor;
}

function pairs(values: Float64Array): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += 2) out.push([values[i]!, values[i + 1]!]);
  return out;
}

/**
 * Trains an RBF C-SVC with Platt-scaled pairwise probabilities (libsvm's
 * `-b 1`, Wu, Lin & Weng 2004) on 2-D points and evaluates the class
 * probabilities at `cells` (cells × 2 coordinates).
 */
export function fitSvmOnGrid(
  points: Float64Array,
  labels: Uint8Array,
  classCount: number,
  cells: Float64Array,
  settings: SvmSettings,
): SvmGridFit {
  const present = [...new Set(labels)].sort((a, b) => a - b);
  if (present.length < 2) {
    throw new DicentraError(
      'DCN_E_DYNAMICS_TOO_FEW',
      `the SVM needs locations of at least two classes, got ${present.length}`,
      { hint: 'use a split with annotated aberrations and a --background count above 0' },
    );
  }
  const Libsvm = loadFreshLibsvm();
  const model = new Libsvm({
    type: Libsvm.SVM_TYPES.C_SVC,
    kernel: Libsvm.KERNEL_TYPES.RBF,
    cost: settings.cost,
    gamma: settings.gamma,
    probabilityEstimates: true,
    quiet: true,
    // the asm heap is 16 MB; libsvm's default 100 MB kernel cache would not fit
    cacheSize: 4,
  });
  try {
    const samples = pairs(points);
    model.train(samples, Array.from(labels));
    const predicted = model.predict(samples);
    let correct = 0;
    predicted.forEach((label, i) => (correct += label === labels[i] ? 1 : 0));
    const grid = pairs(cells);
    const probabilities = new Float64Array(grid.length * classCount);
    grid.forEach((cell, i) => {
      for (const { label, probability } of model.predictOneProbability(cell).estimates) {
        probabilities[i * classCount + label] = probability;
      }
    });
    return {
      probabilities,
      accuracy: correct / labels.length,
      supportVectors: model.getSVIndices().length,
    };
  } catch (error) {
    if (error instanceof DicentraError) throw error;
    throw new DicentraError('DCN_E_SVM_FAILED', `libsvm failed: ${String(error)}`, {
      hint: 'fewer locations (a smaller --background or split) keep the SVM within its memory',
      cause: error,
    });
  } finally {
    model.free();
  }
}
