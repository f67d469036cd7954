import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellTruth, pointAtArc } from '../src/cores/synth/cell-truth.js';
import { generateCell, type SynthCell } from '../src/cores/synth/generate-cell.js';
import { bodyFootprint } from '../src/cores/synth/render-cell.js';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import type { SynthParameters } from '../src/formats/truth.js';

const BASE = resolveSynthParameters({ width: 384, height: 352, difficulty: 'easy', scale: 0.5 });

function separated(level: number): SynthParameters {
  return { ...BASE, cell: { ...BASE.cell, sisterSeparation: [level, level] } };
}

function cells(params: SynthParameters, count: number): SynthCell[] {
  return Array.from({ length: count }, (_, index) =>
    generateCell(11, { index, doseGy: 5, doseRange: [0, 5], minAberrations: 0 }, params),
  );
}

const id = { id: 'c', path: 'c.png', split: 'none' as const };

/** Stain of one body alone at image point (x, y). */
function stainAt(footprint: Float32Array, cell: SynthCell, [x, y]: [number, number]): number {
  return footprint[Math.floor(y) * cell.width + Math.floor(x)]!;
}

test('separated sisters are held at every centromere: a dicentric keeps two stained waists, a fragment none', () => {
  let dicentrics = 0;
  let fragments = 0;
  for (const cell of cells(separated(0.8), 12)) {
    const truth = cellTruth(cell, id);
    assert.equal(truth.sisterSeparation, 0.8);
    cell.bodies.forEach((body, k) => {
      const object = truth.objects[k] as { centromeres: [number, number][] };
      if (body.spec.type === 'fragment') {
        fragments++;
        assert.equal(object.centromeres.length, 0);
        return;
      }
      if (body.spec.type !== 'dicentric') return;
      dicentrics++;
      assert.equal(object.centromeres.length, 2);
      const footprint = bodyFootprint(cell, k);
      for (const centromere of object.centromeres) {
        assert.ok(
          stainAt(footprint, cell, centromere) >= 0.4,
          `cell ${cell.index}: centromere ${String(centromere)} not on the body`,
        );
      }
    });
  }
  assert.ok(dicentrics >= 5 && fragments >= 5, `${dicentrics} dicentrics, ${fragments} fragments`);
});

test('at full separation the arms lie apart: the spine between the sisters is bare, the chromatids either side stained', () => {
  let arms = 0;
  for (const cell of cells(separated(1), 4)) {
    cell.bodies.forEach((body, k) => {
      const c = body.shape.chromatids;
      if (body.spec.type !== 'monocentric' || c.separationLevel < 0.7) return;
      const [centromere] = body.shape.centromereArcs;
      const length = body.arcs[body.arcs.length - 1]!;
      // middle of the longer arm, far from the centromere and the ends
      const s = centromere! < length / 2 ? (centromere! + length) / 2 : centromere! / 2;
      if (Math.abs(s - centromere!) < 6 * c.radius) return;
      const footprint = bodyFootprint(cell, k);
      const [x, y] = pointAtArc(body, s);
      assert.ok(
        stainAt(footprint, cell, [x, y]) < 0.05,
        `cell ${cell.index} body ${k} gap stained`,
      );
      // the sisters' axes: along the spine's normal, arm gap plus splay out
      const [ax, ay] = pointAtArc(body, s - 1);
      const [bx, by] = pointAtArc(body, s + 1);
      const norm = Math.hypot(bx - ax, by - ay);
      const far = Math.abs(s - centromere!) - 2 * c.radius;
      const out = c.offset + c.separation + c.splay * far + c.armGap;
      for (const side of [-1, 1]) {
        const sister: [number, number] = [
          x + (side * out * -(by - ay)) / norm,
          y + (side * out * (bx - ax)) / norm,
        ];
        assert.ok(stainAt(footprint, cell, sister) >= 0.4, `cell ${cell.index} body ${k} sister`);
      }
      arms++;
    });
  }
  assert.ok(arms >= 20, `only ${arms} arms checked`);
});

test("each chromosome's separation varies about its cell's level", () => {
  const levels = cells(separated(0.5), 2).flatMap((cell) =>
    cell.bodies.map((b) => b.shape.chromatids.separationLevel),
  );
  const mean = levels.reduce((s, v) => s + v, 0) / levels.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.ok(Math.min(...levels) < 0.35 && Math.max(...levels) > 0.65, 'spread about the level');
});

test('without separation no body is separated and the truth says so', () => {
  for (const cell of cells(BASE, 3)) {
    const truth = cellTruth(cell, id);
    assert.equal(truth.sisterSeparation, 0);
    for (const body of cell.bodies) assert.equal(body.shape.chromatids.armGap, 0);
  }
});
