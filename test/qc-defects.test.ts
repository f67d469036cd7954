import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureMetaphase } from '../src/cores/qc/measure-metaphase.js';
import { DEFAULT_QC_RULES, qcReasons } from '../src/cores/qc/qc-decision.js';
import { generateCell, type SynthCell } from '../src/cores/synth/generate-cell.js';
import { renderCell } from '../src/cores/synth/render-cell.js';
import { resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { cellTruth } from '../src/cores/synth/cell-truth.js';
import { FRAME_DEFECTS, type FrameDefect } from '../src/formats/truth.js';

const base = resolveSynthParameters({ width: 1008, height: 888, difficulty: 'medium' });
const bad = { ...base, badFrames: 1 };
const request = (index: number) => ({ index, doseRange: [0, 4] as const, minAberrations: 0 });

/** The first two frames of each defect the generator makes at --bad-frames 1, seed 21. */
function framesByDefect(): Map<FrameDefect, SynthCell[]> {
  const found = new Map<FrameDefect, SynthCell[]>(FRAME_DEFECTS.map((d) => [d, []]));
  for (let index = 0; [...found.values()].some((cells) => cells.length < 2); index++) {
    const cell = generateCell(21, request(index), bad);
    const list = found.get(cell.quality!.defects[0]!)!;
    if (list.length < 2) list.push(cell);
  }
  return found;
}

test('every generated bad frame is labelled and judged not scorable', () => {
  for (const [defect, cells] of framesByDefect()) {
    for (const cell of cells) {
      assert.deepEqual(cell.quality, { scorable: false, defects: [defect] });
      const image = renderCell(cell, 21, false);
      const reasons = qcReasons(
        measureMetaphase(Float32Array.from(image.pixels), image.width, image.height),
        DEFAULT_QC_RULES,
      );
      assert.ok(reasons.length > 0, `${defect} frame ${cell.index} passed QC`);
      if (defect === 'two-metaphases') assert.ok(reasons.includes('too-many-chromosomes'));
      if (defect === 'nucleus-over-spread') assert.ok(reasons.includes('nucleus-over-spread'));
    }
  }
});

test('bad frames keep the truth exact: dicentrics whole in the frame with two centromeres', () => {
  for (const cells of framesByDefect().values()) {
    for (const cell of cells) {
      const truth = cellTruth(cell, { id: 'x', path: 'x.png', split: 'none' });
      for (const object of truth.objects) {
        if (object.type !== 'dicentric') continue;
        assert.equal(object.centromeres.length, 2);
        for (const [x, y] of object.spine) {
          assert.ok(x >= 0 && y >= 0 && x <= cell.width && y <= cell.height);
        }
      }
    }
  }
});

test('the bad-frame generator is deterministic and leaves scorable frames as they were', () => {
  for (let index = 0; index < 6; index++) {
    const once = generateCell(4, request(index), { ...base, badFrames: 0.5 });
    const twice = generateCell(4, request(index), { ...base, badFrames: 0.5 });
    assert.deepEqual(once, twice);
    if (once.quality!.scorable) {
      const plain = generateCell(4, request(index), base);
      assert.equal(plain.quality, undefined);
      assert.deepEqual({ ...once, quality: undefined }, plain);
    }
  }
  const draws = Array.from(
    { length: 200 },
    (_, index) => generateCell(9, request(index), { ...base, badFrames: 0.3 }).quality!.scorable,
  );
  const share = draws.filter((scorable) => !scorable).length / draws.length;
  // Binomial(200, 0.3): sd 0.032, so 0.3 ± 0.1 holds beyond 3 sd
  assert.ok(Math.abs(share - 0.3) < 0.1, `bad share ${share}`);
});
