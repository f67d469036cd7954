import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  finish(): void;
}

const PLAIN_INTERVAL_MS = 2000;

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

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
    process.stderr.write(`[${label}] ${current}/${size} eta ${formatSeconds(eta)}\n`);
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
      process.stderr.write(`[${label}] done in ${formatSeconds(elapsed)}\n`);
    },
  };
}
