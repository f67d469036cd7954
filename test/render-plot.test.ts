import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderVegaLiteSvg } from '../src/engines/figures/render-plot.js';

test('a Vega-Lite line chart renders to SVG with its title and one line per series', async () => {
  const svg = await renderVegaLiteSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'recall against T_C',
    data: {
      values: [
        { tc: 0.1, recall: 0.9, model: 'A' },
        { tc: 0.5, recall: 0.6, model: 'A' },
        { tc: 0.1, recall: 0.95, model: 'B' },
        { tc: 0.5, recall: 0.7, model: 'B' },
      ],
    },
    mark: 'line',
    encoding: {
      x: { field: 'tc', type: 'quantitative' },
      y: { field: 'recall', type: 'quantitative' },
      color: { field: 'model', type: 'nominal' },
    },
  });
  assert.match(svg, /^<svg/);
  assert.match(svg, /recall against T_C/);
  // one line-mark container per colour series
  assert.equal((svg.match(/aria-roledescription="line mark container"/g) ?? []).length, 2);
});
