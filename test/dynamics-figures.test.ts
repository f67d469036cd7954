import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decisionRegionsSpec,
  entropyTracksSpec,
  explainedVarianceSpec,
} from '../src/cores/dynamics/figure-specs.js';
import { renderVegaLiteSvg } from '../src/engines/figures/render-plot.js';

const grid = { xMin: -2, xMax: 2, yMin: -1, yMax: 1, columns: 3, rows: 2 };
const classes = ['background', 'dicentric', 'fragment'];
const labels = Uint8Array.from([0, 0, 1, 2]);
const embedding = Float64Array.from([-1, 0, -1.5, 0.5, 1, 0.2, 1.5, -0.5]);
// six cells: background, background, dicentric | fragment, uniform, dicentric
const probabilities = Float64Array.from([
  0.9,
  0.05,
  0.05,
  0.8,
  0.1,
  0.1,
  0.1,
  0.8,
  0.1,
  0.1,
  0.1,
  0.8,
  1 / 3,
  1 / 3,
  1 / 3,
  0,
  1,
  0,
]);

const count = (svg: string, role: string) =>
  (svg.match(new RegExp(`aria-roledescription="${role}"`, 'g')) ?? []).length;

test('Fig. 5: one panel per epoch, one region rect per cell and one circle per location', async () => {
  const svg = await renderVegaLiteSvg(
    decisionRegionsSpec(
      [
        { epoch: 82, probabilities, embedding },
        { epoch: 92, probabilities, embedding },
      ],
      grid,
      labels,
      classes,
    ),
  );
  assert.match(svg, /epoch 82/);
  assert.match(svg, /epoch 92/);
  assert.equal(count(svg, 'rect mark'), 2 * 6);
  assert.equal(count(svg, 'circle'), 2 * 4);
});

test('Fig. 6: entropy cells and one line per centroid track, wider for larger clusters', async () => {
  const tracks = [
    { classIndex: 0, cluster: 0, size: 30, path: [[-1, 0] as const, [-0.5, 0.2] as const] },
    { classIndex: 1, cluster: 0, size: 3, path: [[1, 0] as const, [1.2, 0.4] as const] },
  ];
  const entropy = Float64Array.from([0, 0.1, 0.5, 1, 1.0986, 0.2]);
  const svg = await renderVegaLiteSvg(entropyTracksSpec(grid, entropy, tracks, classes, [82, 92]));
  assert.equal(count(svg, 'rect mark'), 6);
  const lines = [...svg.matchAll(/aria-roledescription="line mark"[^>]*stroke-width="([\d.]+)"/g)];
  // stroke widths ∝ size on a zero-based scale: 30 → 8, 3 → 0.8
  assert.deepEqual(
    lines.map((m) => Number(m[1])),
    [8, 0.8],
  );
  // the last position of each track is marked
  assert.equal(count(svg, 'point'), 2);
});

test('explained variance: one bar per component', async () => {
  const svg = await renderVegaLiteSvg(explainedVarianceSpec([0.5, 0.3, 0.2]));
  assert.equal(count(svg, 'bar'), 3);
  assert.match(svg, /Explained variance/);
});
