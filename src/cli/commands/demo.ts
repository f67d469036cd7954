import type { Command } from 'commander';
import { DicentraError } from '../../formats/dicentra-error.js';
import { commandAction, withCommonOptions } from '../define-command.js';

export function registerDemoCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('demo')
      .summary('run the whole pipeline on a synthetic benchmark and write an HTML dose report')
      .description(
        'From nothing to a dose report: generate synthetic metaphases, get a detector ensemble,\n' +
          'calibrate a dose curve from automated counts and estimate the dose of simulated persons.',
      ),
  ).action(
    commandAction<object>(signal, async () => {
      throw new DicentraError(
        'DCN_E_NOT_AVAILABLE',
        'the end-to-end demo is not yet available in this build',
        {
          hint: 'the pieces available now are listed by `dicentra --help`',
        },
      );
    }),
  );
}
