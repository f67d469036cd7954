import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignSplits } from '../src/cores/split-assignment.js';

const ratios = { train: 0.8, val: 0.1, test: 0.1 };

test('splits are deterministic for a seed and follow the ratios', () => {
  const groups = Array.from({ length: 100 }, (_, i) => `img${i}`);
  const first = assignSplits(groups, ratios, 7);
  assert.deepEqual(assignSplits(groups, ratios, 7), first);
  assert.notDeepEqual(assignSplits(groups, ratios, 8), first);
  const count = (split: string) => first.filter((s) => s === split).length;
  assert.deepEqual([count('train'), count('val'), count('test')], [80, 10, 10]);
});

test('one group never straddles two splits', () => {
  const groups = Array.from({ length: 60 }, (_, i) => `sample${i % 7}`);
  const splits = assignSplits(groups, ratios, 3);
  const splitOf = new Map<string, Set<string>>();
  groups.forEach((group, i) => {
    if (!splitOf.has(group)) splitOf.set(group, new Set());
    splitOf.get(group)!.add(splits[i]!);
  });
  for (const [group, set] of splitOf)
    assert.equal(set.size, 1, `${group} is in ${[...set].join(', ')}`);
});

test('a zero ratio leaves that split empty', () => {
  const groups = Array.from({ length: 20 }, (_, i) => `g${i}`);
  const splits = assignSplits(groups, { train: 0.5, val: 0, test: 0.5 }, 1);
  assert.equal(splits.filter((s) => s === 'val').length, 0);
  assert.equal(splits.filter((s) => s === 'train').length, 10);
});
