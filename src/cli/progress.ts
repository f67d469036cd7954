import { SingleBar } from 'cli-progress';
import { formatDuration } from '../cores/format-duration.js';

export interface Progress {
  update(done: number, total?: number): void;
  finish(): void;
}

const PLAIN_INTERVAL_MS = 2000;

/**
 * Progress on stderr: an animated bar on a terminal, otherwise a plain
 * `[label] i/N eta …` line at most every two seconds (and at the end), so
 * logs stay readable in CI and files.
 */
export function createProgress(
  label: string,
  total: number,
  options: { quiet?: boolean } = {},
): Progress {
  if (options.quiet) return { update: () => undefined, finish: () => undefined };
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`,
      hideCursor: true,
      formatTime: (seconds: number) => formatDuration(seconds),
      clearOnComplete: false,
    });
    bar.start(total, 0);
    return {
      update: (done, newTotal) => {
        if (newTotal !== undefined) bar.setTotal(newTotal);
        bar.update(done);
      },
      finish: () => bar.stop(),
    };
  }
  const started = Date.now();
  let lastPrinted = 0;
  let current = 0;
  let size = total;
  const print = () => {
    const elapsed = (Date.now() - started) / 1000;
    const eta = current > 0 ? (elapsed / current) * (size - current) : Number.NaN;
    process.stderr.write(`[${label}] ${current}/${size} eta ${formatDuration(eta)}\n`);
    lastPrinted = Date.now();
  };
  return {
    update: (done, newTotal) => {
      current = done;
      if (newTotal !== undefined) size = newTotal;
      if (Date.now() - lastPrinted >= PLAIN_INTERVAL_MS) print();
    },
    finish: () => {
      if (lastPrinted === 0 || current !== size) print();
      const elapsed = (Date.now() - started) / 1000;
      process.stderr.write(`[${label}] done in ${formatDuration(elapsed)}\n`);
    },
  };
}
