/**
 * A learned realism score: a logistic model told to separate synthetic from
 * real 96×96 patches centred on chromosomes, by simple texture features.
 * Scored by ROC AUC on patches of images it never saw (0.5: it cannot tell
 * them apart). Features are taken on the grey patch normalised by its own
 * background and darkest stain, so brightness and contrast, which every
 * laboratory sets differently, do not decide alone.
 */

export const PATCH = 96;

/** A grey frame (row-major). */
export interface GreyFrame {
  readonly grey: Float32Array;
  readonly width: number;
  readonly height: number;
}

function quantile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The patch centred at (cx, cy), edges clamped. */
export function cutPatch(frame: GreyFrame, cx: number, cy: number): Float32Array {
  const out = new Float32Array(PATCH * PATCH);
  const x0 = Math.round(cx) - PATCH / 2;
  const y0 = Math.round(cy) - PATCH / 2;
  for (let y = 0; y < PATCH; y++) {
    const yy = Math.min(frame.height - 1, Math.max(0, y0 + y));
    for (let x = 0; x < PATCH; x++) {
      const xx = Math.min(frame.width - 1, Math.max(0, x0 + x));
      out[y * PATCH + x] = frame.grey[yy * frame.width + xx]!;
    }
  }
  return out;
}

/**
 * Texture features of one patch: normalised grey quantiles, dark fraction,
 * gradient and Laplacian energy, fine-grain noise, 8-pixel blockiness (JPEG),
 * and dark runs along rows and columns (chromatid width and how often a scan
 * line crosses two sisters).
 */
export function patchFeatures(patch: Float32Array): number[] {
  const sorted = Float32Array.from(patch).sort();
  const background = quantile(sorted, 0.7);
  const dark = quantile(sorted, 0.01);
  const span = Math.max(4, background - dark);
  const n = PATCH;
  const v = new Float32Array(patch.length);
  for (let i = 0; i < v.length; i++) v[i] = (background - patch[i]!) / span;
  const vs = Float32Array.from(v).sort();
  let gradient = 0;
  let gradient2 = 0;
  let laplacian = 0;
  let boundary = 0;
  let inner = 0;
  const fine: number[] = [];
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const gx = v[i + 1]! - v[i]!;
      const gy = v[i + n]! - v[i]!;
      const g = Math.hypot(gx, gy);
      gradient += g;
      gradient2 += g * g;
      laplacian += Math.abs(4 * v[i]! - v[i - 1]! - v[i + 1]! - v[i - n]! - v[i + n]!);
      if (x % 8 === 7) boundary += Math.abs(gx);
      else inner += Math.abs(gx);
      if (v[i]! < 0.2 && v[i + 1]! < 0.2) fine.push(Math.abs(gx));
    }
  }
  const count = (n - 2) * (n - 2);
  fine.sort((a, b) => a - b);
  const noise = fine.length ? fine[Math.floor(fine.length / 2)]! : 0;
  const runs = darkRuns(v);
  const meanGradient = gradient / count;
  return [
    quantile(vs, 0.5),
    quantile(vs, 0.8),
    quantile(vs, 0.9),
    quantile(vs, 0.95),
    vs.filter((x) => x > 0.5).length / vs.length,
    meanGradient,
    Math.sqrt(Math.max(0, gradient2 / count - meanGradient * meanGradient)),
    laplacian / count,
    noise,
    boundary / (count / 8) / Math.max(1e-6, inner / ((count * 7) / 8)),
    Math.log(span),
    runs.meanLength,
    runs.doubleCrossings,
  ];
}

