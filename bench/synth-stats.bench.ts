/**
 * Image statistics of synthetic metaphases beside the real reference images,
 * measured the same way on both (`npm run bench -- synth-stats`): background
 * grey and noise, chromosome grey and contrast, chromosome size, dark objects
 * per frame; the distributions of chromosome box size and of sister
 * separation (how often a scan across a chromosome meets two dark runs); and
 * the learned realism score (patch-realism.ts) of the medium and wide presets.
 * With SYNTH_CONTACT_SHEET=path it also writes the contact sheet of
 * docs/synthetic.md (presets, real references and same-scale close-ups).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { cellTruth } from '../src/cores/synth/cell-truth.js';
import { generateCell } from '../src/cores/synth/generate-cell.js';
import { renderCell, RenderScratch } from '../src/cores/synth/render-cell.js';
import { imageParameters } from '../src/cores/synth/image-parameters.js';
import { DIFFICULTIES, resolveSynthParameters } from '../src/cores/synth/synth-presets.js';
import { BT601 } from '../src/imaging/grey-image.js';
import { jpegRoundTrip } from '../src/imaging/jpeg-round-trip.js';
import {
  cutPatch,
  heldOutAuc,
  patchFeatures,
  SHAPE_FEATURES,
  TEXTURE_FEATURES,
  type Sample,
} from './patch-realism.js';

const REAL = fileURLToPath(new URL('../../test/fixtures/refs/real-metaphases/', import.meta.url));
const PER_DIFFICULTY = Number(process.env.SYNTH_STATS_COUNT ?? 12);
const SEED = 2024;
/** Side of the same-scale close-ups (pixels of the frame, shown unscaled ×3). */
const PATCH_CLOSE_UP = 96;

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

/**
 * Sister separation seen in one chromosome box: the fraction of scan lines
 * across its short side that meet two or more dark runs (darker than halfway
 * from the background to the box's darkest 1%).
 */
function boxSeparation(
  grey: Float32Array,
  width: number,
  height: number,
  background: number,
  [x0, y0, x1, y1]: Box,
): number | undefined {
  const xa = Math.max(0, Math.floor(x0));
  const xb = Math.min(width, Math.ceil(x1));
  const ya = Math.max(0, Math.floor(y0));
  const yb = Math.min(height, Math.ceil(y1));
  if (xb - xa < 4 || yb - ya < 4) return undefined;
  const values: number[] = [];
  for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) values.push(grey[y * width + x]!);
  const threshold = (background + quantile(values, 0.01)) / 2;
  // scan across the short side: rows of a tall box, columns of a wide one
  const tall = yb - ya >= xb - xa;
  let lines = 0;
  let doubles = 0;
  for (let a = tall ? ya : xa; a < (tall ? yb : xb); a++) {
    let runs = 0;
    let inRun = false;
    for (let b = tall ? xa : ya; b < (tall ? xb : yb); b++) {
      const dark = grey[tall ? a * width + b : b * width + a]! < threshold;
      if (dark && !inRun) runs++;
      inRun = dark;
    }
    if (runs > 0) lines++;
    if (runs >= 2) doubles++;
  }
  return lines ? doubles / lines : undefined;
}

