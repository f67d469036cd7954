import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { cellCounts, cellPoints, cellTruth } from '../src/cores/synth/cell-truth.js';
import { aberrationScore, drawAberrations } from '../src/cores/synth/dose-model.js';
import { generateCell, type SynthCell } from '../src/cores/synth/generate-cell.js';
import { cellKaryotype, HUMAN_CHROMOSOMES } from '../src/cores/synth/karyotype.js';
import { bodyFootprint } from '../src/cores/synth/render-cell.js';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { segmentDistanceSquared } from '../src/cores/synth/capsules.js';

const SMALL = resolveSynthParameters({ width: 256, height: 224, difficulty: 'hard' });

function cellsAt(doseGy: number, count: number, seed: number): SynthCell[] {
  return Array.from({ length: count }, (_, index) =>
    generateCell(seed, { index, doseGy, doseRange: [0, 5], minAberrations: 0 }, SMALL),
  );
}

/** Is `total` inside the 99% normal-approximation bounds of a Poisson count with mean `expected`? */
function withinPoisson99(total: number, expected: number): boolean {
  return Math.abs(total - expected) <= 2.576 * Math.sqrt(expected);
}

test('the karyotype holds 46 chromosomes with the human acrocentrics', () => {
  const female = cellKaryotype(46, false);
  assert.equal(female.length, 46);
  assert.equal(female.filter((c) => c.name === 'X').length, 2);
  const male = cellKaryotype(46, true);
  assert.equal(male.filter((c) => c.name === 'Y').length, 1);
  const acrocentric = HUMAN_CHROMOSOMES.filter((c) => c.acrocentric).map((c) => c.name);
  assert.deepEqual(acrocentric, ['13', '14', '15', '21', '22', 'Y']);
  // chromosome 1 is the longest, 21 the shortest autosome
  const autosomes = HUMAN_CHROMOSOMES.filter((c) => /^\d+$/.test(c.name));
  assert.equal(autosomes.reduce((a, b) => (b.relativeLength > a.relativeLength ? b : a)).name, '1');
  assert.equal(
    autosomes.reduce((a, b) => (b.relativeLength < a.relativeLength ? b : a)).name,
    '21',
  );
});

test('mean dicentric and fragment counts at 3 Gy agree with the dose model (Poisson 99% bounds)', () => {
  const yields = SMALL.yields;
  const cells = 4000;
  let dicentric = 0;
  let fragment = 0;
  for (let i = 0; i < cells; i++) {
    const score = aberrationScore(drawAberrations(new SeededRandom(11, i, 0), 3, yields));
    dicentric += score.dicentric;
    fragment += score.fragment;
  }
  // by hand: Y = 0.001 + 0.02·3 + 0.06·9 = 0.601 dicentrics per cell
  const expectedDicentric = cells * 0.601;
  // fragments: 0.8·0.601 (with dicentrics) + (0.01 + 0.03·3 + 0.03·9) excess + 0.8·0.05·0.601 (with rings)
  const expectedFragment = cells * (0.8 * 0.601 + 0.37 + 0.8 * 0.05 * 0.601);
  assert.ok(
    withinPoisson99(dicentric, expectedDicentric),
    `${dicentric} dicentrics, expected ${expectedDicentric}`,
  );
  assert.ok(
    withinPoisson99(fragment, expectedFragment),
    `${fragment} fragments, expected ${expectedFragment}`,
  );
});

test('at 0 Gy dicentrics are as rare as the background yield', () => {
  let dicentric = 0;
  for (let i = 0; i < 3000; i++) {
    dicentric += aberrationScore(
      drawAberrations(new SeededRandom(5, i, 0), 0, SMALL.yields),
    ).dicentric;
  }
  assert.ok(withinPoisson99(dicentric, 3000 * 0.001), `${dicentric} dicentrics in 3000 cells`);
});

test('generated cells realise the drawn aberrations and conserve all 46 centromeres', () => {
  for (const cell of cellsAt(4, 40, 21)) {
    const counts = cellCounts(cell);
    const drawn = aberrationScore(cell.draw);
    assert.equal(counts.dicentric, drawn.dicentric, `cell ${cell.index} dicentrics`);
    assert.equal(counts.fragment, drawn.fragment, `cell ${cell.index} fragments`);
    assert.equal(counts.centromeres, 46, `cell ${cell.index} centromeres`);
    const truth = cellTruth(cell, { id: 'c', path: 'c.png', split: 'none' });
    const listed = truth.objects.reduce(
      (sum, o) => sum + ('centromeres' in o ? o.centromeres.length : 0),
      0,
    );
    assert.equal(listed, 46);
    // each dicentric or tricentric replaces two or three chromosomes by one body
    assert.equal(
      counts.centricBodies,
      46 - counts.dicentricBodies - 2 * counts.tricentric,
      `cell ${cell.index} bodies`,
    );
    for (const o of truth.objects) {
      if (o.type === 'dicentric') assert.equal(o.centromeres.length, 2);
      if (o.type === 'tricentric') assert.equal(o.centromeres.length, 3);
      if (o.type === 'fragment') assert.equal(o.centromeres.length, 0);
    }
  }
});

