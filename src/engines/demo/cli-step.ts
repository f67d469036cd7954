import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../../formats/atomic-write.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { ExitCode } from '../../formats/exit-codes.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** One stage of a pipeline: a `dicentra` command line, the files it reads and writes. */
export interface CliStep {
  readonly name: string;
  readonly args: readonly string[];
  /** Files whose content decides the result (beside the arguments). */
  readonly inputs: readonly string[];
  /** Files the step must leave behind; all present and fingerprint unchanged ⇒ the step is reused. */
  readonly outputs: readonly string[];
}

export interface StepOutcome {
  readonly reused: boolean;
  /** The command's `--json` document. */
  readonly result: unknown;
}

async function fingerprint(step: CliStep, toolVersion: string): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify([toolVersion, step.args]));
  for (const input of step.inputs) hash.update(await readFile(input));
  return hash.digest('hex');
}

async function allExist(paths: readonly string[]): Promise<boolean> {
  const checks = await Promise.all(
    paths.map((p) =>
      access(p).then(
        () => true,
        () => false,
      ),
    ),
  );
  return checks.every(Boolean);
}

/**
 * Runs `dicentra ARGS --json` as a child process (its progress on our stderr),
 * unless an earlier run with the same arguments and input contents left all
 * outputs and a matching stamp in `stampDir`: then its recorded result is reused.
 */
export async function runCliStep(
  step: CliStep,
  stampDir: string,
  toolVersion: string,
  signal: AbortSignal,
): Promise<StepOutcome> {
  const stampPath = join(stampDir, `${step.name}.stamp.json`);
  const print = await fingerprint(step, toolVersion);
  const stamp = (await readFile(stampPath, 'utf8').then(JSON.parse, () => null)) as {
    fingerprint?: string;
    result?: unknown;
  } | null;
  if (stamp?.fingerprint === print && (await allExist(step.outputs))) {
    return { reused: true, result: stamp.result };
  }
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...step.args, '--json'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        signal,
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', (error) =>
        signal.aborted ? resolve({ code: ExitCode.interrupted, stdout: out }) : reject(error),
      );
      child.on('close', (exit) => resolve({ code: exit, stdout: out }));
    },
  );
  if (signal.aborted || code === ExitCode.interrupted) {
    throw new DicentraError('DCN_E_INTERRUPTED', `interrupted during ${step.name}`, {
      hint: 'run the demo again: finished steps are reused',
    });
  }
  if (code !== 0) {
    const reported = (() => {
      try {
        return (JSON.parse(stdout) as { error?: { code?: string; message?: string } }).error;
      } catch {
        return undefined;
      }
    })();
    throw new DicentraError(
      'DCN_E_DEMO_STEP_FAILED',
      `demo step "${step.name}" failed (exit ${code}): ${reported?.message ?? 'see the error above'}`,
      {
        field: step.name,
        hint: `the command was: dicentra ${step.args.join(' ')}`,
        exitCode: code === null ? ExitCode.checkFailed : (code as 1 | 2 | 3 | 4),
      },
    );
  }
  const result = JSON.parse(stdout) as unknown;
  await writeJsonAtomic(stampPath, {
    step: step.name,
    args: step.args,
    fingerprint: print,
    result,
  });
  return { reused: false, result };
}
