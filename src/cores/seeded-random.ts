import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** A 32-bit avalanche mix (murmur3 finaliser) so nearby seeds give unrelated streams. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * A seeded random stream. `(seed, ...stream)` names an independent stream, so
 * work split across threads draws the same numbers whatever the split (image i
 * always uses stream `[i]`).
 */
export class SeededRandom {
  private readonly generator: JumpableRandomGenerator;

  constructor(seed: number, ...stream: number[]) {
    let state = mix32(seed ^ 0x9e3779b9);
    for (const part of stream) state = mix32(state ^ mix32(part + 0x7f4a7c15));
    this.generator = xoroshiro128plus(state);
    // the first outputs of xoroshiro from a 32-bit seed are weakly mixed
    for (let i = 0; i < 8; i++) this.generator.next();
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Integer uniform in [low, high] inclusive. */
  integer(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low + 1));
  }

  chance(probability: number): boolean {
    return this.uniform() < probability;
  }

  /** Standard normal by Box–Muller (one draw per call, no hidden cache). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Poisson by Knuth's product method, in chunks of mean ≤ 30 (Poisson sums are Poisson). */
  poisson(mean: number): number {
    if (!(mean >= 0)) throw new RangeError(`poisson mean must be ≥ 0, got ${mean}`);
    let count = 0;
    let remaining = mean;
    while (remaining > 0) {
      const chunk = Math.min(remaining, 30);
      remaining -= chunk;
      const limit = Math.exp(-chunk);
      let product = this.uniform();
      while (product > limit) {
        count++;
        product *= this.uniform();
      }
    }
    return count;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.uniform() * items.length)]!;
  }

  /** Fisher–Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