test('a dicentric is 1.2–3× a typical chromosome with two separate constrictions', () => {
  let seen = 0;
  for (const cell of cellsAt(5, 30, 4)) {
    const monocentric = cell.bodies
      .filter((b) => b.spec.type === 'monocentric')
      .map((b) => b.spec.lengthPx)
      .sort((a, b) => a - b);
    const median = monocentric[Math.floor(monocentric.length / 2)]!;
    for (const body of cell.bodies.filter((b) => b.spec.type === 'dicentric')) {
      seen++;
      assert.ok(body.spec.lengthPx > 1.05 * median, 'longer than a typical chromosome');
      assert.ok(body.spec.lengthPx < 3.6 * median, 'at most about 3× typical');
      const [a, b] = body.spec.centromeres;
      assert.ok(b! - a! >= 1.5 * cell.widthPx - 1e-9, 'constrictions apart');
    }
  }
  assert.ok(seen >= 10, `only ${seen} dicentrics to check`);
});

test('every annotation point lies on its own drawn object', () => {
  let checked = 0;
  for (const cell of cellsAt(4, 25, 8)) {
    cell.bodies.forEach((body, k) => {
      if (!body.target) return;
      const footprint = bodyFootprint(cell, k);
      const truth = cellTruth(cell, { id: 'c', path: 'c.png', split: 'none' });
      const points = (truth.objects[k] as { points: [number, number][] }).points;
      assert.ok(points.length >= 1);
      for (const [x, y] of points) {
        const value = footprint[Math.floor(y) * cell.width + Math.floor(x)]!;
        assert.ok(
          value >= 0.4,
          `cell ${cell.index} ${body.spec.type} point (${x}, ${y}) stain ${value}`,
        );
        checked++;
      }
    });
  }
  assert.ok(checked >= 30, `only ${checked} points checked`);
});

test('target objects never overlap any other object', () => {
  for (const cell of cellsAt(5, 15, 13)) {
    const footprints = cell.bodies.map((_, k) => bodyFootprint(cell, k));
    cell.bodies.forEach((body, k) => {
      if (!body.target) return;
      const mine = footprints[k]!;
      footprints.forEach((other, j) => {
        if (j === k) return;
        for (let i = 0; i < mine.length; i++) {
          if (mine[i]! > 0 && other[i]! > 0) {
            assert.fail(
              `cell ${cell.index}: ${body.spec.type} ${k} touches ${cell.bodies[j]!.spec.type} ${j}`,
            );
          }
        }
      });
      // nuclei and debris: keep clear of the target's drawn extent
      const p = body.points;
      for (const round of cell.rounds) {
        if (round.type === 'haze') continue;
        let nearest = Infinity;
        for (let i = 0; i + 3 < p.length; i += 2) {
          nearest = Math.min(
            nearest,
            segmentDistanceSquared(
              p[i]!,
              p[i + 1]!,
              p[i + 2]!,
              p[i + 3]!,
              round.x,
              round.y,
              round.x,
              round.y,
            ),
          );
        }
        assert.ok(
          Math.sqrt(nearest) > round.radius + body.shape.reach,
          `cell ${cell.index}: ${round.type} on a ${body.spec.type}`,
        );
      }
    });
  }
});

test('a cell depends only on (seed, index): the same twice, different for another index', () => {
  const a = generateCell(3, { index: 5, doseRange: [0, 5], minAberrations: 1 }, SMALL);
  const b = generateCell(3, { index: 5, doseRange: [0, 5], minAberrations: 1 }, SMALL);
  const c = generateCell(3, { index: 6, doseRange: [0, 5], minAberrations: 1 }, SMALL);
  const id = { id: 'x', path: 'x.png', split: 'none' as const };
  assert.deepEqual(cellTruth(a, id), cellTruth(b, id));
  assert.notDeepEqual(cellTruth(a, id), cellTruth(c, id));
});

test('train-mode rejection keeps only cells with an aberration', () => {
  for (let index = 0; index < 30; index++) {
    const cell = generateCell(9, { index, doseRange: [0, 5], minAberrations: 1 }, SMALL);
    const points = cellPoints(cell);
    assert.ok(points.dicentric.length + points.fragment.length >= 1, `cell ${index}`);
    assert.ok(cell.doseGy >= 0 && cell.doseGy <= 5);
  }
});
