/**
 * How dark each pixel is against the illumination behind it: 1 − grey/background,
 * 0 on clear glass, about 0.5–0.7 in a Giemsa-stained chromatid. The background
 * is a quadratic surface fitted to the bright pixels (a linear gradient and a
 * radial fall-off are both quadratic), so uneven illumination and vignetting
 * do not move the threshold; dark objects are dropped from the fit by
 * iterated clipping.
 */
export function stainDarkness(grey: Float32Array, width: number, height: number): Float32Array {
  const c = backgroundCoefficients(grey, width, height);
  const darkness = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const v = (2 * y) / height - 1;
    for (let x = 0; x < width; x++) {
      const u = (2 * x) / width - 1;
      const background =
        c[0]! + c[1]! * u + c[2]! * v + c[3]! * u * u + c[4]! * u * v + c[5]! * v * v;
      const i = y * width + x;
      darkness[i] = Math.min(1, Math.max(0, 1 - grey[i]! / Math.max(background, 1e-6)));
    }
  }
  return boxSmooth(darkness, width, height);
}

const STEP = 8;

/** The fitted background b(x, y) = c·[1, u, v, u², uv, v²] in coordinates scaled to [−1, 1]. */
function backgroundCoefficients(grey: Float32Array, width: number, height: number): number[] {
  const samples: [number, number, number][] = [];
  for (let y = STEP >> 1; y < height; y += STEP) {
    for (let x = STEP >> 1; x < width; x += STEP) samples.push([x, y, grey[y * width + x]!]);
  }
  const u = (x: number) => (2 * x) / width - 1;
  const v = (y: number) => (2 * y) / height - 1;
  const terms = (x: number, y: number) => [1, u(x), v(y), u(x) ** 2, u(x) * v(y), v(y) ** 2];
  // start from the brighter half: the frame is mostly glass
  const sorted = samples.map((s) => s[2]).sort((a, b) => a - b);
  let keep = samples.filter((s) => s[2] >= sorted[Math.floor(sorted.length / 2)]!);
  let coefficients = [sorted[sorted.length - 1]!, 0, 0, 0, 0, 0];
  for (let round = 0; round < 4 && keep.length >= 6; round++) {
    coefficients = leastSquares(keep.map(([x, y, g]) => [terms(x, y), g]));
    const fit = (x: number, y: number) =>
      terms(x, y).reduce((sum, t, k) => sum + t * coefficients[k]!, 0);
    const residuals = keep.map(([x, y, g]) => g - fit(x, y));
    const spread = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length);
    keep = samples.filter(([x, y, g]) => g - fit(x, y) > -2.5 * spread);
  }
  return coefficients;
}

/** Ordinary least squares by the normal equations (6 unknowns; Gaussian elimination). */
function leastSquares(rows: [number[], number][]): number[] {
  const n = rows[0]![0].length;
  const a = Array.from({ length: n }, () => new Float64Array(n + 1));
  for (const [terms, value] of rows) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i]![j]! += terms[i]! * terms[j]!;
      a[i]![n]! += terms[i]! * value;
    }
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / p;
      for (let c = col; c <= n; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return Array.from({ length: n }, (_, i) =>
    Math.abs(a[i]![i]!) < 1e-12 ? 0 : a[i]![n]! / a[i]![i]!,
  );
}

/** A 3×3 mean, twice (each a row and a column pass): sensor noise averaged away before the threshold. */
function boxSmooth(values: Float32Array, width: number, height: number): Float32Array {
  let current = values;
  for (let pass = 0; pass < 2; pass++) {
    const rows = new Float32Array(current.length);
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const x0 = Math.max(0, x - 1);
        const x1 = Math.min(width - 1, x + 1);
        let sum = 0;
        for (let k = x0; k <= x1; k++) sum += current[row + k]!;
        rows[row + x] = sum / (x1 - x0 + 1);
      }
    }
    const next = new Float32Array(current.length);
    for (let y = 0; y < height; y++) {
      const y0 = Math.max(0, y - 1);
      const y1 = Math.min(height - 1, y + 1);
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = y0; k <= y1; k++) sum += rows[k * width + x]!;
        next[y * width + x] = sum / (y1 - y0 + 1);
      }
    }
    current = next;
  }
  return current;
}
