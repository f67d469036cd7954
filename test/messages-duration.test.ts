import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from '../src/cores/format-duration.js';

test('durations round before they are split, so a carry reaches the next unit', () => {
  assert.equal(formatDuration(119.6), '2m00s');
  assert.equal(formatDuration(59.6), '1m00s');
  assert.equal(formatDuration(3599.6), '1h00m');
  assert.equal(formatDuration(7199), '2h00m');
  assert.equal(formatDuration(9.96), '10s');
});

test('durations by hand in each unit', () => {
  assert.equal(formatDuration(0), '0.0s');
  assert.equal(formatDuration(4.24), '4.2s');
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(61), '1m01s');
  assert.equal(formatDuration(754), '12m34s');
  assert.equal(formatDuration(3 * 3600 + 5 * 60 + 20), '3h05m');
  assert.equal(formatDuration(Number.NaN), '?');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '?');
});
