/**
 * Review server latency (docs/review.md, "Speed"): a 500-cell case of 768×672
 * images with 3 detections each (1,500 candidates) and a curve. Measures the
 * page load in Chromium (navigation until the page has drawn the queue, the
 * first tile and the panel), the acknowledgement latency of a decision (POST
 * until the reply: the SQLite commit with synchronous=FULL and the panel
 * recomputed with the dose) and of a tile.
 *
 *   npm run bench -- review-latency [--cells 500] [--decisions 300] [--loads 5]
 *     [--figure docs/img/review-latency.svg]
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { quantile } from '../src/cores/metrics/quantile.js';
import { SeededRandom } from '../src/cores/seeded-random.js';
import { renderVegaLiteSvg } from '../src/engines/figures/render-plot.js';
import { startReviewServer } from '../src/engines/review/review-server.js';
import { launchChromium } from '../test/support/browser.js';
import { makeTempDir } from '../test/support/paths.js';
import { writeReviewCase } from '../test/support/review-case.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--' && arg !== 'review-latency'),
  strict: false,
  options: {
    cells: { type: 'string', default: '500' },
    decisions: { type: 'string', default: '300' },
    loads: { type: 'string', default: '5' },
    figure: { type: 'string' },
  },
});
const cells = Number(args.cells);
const decisions = Number(args.decisions);
const [width, height] = [768, 672];

// ---- the case: the review fixture's curve, 500 noisy frames, 3 detections each ----
const dir = await makeTempDir('review-latency');
await writeReviewCase(dir);
const random = new SeededRandom(3);
const noise = Buffer.from(Array.from({ length: width * height }, () => 96 + random.integer(0, 64)));
const frame = join(dir, 'frame.png');
await sharp(noise, { raw: { width, height, channels: 1 } })
  .png()
  .toFile(frame);
const images = [];
for (let i = 0; i < cells; i++) {
  const id = `cell-${String(i).padStart(4, '0')}`;
  await copyFile(frame, join(dir, 'images', `${id}.png`));
  const spot = () => {
    const votes = random.integer(1, 10);
    return {
      x: random.between(20, width - 20),
      y: random.between(20, height - 20),
      area: 96,
      votes,
      voteFraction: votes / 10,
      meanValue: 0.6,
      maxValue: 0.9,
      spread: 0.05,
    };
  };
  const detections = { dicentric: [spot(), spot()], fragment: [spot()] };
  images.push({
    id,
    sampleId: 'P1',
    path: `images/${id}.png`,
    width,
    height,
    detections,
    counts: { dicentric: 2, fragment: 1 },
  });
}
const threshold = { tc: 0.5, adaptive: false, memberTc: Array(10).fill(0.5), ta: 0 };
await writeFile(
  join(dir, 'detections.json'),
  JSON.stringify({
    version: '1.1',
    classes: ['dicentric', 'fragment'],
    bundle: {
      path: 'bundle.json',
      sha256: 'b'.repeat(64),
      memberEpochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      selection: { mode: 'all' },
    },
    thresholds: { dicentric: threshold, fragment: threshold },
    connectivity: 8,
    outputStride: 4,
    images,
    errors: [],
  }),
);

const ms = (start: number) => performance.now() - start;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${quantile(sorted, 0.5).toFixed(1)} ms, q95 ${quantile(sorted, 0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (n = ${values.length})`;
};

let started = performance.now();
const server = await startReviewServer({
  caseDir: dir,
  host: '127.0.0.1',
  port: 0,
  reviewer: 'bench',
});
const startup = ms(started);
const browser = await launchChromium();
const loads: number[] = [];
const acks: number[] = [];
const tiles: number[] = [];
try {
  for (let i = 0; i < Number(args.loads); i++) {
    const page = await browser.newPage();
    started = performance.now();
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    loads.push(ms(started));
    await page.close();
  }
  const headers = { 'x-dicentra-token': server.token, 'content-type': 'application/json' };
  const state = (await (await fetch(new URL('/api/case', server.url), { headers })).json()) as {
    candidates: { id: string }[];
  };
  for (const [index, candidate] of state.candidates.slice(0, decisions).entries()) {
    started = performance.now();
    const reply = await fetch(new URL('/api/decisions', server.url), {
      method: 'POST',
      headers,
      body: JSON.stringify({
        detection: candidate.id,
        decision: index % 3 ? 'accepted' : 'rejected',
      }),
    });
    await reply.arrayBuffer();
    acks.push(ms(started));
    if (!reply.ok) throw new Error(`decision answered ${reply.status}`);
    if (index < 100) {
      started = performance.now();
      const tile = await fetch(
        new URL(`/api/tiles/${encodeURIComponent(candidate.id)}`, server.url),
        {
          headers,
        },
      );
      await tile.arrayBuffer();
      tiles.push(ms(started));
    }
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`${cells} cells of ${width}×${height}, ${cells * 3} candidates, with a curve`);
console.log(`  server start (read the case, open the store): ${startup.toFixed(0)} ms`);
console.log(`  page load until the queue, first tile and panel are drawn: ${summary(loads)}`);
console.log(`  decision acknowledged (committed, panel and dose recomputed): ${summary(acks)}`);
console.log(`  tile (crop and outline with sharp): ${summary(tiles)}`);

if (args.figure) {
  const rows = [
    ...loads.map((value) => ({ what: 'page load', ms: value })),
    ...acks.map((value) => ({ what: 'decision acknowledged', ms: value })),
    ...tiles.map((value) => ({ what: 'tile', ms: value })),
  ];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Review server, ${cells}-cell case: latency per request`,
    width: 480,
    height: 120,
    data: { values: rows },
    mark: { type: 'boxplot', extent: 'min-max' },
    encoding: {
      y: { field: 'what', type: 'nominal', title: null },
      x: { field: 'ms', type: 'quantitative', title: 'milliseconds', scale: { type: 'log' } },
    },
  };
  await mkdir(join(String(args.figure), '..'), { recursive: true });
  await writeFile(String(args.figure), await renderVegaLiteSvg(spec));
  console.log(`  wrote ${String(args.figure)}`);
}
