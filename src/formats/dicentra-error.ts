import { errorCatalogue, type ErrorCode } from './error-catalogue.js';
import type { ExitCodeValue } from './exit-codes.js';

/** Where in the inputs a problem sits. */
export interface ErrorLocation {
  /** The file at fault, as the user named it or as resolved. */
  readonly file?: string;
  /** A JSON path (`images[3].points.dicentric[0]`), CSV line or flag name. */
  readonly field?: string;
}

export interface ProblemDetail extends ErrorLocation {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * The one error type the CLI turns into an exit code. It says what happened,
 * where, and what to do (`hint`). `problems` lists every finding when a check
 * collects many at once.
 */
export class DicentraError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;
  readonly problems: readonly ProblemDetail[];
  readonly exitCode: ExitCodeValue;

  constructor(
    code: ErrorCode,
    message: string,
    options: ErrorLocation & {
      hint?: string;
      problems?: readonly ProblemDetail[];
      exitCode?: ExitCodeValue;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DicentraError';
    this.code = code;
    this.file = options.file;
    this.field = options.field;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
    this.exitCode = options.exitCode ?? errorCatalogue[code].exit;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      file: this.file,
      field: this.field,
      hint: this.hint,
      problems: this.problems.length > 0 ? this.problems : undefined,
    };
  }
}

export function isDicentraError(error: unknown): error is DicentraError {
  return error instanceof DicentraError;
}
