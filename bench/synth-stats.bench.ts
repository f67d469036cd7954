/**
 * Image statistics of synthetic metaphases beside the real reference images,
 * measured the same way on both (`npm run bench -- synth-stats`): background
 * grey and noise, chromosome grey and contrast, chromosome size, dark objects
 * per frame. With SYNTH_CONTACT_SHEET=path it also writes the contact sheet
 * of docs/synthetic.md (easy, medium, hard, and two real references).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { cellTruth } from '../src/cores/synth/cell-truth.js';
import { generateCell } from '../src/cores/synth/generate-cell.js';
import { renderCell, RenderScratch } from '../src/cores/synth/render-cell.js';
import { DIFFICULTIES, resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { BT601 } from '../src/imaging/grey-image.js';

const REAL = fileURLToPath(new URL('../../test/fixtures/refs/real-metaphases/', import.meta.url));
const PER_DIFFICULTY = Number(process.env.SYNTH_STATS_COUNT ?? 12);
const SEED = 2024;

type Box = [number, number, number, number];

interface FrameStats {
  background: number;
  noise: number;
  chromosomeMean: number;
  darkest: number;
  objects: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Background = median grey; noise = robust σ of horizontal neighbour
 * differences on background pixels; chromosome pixels = those in a
 * chromosome box darker than halfway between background and the box's
 * darkest 1%; objects = 8-connected dark components of 20–5000 px.
 */
function measure(grey: Float32Array, width: number, height: number, boxes: Box[]): FrameStats {
  const all = Array.from(grey);
  const background = median(all);
  const diffs: number[] = [];
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x + 1 < width; x += 2) {
      const a = grey[y * width + x]!;
      const b = grey[y * width + x + 1]!;
      if (Math.abs(a - background) < 20 && Math.abs(b - background) < 20)
        diffs.push(Math.abs(a - b));
    }
  }
  const noise = median(diffs) / 0.6745 / Math.SQRT2;
  const means: number[] = [];
  const darkest: number[] = [];
  for (const [x0, y0, x1, y1] of boxes) {
    const values: number[] = [];
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
        values.push(grey[y * width + x]!);
      }
    }
    if (values.length < 10) continue;
    const dark = quantile(values, 0.01);
    const threshold = (background + dark) / 2;
    const inside = values.filter((v) => v < threshold);
    if (inside.length === 0) continue;
    means.push(inside.reduce((s, v) => s + v, 0) / inside.length);
    darkest.push(dark);
  }
  const chromosomeMean = median(means);
  const threshold = (background + chromosomeMean) / 2;
  const seen = new Uint8Array(width * height);
  let objects = 0;
  const stack: number[] = [];
  for (let start = 0; start < grey.length; start++) {
    if (seen[start] || grey[start]! >= threshold) continue;
    let area = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      area++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const j = yy * width + xx;
          if (!seen[j] && grey[j]! < threshold) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    if (area >= 20 && area <= 5000) objects++;
  }
  return { background, noise, chromosomeMean, darkest: median(darkest), objects };
}

function toGrey(pixels: Uint8Array, channels: number): Float32Array {
  const out = new Float32Array(pixels.length / channels);
  for (let i = 0; i < out.length; i++) {
    out[i] =
      channels >= 3
        ? BT601.r * pixels[i * channels]! +
          BT601.g * pixels[i * channels + 1]! +
          BT601.b * pixels[i * channels + 2]!
        : pixels[i]!;
  }
  return out;
}

