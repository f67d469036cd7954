import type { Command } from 'commander';
import { createCommandContext, type CommandContext } from './command-context.js';

/** Adds the options every command shares. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print the result as exactly one JSON document on stdout')
    .option('-q, --quiet', 'no progress or log lines on stderr (warnings and errors still shown)');
}

/**
 * Wraps a command body so it receives its parsed options, a CommandContext and
 * its positional arguments. The body holds no domain logic: parse, call, print.
 */
export function commandAction<O extends object>(
  signal: AbortSignal,
  body: (options: O, context: CommandContext, args: string[]) => Promise<void>,
): (...params: unknown[]) => Promise<void> {
  return async (...params) => {
    const command = params[params.length - 1] as Command;
    const options = command.opts<O & { json?: boolean; quiet?: boolean }>();
    const context = createCommandContext(
      { json: Boolean(options.json), quiet: Boolean(options.quiet) },
      signal,
    );
    await body(options, context, command.processedArgs as string[]);
  };
}
