import { Option, type Command } from 'commander';
import { ExitCode } from '../../formats/exit-codes.js';
import type { CaseJobData } from '../../formats/case-job.js';
import type { SubmittedCase } from '../../engines/queue/submit-cases.js';
import { confidenceLevels } from '../confidence-levels.js';
import { commandAction, withCommonOptions } from '../define-command.js';
import { parseInteger, parseNumberList } from '../parse-options.js';
import { queueAddress, withQueueOptions, type QueueOptions } from '../queue-options.js';

interface SubmitOptions extends QueueOptions {
  case: string[];
  model: string;
  curve?: string;
  members?: string;
  tc?: string;
  ta?: string;
  method: 'merkle' | 'delta';
  ci?: number[];
  attempts: number;
  backoff: number;
  rerun?: boolean;
  wait?: boolean;
}

/** `dose --method` with its levels, as `dose` reads them (Merkle yield,curve; delta one level). */
function methodOf(options: SubmitOptions): NonNullable<CaseJobData['method']> {
  const levels = confidenceLevels(options.method, options.ci);
  return options.method === 'merkle'
    ? { kind: 'merkle', confYield: levels[0]!, confCurve: levels[1]! }
    : { kind: 'delta', conf: levels[0]! };
}

function describe(cases: readonly SubmittedCase[]): string {
  return cases
    .map((entry) => {
      const head = `${entry.jobId}\t${entry.action}\t${entry.state}\t${entry.caseDir}`;
      if (entry.failedReason) return `${head}\n  ${entry.failedReason}`;
      const doses = (entry.result?.cases ?? [])
        .filter((row) => row.dose)
        .map(
          (row) =>
            `${row.id}: dose ${row.dose!.estimate.toFixed(3)} [${row.dose!.lower.toFixed(3)}, ${row.dose!.upper.toFixed(3)}] Gy`,
        );
      return doses.length > 0 ? `${head}\n  ${doses.join('; ')}` : head;
    })
    .join('\n');
}

export function registerSubmitCommand(program: Command, signal: AbortSignal): void {
  withCommonOptions(
    withQueueOptions(
      program
        .command('submit')
        .summary('queue case folders for workers, one job per person; prints the job ids')
        .description(
          'Add one job per case folder to a Redis queue; `dicentra worker` processes it as detect →\n' +
            'counts → dose (with --curve) would, writing CASE/detections.json, CASE/counts.csv and\n' +
            'CASE/dose.json. A case folder holds one person’s images (or a dataset.json naming them) on\n' +
            'storage every worker mounts at the same path. The job id is derived from the folder’s\n' +
            'absolute path: submitting a case already waiting or running adds nothing; a completed case is\n' +
            'kept (its results stand) unless --rerun; a failed case is run again (fix it, then submit it).\n' +
            'The model, curve and detector options are checked before anything is queued.',
        ),
    )
      .requiredOption(
        '--case <dirs...>',
        'case folders (several after one --case, or --case repeated; a shell glob works)',
      )
      .requiredOption('--model <bundle.json>', 'the model bundle or its folder (as for detect)')
      .option(
        '--curve <curve.json>',
        'a curve from `dicentra calibrate` with this bundle: detect votes as it does (detect --curve) and each case gets its dose',
      )
      .option('--members <rule>', 'without --curve: detect --members (default: last:10)')
      .option('--tc <value>', 'without --curve: detect --tc (default: 0.5)')
      .option('--ta <value>', 'without --curve: detect --ta (default: min(4, M − 1))')
      .addOption(
        new Option('--method <method>', 'with --curve: dose --method (whole body)')
          .choices(['merkle', 'delta'])
          .default('merkle'),
      )
      .option(
        '--ci <levels>',
        'with --curve: dose --ci (merkle yield,curve, default 0.83,0.83; delta one level, default 0.95)',
        parseNumberList('--ci', 0, 1),
      )
      .option(
        '--attempts <n>',
        'tries per case for errors that may pass (model, inference, writing); input errors fail at once',
        parseInteger('--attempts', 1, 100),
        3,
      )
      .option(
        '--backoff <ms>',
        'delay before the first retry; each further retry waits twice as long',
        parseInteger('--backoff', 0),
        10000,
      )
      .option('--rerun', 'run completed cases again (their files are rewritten)')
      .option(
        '--wait',
        'wait until every submitted case has finished; exit 1 if any failed (DCN_E_QUEUE_JOBS_FAILED)',
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  dicentra submit --queue redis://10.0.0.5:6379 --case /shared/cases/* --model /shared/models/lab --curve /shared/lab-curve.json\n' +
          '  dicentra submit --queue redis://10.0.0.5:6379 --case /shared/cases/p-017 --model /shared/models/lab --curve /shared/lab-curve.json --wait --json\n' +
          '  dicentra submit --queue redis://10.0.0.5:6379 --case /shared/cases/p-017 --model /shared/models/lab --tc 0.6 --ta 4\n' +
          '  dicentra queue-status --queue redis://10.0.0.5:6379',
      ),
  ).action(
    commandAction<SubmitOptions>(signal, async (options, context) => {
      const method = options.curve ? methodOf(options) : undefined;
      const { submitCases } = await import('../../engines/queue/submit-cases.js');
      const progress = options.wait ? context.progress('cases', options.case.length) : null;
      const cases = await submitCases({
        address: queueAddress(options),
        cases: options.case,
        detector: {
          model: options.model,
          ...(options.curve === undefined ? {} : { curve: options.curve }),
          ...(options.members === undefined ? {} : { members: options.members }),
          ...(options.tc === undefined ? {} : { tc: options.tc }),
          ...(options.ta === undefined ? {} : { ta: options.ta }),
          ...(method ? { method } : {}),
        },
        attempts: options.attempts,
        backoffMs: options.backoff,
        rerun: Boolean(options.rerun),
        wait: Boolean(options.wait),
        onFinished: (done, total) => progress?.update(done, total),
      });
      progress?.finish();
      const failed = cases.filter((entry) => entry.state === 'failed');
      const waited = Boolean(options.wait);
      context.result(describe(cases), {
        ok: !(waited && failed.length > 0),
        queue: options.name,
        jobs: cases,
      });
      if (waited && failed.length > 0) {
        process.stderr.write(
          `error[DCN_E_QUEUE_JOBS_FAILED]: ${failed.length} of ${cases.length} cases failed (first: ${failed[0]!.caseDir}: ${failed[0]!.failedReason})\n` +
            '  hint: fix the listed cases and submit them again; `dicentra queue-status` lists every failure\n',
        );
        process.exitCode = ExitCode.checkFailed;
      }
    }),
  );
}
