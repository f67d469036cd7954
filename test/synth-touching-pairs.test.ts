import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readTruthFile } from '../src/formats/truth-file.js';
import { runCli } from './support/run-cli.js';
import { makeTempDir } from './support/paths.js';

async function touchingPairs(out: string, extra: string[]) {
  const result = await runCli([
    'synth',
    '--out',
    out,
    '--count',
    '8',
    '--seed',
    '4',
    '--size',
    '384x336',
    '--min-aberrations',
    '0',
    '--threads',
    '1',
    '-q',
    ...extra,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const truth = await readTruthFile(join(out, 'truth.json'));
  // each pair tags both of its partners
  const tagged = truth.images.flatMap((image) =>
    image.objects.filter(
      (object) => 'tags' in object && object.tags.includes('touching-end-to-end'),
    ),
  );
  return { truth, pairs: tagged.length / 2, tagged };
}

test('synth --touching-pairs sets the mean number of end-to-end pairs, recorded in truth.json', async () => {
  const dir = await makeTempDir('touching-pairs');
  const none = await touchingPairs(join(dir, 'none'), ['--touching-pairs', '0']);
  const many = await touchingPairs(join(dir, 'many'), ['--touching-pairs', '4']);
  assert.equal(none.truth.parameters.confounders.touchingPairsMean, 0);
  assert.equal(many.truth.parameters.confounders.touchingPairsMean, 4);
  assert.equal(none.pairs, 0);
  // Poisson(4) per image over 8 images: 32 expected; below 16 has probability < 10⁻³
  assert.ok(many.pairs >= 16, `${many.pairs} pairs`);
  // the partners are ordinary monocentrics, never a scored aberration
  assert.ok(many.tagged.every((object) => object.type === 'monocentric'));
});

test('synth --touching-pairs refuses a negative mean and writes nothing', async () => {
  const dir = await makeTempDir('touching-pairs-bad');
  const result = await runCli([
    'synth',
    '--out',
    join(dir, 'out'),
    '--count',
    '2',
    '--touching-pairs',
    '-1',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--touching-pairs/);
});
