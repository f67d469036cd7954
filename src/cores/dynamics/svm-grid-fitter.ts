export interface SvmSettings {
  /** C of the C-SVC. */
  readonly cost: number;
  /** γ of the RBF kernel exp(−γ‖a − b‖²), in embedding units⁻². */
  readonly gamma: number;
}

export interface SvmGridFit {
  /** cells × classCount probabilities, row-major; a class absent from the data has 0. */
  readonly probabilities: Float64Array;
  /** Share of the training points whose predicted class is their own (resubstitution). */
  readonly accuracy: number;
  readonly supportVectors: number;
}

/**
 * Fits a probabilistic classifier on 2-D points and evaluates its class
 * probabilities at `cells` (cells × 2 coordinates). The analysis takes it as a
 * parameter so that the library behind it (and its process-wide side effects)
 * stays outside the pure layer.
 */
export type SvmGridFitter = (
  points: Float64Array,
  labels: Uint8Array,
  classCount: number,
  cells: Float64Array,
  settings: SvmSettings,
) => SvmGridFit;