function quartiles(values: number[], digits = 0): string {
  const q = (p: number) => quantile(values, p).toFixed(digits);
  return `${q(0.25)} / ${q(0.5)} / ${q(0.75)}`;
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
const shapeRows: string[][] = [];
const scratch = new RenderScratch();
const samples: { label: string; png: Buffer }[] = [];
/** Patches for the realism score, per source. */
const patches = new Map<string, Sample[]>();
/** Same-scale close-ups: a dicentric, a fragment and a normal chromosome per source. */
const closeUps: { label: string; png: Buffer }[] = [];
const MAX_PATCHES = 40;
const PRESETS = [...DIFFICULTIES, 'wide'] as const;

async function closeUp(
  label: string,
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  [x0, y0, x1, y1]: Box,
): Promise<void> {
  const size = PATCH_CLOSE_UP;
  const left = Math.max(0, Math.min(width - size, Math.round((x0 + x1) / 2 - size / 2)));
  const top = Math.max(0, Math.min(height - size, Math.round((y0 + y1) / 2 - size / 2)));
  closeUps.push({
    label,
    png: await sharp(pixels, { raw: { width, height, channels: channels as 1 | 3 } })
      .extract({ left, top, width: size, height: size })
      .png()
      .toBuffer(),
  });
}

for (const preset of PRESETS) {
  const rgb = preset === 'medium';
  const run = resolveSynthParameters({ width: 1008, height: 888, difficulty: preset, rgb });
  const stats: FrameStats[] = [];
  const widths: number[] = [];
  const lengths: number[] = [];
  const separations: number[] = [];
  const truthSeparations: number[] = [];
  const sources: Sample[] = [];
  const shown = new Set<string>();
  for (let index = 0; index < PER_DIFFICULTY; index++) {
    const params = imageParameters(SEED, index, run);
    const cell = generateCell(SEED, { index, doseRange: [0, 5], minAberrations: 1 }, params);
    const image = renderCell(cell, SEED, params.optics.rgb, scratch);
    const pixels =
      params.optics.jpegQuality === null
        ? image.pixels
        : new Uint8Array(
            await jpegRoundTrip(
              image.pixels,
              image.width,
              image.height,
              image.channels,
              params.optics.jpegQuality,
            ),
          );
    const truth = cellTruth(cell, { id: 'x', path: 'x', split: 'none' });
    const grey = toGrey(pixels, image.channels);
    const boxes: Box[] = [];
    const frame = { grey, width: image.width, height: image.height };
    for (const o of truth.objects) {
      if (o.type === 'monocentric' || o.type === 'dicentric') {
        boxes.push(o.bbox);
        widths.push(o.widthPx);
        lengths.push(o.lengthPx);
        truthSeparations.push(o.sisterSeparation ?? 0);
      }
      if ('spine' in o && sources.length < MAX_PATCHES * (index + 1)) {
        const [x0, y0, x1, y1] = o.bbox;
        sources.push({
          features: patchFeatures(cutPatch(frame, (x0 + x1) / 2, (y0 + y1) / 2)),
          label: 1,
          group: `${preset}-${index}`,
        });
      }
      if (
        (preset === 'medium' || preset === 'wide') &&
        'spine' in o &&
        ['dicentric', 'fragment', 'monocentric'].includes(o.type) &&
        !shown.has(o.type) &&
        o.tags.length === 0
      ) {
        shown.add(o.type);
        await closeUp(
          `${preset} ${o.type}`,
          pixels,
          image.width,
          image.height,
          image.channels,
          o.bbox,
        );
      }
    }
    const measured = measure(grey, image.width, image.height, boxes);
    stats.push(measured);
    for (const box of boxes) {
      const value = boxSeparation(grey, image.width, image.height, measured.background, box);
      if (value !== undefined) separations.push(value);
    }
    // each preset shows a different cell (same index would share the layout stream)
    if (index === PRESETS.indexOf(preset)) {
      samples.push({
        label: `synthetic ${preset}${rgb ? ' (RGB)' : ''}`,
        png: await sharp(pixels, {
          raw: { width: image.width, height: image.height, channels: image.channels },
        })
          .png()
          .toBuffer(),
      });
    }
  }
  patches.set(preset, sources);
  rows.push([
    `synthetic ${preset} (${PER_DIFFICULTY} frames)`,
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
  shapeRows.push([
    `synthetic ${preset}`,
    quartiles(lengths),
    quartiles(separations, 2),
    quartiles(truthSeparations, 2),
  ]);
}

const realStats: FrameStats[] = [];
const realSizes: number[] = [];
const realShort: number[] = [];
const realSeparations: number[] = [];
const realPatches: Sample[] = [];
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
  const grey = toGrey(new Uint8Array(data), info.channels);
  const measured = measure(grey, info.width, info.height, boxes);
  realStats.push(measured);
  const frame = { grey, width: info.width, height: info.height };
  for (const box of boxes) {
    const value = boxSeparation(grey, info.width, info.height, measured.background, box);
    if (value !== undefined) realSeparations.push(value);
    realPatches.push({
      features: patchFeatures(cutPatch(frame, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)),
      label: 0,
      group: `real-${name}`,
    });
  }
  if (name === '3.png') {
    // the real reference's close-up: its longest chromosome box
    const longest = [...boxes].sort(
      (a, b) => Math.max(b[2] - b[0], b[3] - b[1]) - Math.max(a[2] - a[0], a[3] - a[1]),
    )[0]!;
    await closeUp(
      `real ${name} chromosome`,
      new Uint8Array(data),
      info.width,
      info.height,
      info.channels,
      longest,
    );
  }
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

shapeRows.push(['real references', quartiles(realSizes), quartiles(realSeparations, 2), '—']);
const shapeHeader = [
  'frames',
  'chromosome length / box long side (px), quartiles',
  'scans across a chromosome meeting two dark runs, quartiles',
  'drawn sister separation, quartiles',
];
console.log(`\n| ${shapeHeader.join(' | ')} |`);
console.log(`|${shapeHeader.map(() => '---').join('|')}|`);
for (const row of shapeRows) console.log(`| ${row.join(' | ')} |`);

// realism: held-out ROC AUC of synthetic-vs-real patches, 4 folds by image
const FOLDS = 4;
console.log(
  `\nrealism score: held-out ROC AUC of a logistic model telling synthetic from real 96×96 chromosome patches (${FOLDS} folds, split by image; 0.5 = indistinguishable)`,
);
// where the gap lies: the same score on the shape features alone and on the texture ones alone
const only = (samples: Sample[], keep: readonly number[]) =>
  samples.map((s) => ({ ...s, features: keep.map((k) => s.features[k]!) }));
for (const preset of ['medium', 'wide'] as const) {
  const synthetic = patches.get(preset)!;
  const all = [...realPatches, ...synthetic];
  const auc = heldOutAuc(all, FOLDS);
  const shape = heldOutAuc(only(all, SHAPE_FEATURES), FOLDS);
  const texture = heldOutAuc(only(all, TEXTURE_FEATURES), FOLDS);
  console.log(
    `  ${preset}: AUC ${auc.toFixed(3)}; shape features alone ${shape.toFixed(3)}, texture alone ${texture.toFixed(3)} (${synthetic.length} synthetic patches from ${PER_DIFFICULTY} frames, ${realPatches.length} real from 8)`,
  );
}

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
  const zoom = 3;
  const closeSide = PATCH_CLOSE_UP * zoom;
  const closeTiles = await Promise.all(
    closeUps.map(async ({ label, png }) => {
      const caption = Buffer.from(
        `<svg width="${closeSide}" height="${captionHeight}"><rect width="100%" height="100%" fill="white"/><text x="6" y="20" font-family="sans-serif" font-size="15">${label}</text></svg>`,
      );
      return sharp({
        create: {
          width: closeSide,
          height: closeSide + captionHeight,
          channels: 3,
          background: '#ffffff',
        },
      })
        .composite([
          { input: await sharp(caption).png().toBuffer(), top: 0, left: 0 },
          {
            input: await sharp(png)
              .resize(closeSide, closeSide, { kernel: 'nearest' })
              .png()
              .toBuffer(),
            top: captionHeight,
            left: 0,
          },
        ])
        .png()
        .toBuffer();
    }),
  );
  const closeColumns = 4;
  const columns = 3;
  const gap = 6;
  const rowsCount = Math.ceil(tiles.length / columns);
  const gridHeight = rowsCount * (tileHeight + captionHeight + gap);
  const closeRows = Math.ceil(closeTiles.length / closeColumns);
  const closeHeight = closeRows * (closeSide + captionHeight + gap);
  const credit = Buffer.from(
    `<svg width="${columns * (tileWidth + gap)}" height="24"><rect width="100%" height="100%" fill="white"/><text x="8" y="17" font-family="sans-serif" font-size="13">Real images: lb-kosuke/Detection_Classification (MIT licence). Synthetic: dicentra synth, seed ${SEED}, images 0–3 of easy, medium, hard, wide. Close-ups: 96×96 px of the frame, ×${zoom}.</text></svg>`,
  );
  await sharp({
    create: {
      width: columns * (tileWidth + gap),
      height: gridHeight + closeHeight + 24,
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
      ...closeTiles.map((input, k) => ({
        input,
        left: (k % closeColumns) * (closeSide + gap),
        top: gridHeight + Math.floor(k / closeColumns) * (closeSide + captionHeight + gap),
      })),
      {
        input: await sharp(credit).png().toBuffer(),
        left: 0,
        top: gridHeight + closeHeight,
      },
    ])
    .png({ compressionLevel: 9 })
    .toFile(sheetPath);
  console.log(`contact sheet: ${sheetPath}`);
}
