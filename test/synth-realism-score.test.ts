import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../src/cores/seeded-random.js';
import {
  cutPatch,
  heldOutAuc,
  PATCH,
  patchFeatures,
  rocAuc,
  type Sample,
} from '../bench/patch-realism.js';

test('ROC AUC by hand: perfect, reversed, chance and ties', () => {
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  // pairs (positive, negative): (0.3>0.1) (0.3<0.5) (0.7>0.1) (0.7>0.5) = 3 of 4
  assert.equal(rocAuc([0.1, 0.3, 0.5, 0.7], [0, 1, 0, 1]), 0.75);
  assert.equal(rocAuc([0.5, 0.5], [0, 1]), 0.5);
});

/** A grey patch: background with a dark bar of the given width, plus Gaussian grain. */
function barPatch(random: SeededRandom, barWidth: number, grain: number): Float32Array {
  const patch = new Float32Array(PATCH * PATCH);
  const x0 = PATCH / 2 - barWidth / 2;
  for (let y = 0; y < PATCH; y++) {
    for (let x = 0; x < PATCH; x++) {
      const inside = x >= x0 && x < x0 + barWidth && y > 20 && y < 76;
      patch[y * PATCH + x] = (inside ? 60 : 200) + random.normal(0, grain);
    }
  }
  return patch;
}

function samples(label: 0 | 1, barWidth: number, grain: number, images: number): Sample[] {
  const random = new SeededRandom(3, label, barWidth);
  return Array.from({ length: images * 10 }, (_, k) => ({
    features: patchFeatures(barPatch(random, barWidth, grain)),
    label,
    group: `${label}-${k % images}`,
  }));
}

test('the held-out score tells different patches apart and not identical ones', () => {
  const real = samples(0, 10, 3, 6);
  const distinct = heldOutAuc([...real, ...samples(1, 20, 8, 6)], 3);
  assert.ok(distinct > 0.95, `different bars and grain: AUC ${distinct}`);
  const alike = heldOutAuc([...real, ...samples(1, 10, 3, 6)], 3);
  assert.ok(Math.abs(alike - 0.5) < 0.15, `same distribution: AUC ${alike}`);
});

test('a patch is cut centred on its point, edges clamped', () => {
  const grey = new Float32Array(200 * 150).map((_, i) => i % 200);
  const patch = cutPatch({ grey, width: 200, height: 150 }, 100, 75);
  assert.equal(patch[0], 100 - PATCH / 2);
  const corner = cutPatch({ grey, width: 200, height: 150 }, 0, 0);
  assert.equal(corner[0], 0, 'left edge clamped');
  assert.equal(corner[PATCH - 1], PATCH / 2 - 1);
});
