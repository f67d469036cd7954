import type { Command } from 'commander';
import { checkCommandFiles } from '../command-files.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { TOOL_VERSION } from '../tool-version.js';

interface DemoOptions {
  out: string;
  model: string;
  train?: boolean;
  quick?: boolean;
}

export function registerDemoCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    program
      .command('demo')
      .summary('run the whole pipeline on a synthetic benchmark and write an HTML dose report')
      .description(
        'From nothing to a dose report, on synthetic metaphases with exact ground truth:\n' +
          '  1. generate labelled benchmark images, a calibration set (the paper’s 12 doses) and three persons\n' +
          '     (0.5, 1.5 and 3 Gy);\n' +
          '  2. take the shipped checkpoint ensemble (or train one with --train: long on a CPU);\n' +
          '  3. calibrate a dose curve from the ensemble’s automated counts;\n' +
          '  4. estimate each person’s dose with an interval carrying counting, curve and detector error;\n' +
          '  5. write a self-contained HTML report and print its path.\n' +
          'Each step is a dicentra command (printed as it runs); a second run reuses every step whose\n' +
          'inputs are unchanged.',
      )
      .option('--out <dir>', 'output folder', 'demo-output')
      .option(
        '--model <bundle.json>',
        'the ensemble to use (bundle.json or its folder)',
        'models/demo/bundle.json',
      )
      .option(
        '--train',
        'train a fresh ensemble instead of using --model (about an hour on 2 CPU cores)',
      )
      .option('--quick', 'a toy-sized run (seconds; for checking the pipeline, not its numbers)')
      .addHelpText(
        'after',
        '\nExamples:\n  npm run demo\n  dicentra demo --out /tmp/demo --quick\n',
      ),
  ).action(
    commandAction<DemoOptions>(signal, async (options, context) => {
      await checkCommandFiles({
        inputs: { '--model': options.train ? undefined : options.model },
        outputFolders: { '--out': options.out },
      });
      const { DEMO_PLANS } = await import('../../engines/demo/demo-plan.js');
      const { runDemo } = await import('../../engines/demo/run-demo.js');
      const result = await runDemo({
        plan: options.quick ? DEMO_PLANS.quick : DEMO_PLANS.standard,
        outDir: options.out,
        bundlePath: options.model,
        train: Boolean(options.train),
        toolVersion: TOOL_VERSION,
        signal: context.signal,
        log: (message) => context.log(message),
      });
      const lines = result.doseCases.map(
        (c) =>
          `  ${c.id}: ${c.dose.estimate.toFixed(2)} Gy [${c.dose.lower.toFixed(2)}, ${c.dose.upper.toFixed(2)}] ` +
          `(true ${result.trueDoses[c.id]} Gy, ${c.table.aberrations} dicentrics in ${c.table.cells} cells)`,
      );
      context.result(
        [
          `${result.ensembleOrigin}.`,
          'Dose estimates:',
          ...lines,
          `Report: ${result.reportPath}`,
        ].join('\n'),
        {
          ok: true,
          report: result.reportPath,
          ensemble: result.ensembleOrigin,
          doses: result.doseCases.map((c) => ({
            id: c.id,
            trueDoseGy: result.trueDoses[c.id],
            dose: c.dose,
            cells: c.table.cells,
          })),
          reusedSteps: result.reusedSteps,
          seconds: result.seconds,
        },
      );
    }),
  );
}
