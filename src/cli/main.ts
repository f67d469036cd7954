#!/usr/bin/env node
import { CommanderError } from 'commander';
import { DicentraError } from '../formats/dicentra-error.js';
import { ExitCode } from '../formats/exit-codes.js';
import { installInterruptHandler } from './interrupt.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

// A closed pipe (`dicentra ... | head`) is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const argv = process.argv.slice(2);
const wantsJson = argv.includes('--json');
const signal = installInterruptHandler();
const program = buildProgram(signal);

try {
  await program.parseAsync(argv, { from: 'user' });
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
      process.exitCode = ExitCode.ok;
    } else {
      const unknownCommand = error.code === 'commander.unknownCommand';
      const message = error.message.replace(/^error: /, '').replace(/\n\(/, ' (');
      process.exitCode = reportError(
        new DicentraError(unknownCommand ? 'DCN_E_UNKNOWN_COMMAND' : 'DCN_E_USAGE', message, {
          hint: unknownCommand
            ? `the commands are: ${program.commands.map((c) => c.name()).join(', ')}; run \`dicentra --help\``
            : 'run the command with --help to see its options and examples',
        }),
        wantsJson,
      );
    }
  } else {
    process.exitCode = reportError(error, wantsJson);
  }
}
