import { DicentraError } from '../formats/dicentra-error.js';
import { ExitCode } from '../formats/exit-codes.js';

/**
 * Prints an error on stderr (and, under --json, as the one JSON document on
 * stdout so scripts always get a parsable answer) and returns its exit code.
 */
export function reportError(error: unknown, json: boolean): number {
  const known =
    error instanceof DicentraError
      ? error
      : new DicentraError(
          'DCN_E_INTERNAL',
          `unexpected error: ${(error as Error)?.stack ?? String(error)}`,
          {
            hint: 'this is a bug in dicentra; please report it with the command line and this message',
          },
        );
  const lines = [`error[${known.code}]: ${known.message}`];
  if (known.file && !known.message.includes(known.file)) lines.push(`  file: ${known.file}`);
  if (known.field && known.problems.length === 0) lines.push(`  field: ${known.field}`);
  if (known.hint) lines.push(`  hint: ${known.hint}`);
  process.stderr.write(`${lines.join('\n')}\n`);
  if (json)
    process.stdout.write(`${JSON.stringify({ ok: false, error: known.toJSON() }, null, 2)}\n`);
  return known.exitCode ?? ExitCode.checkFailed;
}
