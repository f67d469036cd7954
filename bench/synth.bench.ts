/**
 * Synthetic metaphase throughput: images per second at 1008×888 (medium
 * difficulty, grey PNG written to disk), on one rendering thread (the
 * baseline, measured in the same run) and on every core. Target: ≥ 10/s.
 * Then the wide training preset on every core (its own frames, 912×732 to
 * 1440×1024, half of them colour, most JPEG round-tripped).
 */
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { generateSynthDataset } from '../src/engines/synth/synth-dataset.js';

const COUNT = Number(process.env.SYNTH_BENCH_COUNT ?? 60);
const TARGET = 10;
const medium = resolveSynthParameters({ width: 1008, height: 888, difficulty: 'medium' });
const wide = resolveSynthParameters({ width: 1008, height: 888, difficulty: 'wide' });

interface Rate {
  readonly perSecond: number;
  /** Process CPU time (all threads) per image: what an idle machine would need. */
  readonly cpuMs: number;
}

async function imagesPerSecond(threads: number, params = medium): Promise<Rate> {
  const dir = await mkdtemp(join(tmpdir(), 'dicentra-synth-bench-'));
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await generateSynthDataset({
      outDir: dir,
      seed: 1,
      params,
      mode: 'train',
      count: COUNT,
      doseRange: [0, 5],
      minAberrations: 1,
      labels: false,
      splitRatios: { train: 0.8, val: 0.1, test: 0.1 },
      threads,
      toolVersion: 'bench',
    });
    const used = process.cpuUsage(cpu);
    return {
      perSecond: COUNT / ((performance.now() - started) / 1000),
      cpuMs: (used.user + used.system) / 1000 / COUNT,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cores = availableParallelism();
const single = await imagesPerSecond(1);
const all = await imagesPerSecond(cores);
console.log(`synth 1008x888 medium, ${COUNT} images incl. PNG encoding and writing`);
console.log(
  `  1 thread (baseline): ${single.perSecond.toFixed(1)} images/s, ${single.cpuMs.toFixed(0)} CPU-ms/image`,
);
console.log(
  `  ${cores} threads:           ${all.perSecond.toFixed(1)} images/s (${(all.perSecond / single.perSecond).toFixed(2)}× the baseline), ${all.cpuMs.toFixed(0)} CPU-ms/image; target ≥ ${TARGET}/s: ${all.perSecond >= TARGET ? 'met' : 'NOT met'}`,
);
const widely = await imagesPerSecond(cores, wide);
console.log(
  `  wide preset, ${cores} threads: ${widely.perSecond.toFixed(1)} images/s, ${widely.cpuMs.toFixed(0)} CPU-ms/image`,
);
console.log(
  `  CPU-bound ceiling on ${cores} idle cores: ${((1000 * cores) / all.cpuMs).toFixed(1)} images/s (other load on the machine lowers the wall-clock figures)`,
);
