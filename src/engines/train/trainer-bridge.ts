import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { errorCatalogue, type ErrorCode } from '../../formats/error-catalogue.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { ExitCode } from '../../formats/exit-codes.js';
import { findTrainingPython, WORKER_PYTHONPATH } from './python-runtime.js';
import { parseTrainerEvent, type TrainerEvent, type TrainerEventOf } from './trainer-events.js';

export interface TrainRequest {
  readonly dataPath: string;
  readonly outDir: string;
  /** Config keys (camelCase) the user gave; the worker validates them and fills defaults. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly resume: boolean;
  readonly nproc: number;
  /** Recorded in bundle.json. */
  readonly commandLine?: string;
  /** The training images' chromosome width (px), recorded in bundle.json's input rule. */
  readonly chromosomeWidthPx?: number;
}

export interface TrainerCallbacks {
  onEvent?(event: TrainerEvent): void;
  /** A line the worker wrote on stderr (also appended to RUN_DIR/train.log). */
  onLog?(line: string): void;
}

export type TrainOutcome = TrainerEventOf<'done'>;

/** Name of the run log inside the run folder: the worker's stderr, appended across resumes. */
export const RUN_LOG = 'train.log';

function errorFromEvent(event: TrainerEventOf<'error'>, exitStatus: number | null): DicentraError {
  const known = event.code in errorCatalogue;
  return new DicentraError(
    known ? (event.code as ErrorCode) : 'DCN_E_TRAINING_FAILED',
    known ? event.message : `${event.code}: ${event.message}`,
    {
      file: event.file,
      field: event.field,
      hint: event.hint,
      // A data-parallel worker may exit with the status of its failing rank; the catalogue decides.
      ...(exitStatus === ExitCode.interrupted ? { exitCode: ExitCode.interrupted } : {}),
    },
  );
}

/**
 * Runs the Python training worker (`python -m dicentra_train train`) with
 * PYTHONPATH=python, reads its JSON-lines events, and maps its end to a result
 * or a catalogued DicentraError. Aborting `signal` (Ctrl-C) sends SIGINT to the
 * worker's process group: it drops the unfinished epoch and exits, leaving a
 * valid bundle and a state that `--resume` continues from.
 */
export async function runTrainer(
  request: TrainRequest,
  callbacks: TrainerCallbacks,
  signal: AbortSignal,
): Promise<TrainOutcome> {
  const { python } = await findTrainingPython();
  await mkdir(request.outDir, { recursive: true });
  const log = createWriteStream(join(request.outDir, RUN_LOG), { flags: 'a' });
  log.write(`--- ${new Date().toISOString()} ${request.commandLine ?? 'dicentra train'}\n`);
  const args = [
    '-m',
    'dicentra_train',
    'train',
    '--data',
    request.dataPath,
    '--out',
    request.outDir,
    '--config-json',
    JSON.stringify(request.config),
    '--nproc',
    String(request.nproc),
    ...(request.resume ? ['--resume'] : []),
    ...(request.commandLine ? ['--command-line', request.commandLine] : []),
    ...(request.chromosomeWidthPx
      ? ['--chromosome-width', request.chromosomeWidthPx.toFixed(3)]
      : []),
  ];
  const pythonPath = [WORKER_PYTHONPATH, process.env.PYTHONPATH].filter(Boolean).join(':');
  // Its own process group, so a terminal Ctrl-C reaches it once, through us.
  const child = spawn(python, args, {
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const interrupt = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  signal.addEventListener('abort', interrupt);
  process.once('exit', interrupt); // a second Ctrl-C exits us at once; the worker stops too

  let failure: TrainerEventOf<'error'> | undefined;
  let done: TrainOutcome | undefined;
  let interrupted = false;
  const stderrTail: string[] = [];
  const stdoutLines = createInterface({ input: child.stdout });
  stdoutLines.on('line', (line) => {
    const event = parseTrainerEvent(line);
    if (!event) {
      log.write(`[stdout] ${line}\n`);
      return;
    }
    if (event.event === 'error') failure = event;
    if (event.event === 'done') done = event;
    if (event.event === 'interrupted') interrupted = true;
    if (event.event !== 'batch') log.write(`${line}\n`);
    callbacks.onEvent?.(event);
  });
  const stderrLines = createInterface({ input: child.stderr });
  stderrLines.on('line', (line) => {
    log.write(`${line}\n`);
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    callbacks.onLog?.(line);
  });

  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (error) =>
      reject(
        new DicentraError('DCN_E_PYTHON_MISSING', `could not start ${python}: ${error.message}`, {
          hint: 'set DICENTRA_PYTHON to a Python 3 with torch, numpy and PIL',
          cause: error,
        }),
      ),
    );
    // 'close' waits for stdout/stderr to drain, so every event has been seen.
    child.on('close', (code, killedBy) => resolve(code ?? (killedBy ? 128 : null)));
  }).finally(() => {
    signal.removeEventListener('abort', interrupt);
    process.removeListener('exit', interrupt);
  });
  await new Promise<void>((resolve) => log.end(resolve));

  if (failure) throw errorFromEvent(failure, status);
  if (interrupted || status === ExitCode.interrupted || signal.aborted) {
    throw new DicentraError('DCN_E_INTERRUPTED', 'training interrupted', {
      file: join(request.outDir, 'bundle.json'),
      hint: 'the bundle holds every finished member; continue with the same command and --resume',
    });
  }
  if (status !== 0 || !done) {
    throw new DicentraError(
      'DCN_E_TRAINING_FAILED',
      `the training worker exited with status ${status}:\n${stderrTail.join('\n')}`,
      {
        file: join(request.outDir, RUN_LOG),
        hint: 'read the run log; report it if the inputs are valid',
      },
    );
  }
  return done;
}