function range(values: number[], digits = 0): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)} (median ${median(values).toFixed(digits)})`;
}

const rows: string[][] = [];
const scratch = new RenderScratch();
const samples: { label: string; png: Buffer }[] = [];
for (const difficulty of DIFFICULTIES) {
  const rgb = difficulty === 'medium';
  const params = resolveSynthParameters({ width: 1008, height: 888, difficulty, rgb });
  const stats: FrameStats[] = [];
  const widths: number[] = [];
  const lengths: number[] = [];
  for (let index = 0; index < PER_DIFFICULTY; index++) {
    const cell = generateCell(SEED, { index, doseRange: [0, 5], minAberrations: 1 }, params);
    const image = renderCell(cell, SEED, rgb, scratch);
    const truth = cellTruth(cell, { id: 'x', path: 'x', split: 'none' });
    const boxes: Box[] = [];
    for (const o of truth.objects) {
      if (o.type === 'monocentric' || o.type === 'dicentric') {
        boxes.push(o.bbox);
        widths.push(o.widthPx);
        lengths.push(o.lengthPx);
      }
    }
    stats.push(measure(toGrey(image.pixels, image.channels), image.width, image.height, boxes));
    // each preset shows a different cell (same index would share the layout stream)
    if (index === DIFFICULTIES.indexOf(difficulty)) {
      samples.push({
        label: `synthetic ${difficulty}${rgb ? ' (RGB)' : ''}`,
        png: await sharp(image.pixels, {
          raw: { width: 1008, height: 888, channels: image.channels },
        })
          .png()
          .toBuffer(),
      });
    }
  }
  rows.push([
    `synthetic ${difficulty} (${PER_DIFFICULTY} frames)`,
    range(stats.map((s) => s.background)),
    range(
      stats.map((s) => s.noise),
      1,
    ),
    range(stats.map((s) => s.chromosomeMean)),
    range(stats.map((s) => s.darkest)),
    range(
      stats.map((s) => s.background / s.chromosomeMean),
      1,
    ),
    `${range(widths)} / ${range(lengths)}`,
    range(stats.map((s) => s.objects)),
  ]);
}

const realStats: FrameStats[] = [];
const realSizes: number[] = [];
const realShort: number[] = [];
for (const name of (await readdir(join(REAL, 'images'))).sort()) {
  const { data, info } = await sharp(join(REAL, 'images', name))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const labels = await readFile(join(REAL, 'labels', name.replace('.png', '.txt')), 'utf8');
  const boxes: Box[] = labels
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [, cx, cy, w, h] = line.trim().split(/\s+/).map(Number);
      const bw = w! * info.width;
      const bh = h! * info.height;
      realSizes.push(Math.max(bw, bh));
      realShort.push(Math.min(bw, bh));
      return [
        cx! * info.width - bw / 2,
        cy! * info.height - bh / 2,
        cx! * info.width + bw / 2,
        cy! * info.height + bh / 2,
      ];
    });
  realStats.push(
    measure(toGrey(new Uint8Array(data), info.channels), info.width, info.height, boxes),
  );
  if (name === '3.png' || name === '1.png') {
    samples.push({
      label: `real ${name}`,
      png: await sharp(join(REAL, 'images', name))
        .png()
        .toBuffer(),
    });
  }
}
rows.push([
  'real references (8 frames, same measures)',
  range(realStats.map((s) => s.background)),
  range(
    realStats.map((s) => s.noise),
    1,
  ),
  range(realStats.map((s) => s.chromosomeMean)),
  range(realStats.map((s) => s.darkest)),
  range(
    realStats.map((s) => s.background / s.chromosomeMean),
    1,
  ),
  `box short side ${range(realShort)} / long side ${range(realSizes)}`,
  range(realStats.map((s) => s.objects)),
]);
rows.push([
  'real Metafer captures (refs README)',
  '214–229',
  '3.5–7 (17 with haze)',
  '60–137',
  '28–77',
  '1.6–3.8',
  '12–18 / 20–120',
  '18–62',
]);

const header = [
  'frames',
  'background grey',
  'noise σ',
  'chromosome mean grey',
  'darkest grey',
  'contrast (bg / chromosome)',
  'chromosome width / length (px)',
  'dark objects per frame',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

const sheetPath = process.env.SYNTH_CONTACT_SHEET;
if (sheetPath) {
  const tileWidth = 420;
  const tileHeight = 370;
  const captionHeight = 28;
  const tiles = await Promise.all(
    samples.map(async ({ label, png }) => {
      const picture = await sharp(png)
        .resize(tileWidth, tileHeight, { fit: 'contain', background: '#ffffff' })
        .png()
        .toBuffer();
      const caption = Buffer.from(
        `<svg width="${tileWidth}" height="${captionHeight}"><rect width="100%" height="100%" fill="white"/><text x="8" y="20" font-family="sans-serif" font-size="16">${label}</text></svg>`,
      );
      return sharp({
        create: {
          width: tileWidth,
          height: tileHeight + captionHeight,
          channels: 3,
          background: '#ffffff',
        },
      })
        .composite([
          { input: await sharp(caption).png().toBuffer(), top: 0, left: 0 },
          { input: picture, top: captionHeight, left: 0 },
        ])
        .png()
        .toBuffer();
    }),
  );
  const columns = 3;
  const gap = 6;
  const rowsCount = Math.ceil(tiles.length / columns);
  const credit = Buffer.from(
    `<svg width="${columns * (tileWidth + gap)}" height="24"><rect width="100%" height="100%" fill="white"/><text x="8" y="17" font-family="sans-serif" font-size="13">Real images: lb-kosuke/Detection_Classification (MIT licence). Synthetic: dicentra synth, seed ${SEED}, images 0, 1, 2 of the easy, medium, hard presets.</text></svg>`,
  );
  await sharp({
    create: {
      width: columns * (tileWidth + gap),
      height: rowsCount * (tileHeight + captionHeight + gap) + 24,
      channels: 3,
      background: '#ffffff',
    },
  })
    .composite([
      ...tiles.map((input, k) => ({
        input,
        left: (k % columns) * (tileWidth + gap),
        top: Math.floor(k / columns) * (tileHeight + captionHeight + gap),
      })),
      {
        input: await sharp(credit).png().toBuffer(),
        left: 0,
        top: rowsCount * (tileHeight + captionHeight + gap),
      },
    ])
    .png({ compressionLevel: 9 })
    .toFile(sheetPath);
  console.log(`contact sheet: ${sheetPath}`);
}
