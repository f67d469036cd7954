import { DicentraError } from '../formats/dicentra-error.js';

/**
 * Ctrl-C handling: the first SIGINT aborts the shared signal so long jobs stop
 * at a safe point (finished work kept, temp files removed); a second one exits
 * at once with 130.
 */
export function installInterruptHandler(): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      '\ninterrupt: stopping at the next safe point (Ctrl-C again to quit now)\n',
    );
    controller.abort();
  });
  return controller.signal;
}

export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) {
    throw new DicentraError('DCN_E_INTERRUPTED', 'interrupted', {
      hint: 'run the same command again; finished work is kept',
    });
  }
}
