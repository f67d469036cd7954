import assert from 'node:assert/strict';
import { buildProgram } from '../../src/cli/program.js';
import { DicentraError } from '../../src/formats/dicentra-error.js';

/**
 * Runs `dicentra ARGS` in this process (no start-up cost per run) for a
 * command expected to refuse its input, and returns the error it throws.
 */
export async function refusalOf(args: readonly string[]): Promise<DicentraError> {
  const program = buildProgram(new AbortController().signal);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof DicentraError) return error;
    throw error;
  }
  assert.fail(`dicentra ${args.join(' ')} was not refused`);
}
