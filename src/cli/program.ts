import { Command } from 'commander';
import { registerCalibrateCommand } from './commands/calibrate.js';
import { registerCountsCommand } from './commands/counts.js';
import { registerCurveCommand } from './commands/curve.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDetectCommand } from './commands/detect.js';
import { registerDoseCommand } from './commands/dose.js';
import { registerDynamicsCommand } from './commands/dynamics.js';
import { registerEvaluateCommand } from './commands/evaluate.js';
import { registerImportCommand } from './commands/import.js';
import { registerLimitsCommand } from './commands/limits.js';
import { registerReviewCommand } from './commands/review.js';
import { registerReportCommand } from './commands/report.js';
import { registerQcCommand } from './commands/qc.js';
import { registerQueueStatusCommand } from './commands/queue-status.js';
import { registerSubmitCommand } from './commands/submit.js';
import { registerSynthCommand } from './commands/synth.js';
import { registerTrainCommand } from './commands/train.js';
import { registerTriageCommand } from './commands/triage.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWorkerCommand } from './commands/worker.js';

import { deferRequiredOptions } from './defer-required-options.js';
import { TOOL_VERSION } from './tool-version.js';

/** The `dicentra` command tree. Each subcommand lives in its own file under commands/. */
export function buildProgram(signal: AbortSignal): Command {
  const program = new Command('dicentra')
    .description(
      'dicentra — from Giemsa metaphase images to a radiation dose with honest error bars.\n' +
        'Results go to stdout (--json for one JSON document); logs and progress to stderr.\n' +
        'Exit codes: 0 ok, 1 a check failed, 2 usage/config error, 3 input I/O, 4 model/inference, 130 interrupted.',
    )
    .version(TOOL_VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    // a command's options after its subcommand belong to the subcommand (`review export --case`)
    .enablePositionalOptions()
    .configureOutput({ outputError: () => undefined })
    // descriptions carry their own line breaks (≤ 110 columns); re-wrapping at 80 mangles them
    .configureHelp({ helpWidth: 110 })
    .addHelpText(
      'after',
      '\nDocumentation: docs/cli.md (commands), docs/formats.md (files), docs/errors.md (error codes).',
    );
  registerImportCommand(program, signal);
  registerValidateCommand(program, signal);
  registerQcCommand(program, signal);
  registerSynthCommand(program, signal);
  registerTrainCommand(program, signal);
  registerDemoCommand(program, signal);
  registerDetectCommand(program, signal);
  registerEvaluateCommand(program, signal);
  registerCurveCommand(program, signal);
  registerCountsCommand(program, signal);
  registerDoseCommand(program, signal);
  registerLimitsCommand(program, signal);
  registerCalibrateCommand(program, signal);
  registerDynamicsCommand(program, signal);
  registerReviewCommand(program, signal);
  registerTriageCommand(program, signal);
  registerReportCommand(program, signal);
  registerSubmitCommand(program, signal);
  registerWorkerCommand(program, signal);
  registerQueueStatusCommand(program, signal);
  deferRequiredOptions(program);
  return program;
}
