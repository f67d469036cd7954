import { availableParallelism } from 'node:os';
import type { BundleMember } from '../../formats/bundle.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import { BundleEnsemble } from './bundle-ensemble.js';

/**
 * Most lanes opened: each holds its own sessions of every member, and each
 * session keeps up to its largest run's working memory (about 68 bytes a
 * pixel, tiled-run.ts), so lanes multiply memory.
 */
export const MAX_LANES = 4;

/** How inference threads are spent: `lanes` ensembles side by side, each with `threadsPerLane`. */
export interface LanePlan {
  readonly lanes: number;
  readonly threadsPerLane: number;
}

/**
 * `threads` inference threads in all (0: one per core) as independent lanes
 * of one thread each, up to MAX_LANES, the rest shared out within lanes. One
 * single-thread session per core, each on its own frames, runs the shipped
 * ensemble 1.81× faster than one session with two threads on a 2-core
 * machine (docs/scale.md): a small network's operators leave a second
 * thread idle much of the time.
 */
export function lanePlan(threads: number, cores = availableParallelism()): LanePlan {
  const total = threads > 0 ? threads : cores;
  const lanes = Math.max(1, Math.min(MAX_LANES, total));
  return { lanes, threadsPerLane: Math.max(1, Math.floor(total / lanes)) };
}

/**
 * A pool of ensembles of the same members, each opened on first use; `use`
 * runs work on whichever is free (first come, first served), so frames
 * handed out in turn keep every lane busy.
 */
export class SessionLanes {
  private readonly opened: Promise<BundleEnsemble>[] = [];
  private readonly free: number[];
  private readonly waiting: ((lane: number) => void)[] = [];

  constructor(
    private readonly loaded: LoadedBundle,
    private readonly members: readonly BundleMember[],
    private readonly plan: LanePlan,
    private readonly features: boolean,
  ) {
    this.free = Array.from({ length: plan.lanes }, (_, lane) => lane);
  }

  async use<T>(work: (ensemble: BundleEnsemble) => Promise<T>): Promise<T> {
    const lane =
      this.free.shift() ?? (await new Promise<number>((resolve) => this.waiting.push(resolve)));
    try {
      this.opened[lane] ??= BundleEnsemble.open(this.loaded, this.members, {
        intraOpThreads: this.plan.threadsPerLane,
        features: this.features,
      });
      return await work(await this.opened[lane]!);
    } finally {
      const next = this.waiting.shift();
      if (next) next(lane);
      else this.free.push(lane);
    }
  }

  /** Closes every opened ensemble (call once no `use` is pending). */
  async close(): Promise<void> {
    const settled = await Promise.allSettled(this.opened.filter(Boolean));
    await Promise.all(
      settled.map((entry) => (entry.status === 'fulfilled' ? entry.value.close() : undefined)),
    );
  }
}
