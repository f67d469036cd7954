/**
 * False alarms on real metaphases nobody tuned to: the eight unirradiated
 * Giemsa spreads of test/fixtures/refs/real-metaphases (no dicentric or
 * fragment is expected; a sister-cohesion study, see its README). Each model
 * is run by the `dicentra detect` command at the paper's operating point
 * (T_C 0.5, T_A min(4, M − 1) of its last M members) and its detections per
 * cell are printed side by side, in one run.
 *
 *   npm run bench -- real-references [--model models/demo/bundle.json]... [--members last:10]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const REAL = fileURLToPath(
  new URL('../../test/fixtures/refs/real-metaphases/images/', import.meta.url),
);
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const run = promisify(execFile);

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'real-references'),
  options: {
    model: { type: 'string', multiple: true },
    members: { type: 'string', default: 'last:10' },
  },
  strict: false,
});
const models = (args.model as string[] | undefined) ?? ['models/demo/bundle.json'];
const work = await mkdtemp(join(tmpdir(), 'dicentra-real-refs-'));

interface Detections {
  bundle: { memberEpochs: number[] };
  thresholds: Record<string, { ta: number }>;
  images: { id: string; counts: Record<string, number> }[];
}

console.log(`real references: ${REAL} (8 unirradiated spreads, none expected)`);
console.log(
  '| model | members | T_A | dicentrics (total) | per cell | fragments (total) | per cell | per image D/F |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const [index, model] of models.entries()) {
  const out = join(work, `detections-${index}.json`);
  await run(
    process.execPath,
    [
      CLI,
      'detect',
      '--model',
      model,
      '--images',
      REAL,
      '--members',
      String(args.members),
      '--tc',
      '0.5',
      '--out',
      out,
      '--quiet',
    ],
    { maxBuffer: 1 << 24 },
  );
  const result = JSON.parse(await readFile(out, 'utf8')) as Detections;
  const total = (name: string) =>
    result.images.reduce((sum, image) => sum + (image.counts[name] ?? 0), 0);
  const cells = result.images.length;
  const perImage = result.images
    .map((image) => `${image.counts.dicentric ?? 0}/${image.counts.fragment ?? 0}`)
    .join(' ');
  console.log(
    `| ${model} | ${result.bundle.memberEpochs.length} | ${result.thresholds.dicentric?.ta} | ` +
      `${total('dicentric')} | ${(total('dicentric') / cells).toFixed(2)} | ` +
      `${total('fragment')} | ${(total('fragment') / cells).toFixed(2)} | ${perImage} |`,
  );
}
