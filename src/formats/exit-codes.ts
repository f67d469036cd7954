/** Process exit codes of the CLI contract (docs/cli.md). */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  inputOutput: 3,
  model: 4,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
