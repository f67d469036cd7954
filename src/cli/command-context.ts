import { createProgress, type Progress } from './progress.js';

export interface GlobalOptions {
  readonly json: boolean;
  readonly quiet: boolean;
}

/**
 * What a command gets from the CLI shell: where to log, how to show progress,
 * how to print its result, and the signal that fires on Ctrl-C.
 */
export interface CommandContext {
  readonly options: GlobalOptions;
  readonly signal: AbortSignal;
  /** A line on stderr (suppressed by --quiet). */
  log(message: string): void;
  /** A warning on stderr (never suppressed). */
  warn(message: string): void;
  progress(label: string, total: number): Progress;
  /** The command's result on stdout: `human` as text, or `document` as the one JSON document under --json. */
  result(human: string, document: unknown): void;
}

export function createCommandContext(options: GlobalOptions, signal: AbortSignal): CommandContext {
  return {
    options,
    signal,
    log: (message) => {
      if (!options.quiet) process.stderr.write(`${message}\n`);
    },
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    progress: (label, total) => createProgress(label, total, { quiet: options.quiet }),
    result: (human, document) => {
      process.stdout.write(options.json ? `${JSON.stringify(document, null, 2)}\n` : `${human}\n`);
    },
  };
}
