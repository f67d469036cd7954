import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { candidatesOf, doubtOrder } from '../src/engines/review/review-case.js';
import type { Detections } from '../src/formats/detections.js';
import { makeTempDir } from './support/paths.js';
import { writeReviewCase } from './support/review-case.js';

const caseDetections = async (): Promise<Detections> => {
  const dir = await makeTempDir('review-order');
  await writeReviewCase(dir);
  return JSON.parse(await readFile(join(dir, 'detections.json'), 'utf8')) as Detections;
};

test('the queue puts the vote fraction nearest the threshold T_A/M first, then image order', async () => {
  const detections = await caseDetections();
  // T_A 0 of 4 members: the margin is the vote fraction itself
  const order = doubtOrder(candidatesOf(detections)).map((c) => [c.id, c.margin]);
  assert.deepEqual(order, [
    ['c2/dicentric/0', 0.25],
    ['c1/dicentric/0', 0.5],
    ['c1/fragment/0', 0.75],
    ['c1/dicentric/1', 1],
    ['c4/dicentric/0', 1],
  ]);
  // T_A 1: a 2-vote detection sits 1/4 above the threshold 1/4
  detections.thresholds.dicentric!.ta = 1;
  const raised = candidatesOf(detections).find((c) => c.id === 'c1/dicentric/0')!;
  assert.equal(raised.margin, 0.25);
});

test('ties in vote fraction go to the higher training-dynamics entropy', async () => {
  const detections = await caseDetections();
  // c4's dicentric is less settled in the dynamics than c1's second one
  const entropy = (image: string) => (image === 'c4' ? 0.6 : 0.1);
  const order = doubtOrder(candidatesOf(detections, entropy)).map((c) => c.id);
  assert.deepEqual(order.slice(3), ['c4/dicentric/0', 'c1/dicentric/1']);
});
