/**
 * Fast per-pixel noise. SeededRandom is exact but costs ~50 ns a normal draw;
 * an image needs a million, so each image seeds this small xorshift generator
 * from its own noise stream and reads normals from an inverse-CDF table.
 */

/** Φ(z) via the Abramowitz–Stegun 7.1.26 erf approximation (|error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const TABLE_BITS = 12;
/** Φ⁻¹ at the centres of 4096 equal-probability bins, found by bisection. */
const NORMAL_TABLE = (() => {
  const size = 1 << TABLE_BITS;
  const table = new Float32Array(size);
  for (let k = 0; k < size; k++) {
    const p = (k + 0.5) / size;
    let low = -8;
    let high = 8;
    for (let step = 0; step < 60; step++) {
      const mid = (low + high) / 2;
      if (normalCdf(mid) < p) low = mid;
      else high = mid;
    }
    table[k] = (low + high) / 2;
  }
  return table;
})();

export class PixelNoise {
  private state: number;

  /** `seed32`: any 32-bit integer (0 is replaced, xorshift needs a non-zero state). */
  constructor(seed32: number) {
    this.state = seed32 | 0 || 0x2545f491;
  }

  /** Marsaglia's xorshift32: a 32-bit unsigned integer. */
  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal, quantised to 4096 equal-probability levels. */
  normal(): number {
    return NORMAL_TABLE[this.nextUint32() >>> (32 - TABLE_BITS)]!;
  }
}
