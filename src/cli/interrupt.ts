import { DicentraError } from '../formats/dicentra-error.js';

/**
 * Ctrl-C handling: the first SIGINT aborts the shared signal so long jobs stop
 * at a safe point (finished work kept, temp files removed); a second one exits
 * at once with 130. SIGTERM and SIGHUP (kill, a closed terminal, a job
 * scheduler) are treated alike: by default Node would die at once and leave a
 * child such as the training worker running on its own.
 */
export function installInterruptHandler(): AbortSignal {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      '\ninterrupt: stopping at the next safe point (Ctrl-C again to quit now)\n',
    );
    controller.abort();
  };
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, onSignal);
  return controller.signal;
}

export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) {
    throw new DicentraError('DCN_E_INTERRUPTED', 'interrupted', {
      hint: 'run the same command again; finished work is kept',
    });
  }
}