/** Dark runs (normalised stain > 0.5) along rows and columns. */
function darkRuns(v: Float32Array): { meanLength: number; doubleCrossings: number } {
  let runs = 0;
  let total = 0;
  let lines = 0;
  let doubles = 0;
  for (const transpose of [false, true]) {
    for (let a = 0; a < PATCH; a++) {
      let inRun = false;
      let inLine = 0;
      for (let b = 0; b < PATCH; b++) {
        const dark = v[transpose ? b * PATCH + a : a * PATCH + b]! > 0.5;
        if (dark) total++;
        if (dark && !inRun) {
          runs++;
          inLine++;
        }
        inRun = dark;
      }
      if (inLine > 0) lines++;
      if (inLine >= 2) doubles++;
    }
  }
  return {
    meanLength: runs ? total / runs : 0,
    doubleCrossings: lines ? doubles / lines : 0,
  };
}

/** Indices into patchFeatures: stain layout (quantiles, dark fraction, dark runs)… */
export const SHAPE_FEATURES = [0, 1, 2, 3, 4, 11, 12] as const;
/** …and texture (gradients, sharpness, grain, blockiness, stain span). */
export const TEXTURE_FEATURES = [5, 6, 7, 8, 9, 10] as const;

export interface Sample {
  readonly features: readonly number[];
  /** 1: synthetic, 0: real. */
  readonly label: 0 | 1;
  /** The image it came from: folds never split an image. */
  readonly group: string;
}

/** Logistic regression on standardised features, L2-penalised, by gradient descent. */
export function fitLogistic(
  samples: readonly Sample[],
  { steps = 600, rate = 0.5, l2 = 1e-3 } = {},
): (features: readonly number[]) => number {
  const d = samples[0]!.features.length;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const s of samples) s.features.forEach((f, k) => (mean[k]! += f / samples.length));
  for (const s of samples)
    s.features.forEach((f, k) => (sd[k]! += (f - mean[k]!) ** 2 / samples.length));
  for (let k = 0; k < d; k++) sd[k] = Math.sqrt(sd[k]!) || 1;
  const z = (f: readonly number[]) => f.map((x, k) => (x - mean[k]!) / sd[k]!);
  const xs = samples.map((s) => z(s.features));
  // classes weighted equally whatever their sizes
  const positives = samples.filter((s) => s.label === 1).length;
  const weight = (label: number) =>
    label === 1 ? 0.5 / positives : 0.5 / (samples.length - positives);
  const w = new Array<number>(d).fill(0);
  let bias = 0;
  for (let step = 0; step < steps; step++) {
    const gw = w.map((wk) => l2 * wk);
    let gb = 0;
    samples.forEach((s, i) => {
      const x = xs[i]!;
      const p = 1 / (1 + Math.exp(-(bias + x.reduce((sum, xk, k) => sum + xk * w[k]!, 0))));
      const e = (p - s.label) * weight(s.label);
      for (let k = 0; k < d; k++) gw[k]! += e * x[k]!;
      gb += e;
    });
    for (let k = 0; k < d; k++) w[k]! -= rate * gw[k]!;
    bias -= rate * gb;
  }
  return (features) => bias + z(features).reduce((sum, xk, k) => sum + xk * w[k]!, 0);
}

/** ROC AUC: the chance a random positive scores above a random negative (ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  const order = scores.map((s, i) => ({ s, y: labels[i]! })).sort((a, b) => a.s - b.s);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]!.y === 1) {
        rankSum += rank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Held-out AUC: the groups are dealt round-robin into `folds` (real and
 * synthetic images alike); each fold is scored by a model fitted on the
 * others, and the AUC is taken over every held-out score.
 */
export function heldOutAuc(samples: readonly Sample[], folds: number): number {
  const groups = (label: 0 | 1) => [
    ...new Set(samples.filter((s) => s.label === label).map((s) => s.group)),
  ];
  const fold = new Map<string, number>();
  for (const label of [0, 1] as const)
    groups(label).forEach((group, k) => fold.set(group, k % folds));
  const scores: number[] = [];
  const labels: (0 | 1)[] = [];
  for (let f = 0; f < folds; f++) {
    const model = fitLogistic(samples.filter((s) => fold.get(s.group) !== f));
    for (const s of samples.filter((s) => fold.get(s.group) === f)) {
      scores.push(model(s.features));
      labels.push(s.label);
    }
  }
  return rocAuc(scores, labels);
}
