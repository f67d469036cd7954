import { SeededRandom } from '../seeded-random.js';
import { STREAM, type RoundObject, type Scratch, type SynthCell } from './generate-cell.js';
import { digitInk } from './label-font.js';
import { PixelNoise } from './pixel-noise.js';
import { rasteriseBody, TileScratch } from './rasterise-body.js';

/** Buffers one rendering thread reuses from image to image. */
export class RenderScratch {
  od = new Float32Array(0);
  blurred = new Float32Array(0);
  kernel = new Float32Array(0);
  rowFactor = new Float32Array(0);
  columnFactor = new Float32Array(0);
  readonly sigmaTable = new Float32Array(4 * 300);
  /** 16×16-pixel tiles holding any stain before blur: the blur skips the empty ones. */
  tiles = new Uint8Array(0);
  readonly tile = new TileScratch();

  ensure(width: number, height: number): void {
    const size = width * height;
    if (this.od.length !== size) {
      this.od = new Float32Array(size);
      this.blurred = new Float32Array(size);
    }
    const tiles = Math.ceil(width / TILE) * Math.ceil(height / TILE);
    if (this.tiles.length !== tiles) this.tiles = new Uint8Array(tiles);
    if (this.rowFactor.length !== height) this.rowFactor = new Float32Array(height);
    if (this.columnFactor.length !== width) this.columnFactor = new Float32Array(width);
  }
}

export interface RenderedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** 8-bit samples, row-major, channels interleaved. */
  readonly pixels: Uint8Array;
}

/** Transmission lookup: exp(−od) for od in [0, OD_MAX) in steps of 1/OD_STEPS. */
const OD_STEPS = 512;
const OD_MAX = 10;
const TRANSMISSION = (() => {
  const table = new Float32Array(OD_MAX * OD_STEPS + 1);
  for (let k = 0; k < table.length; k++) table[k] = Math.exp(-k / OD_STEPS);
  return table;
})();

/** A textured interphase nucleus: a soft-edged ellipse of clumped chromatin. */
function drawNucleus(
  round: RoundObject,
  stain: number,
  od: Float32Array,
  width: number,
  height: number,
  random: SeededRandom,
): void {
  const grid = Math.max(2.5, round.radius / 18);
  const cells = Math.ceil((2 * round.radius) / grid) + 2;
  const clumps = new Float32Array(cells * cells);
  for (let i = 0; i < clumps.length; i++) clumps[i] = random.between(0.55, 1.35);
  const grain = new PixelNoise((random.uniform() * 4294967296) >>> 0);
  const edge = Math.max(1.5, round.radius * 0.05);
  const cos = Math.cos(round.angle);
  const sin = Math.sin(round.angle);
  const x0 = Math.max(0, Math.floor(round.x - round.radius - 2));
  const x1 = Math.min(width - 1, Math.ceil(round.x + round.radius + 2));
  const y0 = Math.max(0, Math.floor(round.y - round.radius - 2));
  const y1 = Math.min(height - 1, Math.ceil(round.y + round.radius + 2));
  const left = round.x - round.radius - grid;
  const top = round.y - round.radius - grid;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - round.x;
      const dy = y + 0.5 - round.y;
      const u = cos * dx + sin * dy;
      const v = (-sin * dx + cos * dy) / round.aspect;
      const r = Math.sqrt(u * u + v * v);
      const inside = (round.radius - r) / edge;
      if (inside <= -0.5) continue;
      const cover = inside >= 0.5 ? 1 : inside + 0.5;
      // bilinear value noise for the chromatin clumps
      const gx = (x + 0.5 - left) / grid;
      const gy = (y + 0.5 - top) / grid;
      const ix = Math.min(cells - 2, Math.max(0, Math.floor(gx)));
      const iy = Math.min(cells - 2, Math.max(0, Math.floor(gy)));
      const fx = gx - ix;
      const fy = gy - iy;
      const c00 = clumps[iy * cells + ix]!;
      const c10 = clumps[iy * cells + ix + 1]!;
      const c01 = clumps[(iy + 1) * cells + ix]!;
      const c11 = clumps[(iy + 1) * cells + ix + 1]!;
      const texture = (c00 * (1 - fx) + c10 * fx) * (1 - fy) + (c01 * (1 - fx) + c11 * fx) * fy;
      const index = y * width + x;
      od[index] =
        od[index]! + stain * round.density * cover * texture * (1 + 0.25 * grain.normal());
    }
  }
}

/** Debris (a Gaussian dot) or haze (a broad faint Gaussian), both elliptical. */
function drawBlob(
  round: RoundObject,
  peak: number,
  od: Float32Array,
  width: number,
  height: number,
): void {
  const sigma = round.type === 'haze' ? round.radius / 2 : round.radius / 1.5;
  const extent = 3 * sigma;
  const x0 = Math.max(0, Math.floor(round.x - extent));
  const x1 = Math.min(width - 1, Math.ceil(round.x + extent));
  const y0 = Math.max(0, Math.floor(round.y - extent));
  const y1 = Math.min(height - 1, Math.ceil(round.y + extent));
  const cos = Math.cos(round.angle);
  const sin = Math.sin(round.angle);
  const a = 1 / (2 * sigma * sigma);
  const b = a / (round.aspect * round.aspect);
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - round.y;
    let index = y * width + x0;
    for (let x = x0; x <= x1; x++, index++) {
      const dx = x + 0.5 - round.x;
      const u = cos * dx + sin * dy;
      const v = -sin * dx + cos * dy;
      const e = a * u * u + b * v * v;
      if (e < 4.5) od[index] = od[index]! + peak * Math.exp(-e);
    }
  }
}

/** Dust on the optics: an out-of-focus disc, a little darker at its rim. */
function drawDust(round: RoundObject, od: Float32Array, width: number, height: number): void {
  const edge = Math.max(1.5, round.radius * 0.15);
  const extent = round.radius + 2 * edge;
  const x0 = Math.max(0, Math.floor(round.x - extent));
  const x1 = Math.min(width - 1, Math.ceil(round.x + extent));
  const y0 = Math.max(0, Math.floor(round.y - extent));
  const y1 = Math.min(height - 1, Math.ceil(round.y + extent));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - round.x;
      const dy = (y + 0.5 - round.y) / round.aspect;
      const r = Math.sqrt(dx * dx + dy * dy);
      const inside = clampUnit((round.radius - r) / edge + 0.5);
      if (inside <= 0) continue;
      const rim = Math.exp(-(((r - round.radius + edge) / edge) ** 2));
      od[y * width + x] = od[y * width + x]! + round.density * inside * (0.55 + 0.45 * rim);
    }
  }
}

/** A scratch: a faint line with a Gaussian cross-section. */
function drawScratch(line: Scratch, od: Float32Array, width: number, height: number): void {
  const dx = line.x1 - line.x0;
  const dy = line.y1 - line.y0;
  const length = Math.hypot(dx, dy);
  const ux = dx / length;
  const uy = dy / length;
  const reach = 2 * line.width;
  const x0 = Math.max(0, Math.floor(Math.min(line.x0, line.x1) - reach));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(line.x0, line.x1) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(line.y0, line.y1) - reach));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(line.y0, line.y1) + reach));
  const a = 1 / (2 * (line.width / 2) ** 2);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const vx = x + 0.5 - line.x0;
      const vy = y + 0.5 - line.y0;
      const t = vx * ux + vy * uy;
      if (t < 0 || t > length) continue;
      const d = vy * ux - vx * uy;
      if (d > reach || d < -reach) continue;
      od[y * width + x] = od[y * width + x]! + line.density * Math.exp(-a * d * d);
    }
  }
}

function clampUnit(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

const TILE = 16;

/** Marks the tiles holding any stain, grown by one tile so the blur's reach is covered. */
function markTiles(od: Float32Array, width: number, height: number, tiles: Uint8Array): void {
  const columns = Math.ceil(width / TILE);
  const rows = Math.ceil(height / TILE);
  const raw = new Uint8Array(tiles.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const tileRow = ((y / TILE) | 0) * columns;
    for (let x = 0; x < width; x++) {
      if (od[row + x] !== 0) {
        raw[tileRow + ((x / TILE) | 0)] = 1;
        x = (((x / TILE) | 0) + 1) * TILE - 1;
      }
    }
  }
  tiles.fill(0);
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < columns; tx++) {
      if (!raw[ty * columns + tx]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const y = ty + dy;
          const x = tx + dx;
          if (y >= 0 && y < rows && x >= 0 && x < columns) tiles[y * columns + x] = 1;
        }
      }
    }
  }
}

/**
 * Separable Gaussian blur (the microscope's point-spread function), edges
 * clamped, computed only on marked tiles (elsewhere the density is zero
 * within the kernel's reach and stays zero).
 */
function blur(
  source: Float32Array,
  temp: Float32Array,
  width: number,
  height: number,
  sigma: number,
  tiles: Uint8Array,
): void {
  const radius = Math.min(TILE, Math.max(1, Math.ceil(2.5 * sigma)));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++) {
    kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
    total += kernel[k + radius]!;
  }
  for (let k = 0; k < kernel.length; k++) kernel[k] = kernel[k]! / total;
  const columns = Math.ceil(width / TILE);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const tileRow = ((y / TILE) | 0) * columns;
    for (let tx = 0; tx < columns; tx++) {
      const xStart = tx * TILE;
      const xEnd = Math.min(width, xStart + TILE);
      if (!tiles[tileRow + tx]) {
        temp.fill(0, row + xStart, row + xEnd);
        continue;
      }
      for (let x = xStart; x < xEnd; x++) {
        let sum = 0;
        if (x >= radius && x < width - radius) {
          const base = row + x - radius;
          for (let k = 0; k < kernel.length; k++) sum += kernel[k]! * source[base + k]!;
        } else {
          for (let k = -radius; k <= radius; k++) {
            const xx = x + k < 0 ? 0 : x + k >= width ? width - 1 : x + k;
            sum += kernel[k + radius]! * source[row + xx]!;
          }
        }
        temp[row + x] = sum;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const tileRow = ((y / TILE) | 0) * columns;
    const inside = y >= radius && y < height - radius;
    for (let tx = 0; tx < columns; tx++) {
      if (!tiles[tileRow + tx]) continue;
      const xEnd = Math.min(width, tx * TILE + TILE);
      for (let x = tx * TILE; x < xEnd; x++) {
        let sum = 0;
        if (inside) {
          let index = row - radius * width + x;
          for (let k = 0; k < kernel.length; k++, index += width) sum += kernel[k]! * temp[index]!;
        } else {
          for (let k = -radius; k <= radius; k++) {
            const yy = y + k < 0 ? 0 : y + k >= height ? height - 1 : y + k;
            sum += kernel[k + radius]! * temp[yy * width + x]!;
          }
        }
        source[row + x] = sum;
      }
    }
  }
}

function drawLabel(cell: SynthCell, pixels: Uint8Array, channels: number): void {
  const label = cell.label;
  if (!label) return;
  const put = (x: number, y: number, value: number) => {
    if (x < 0 || y < 0 || x >= cell.width || y >= cell.height) return;
    const base = (y * cell.width + x) * channels;
    for (let c = 0; c < channels; c++) pixels[base + c] = value;
  };
  for (let y = 0; y < label.height; y++) {
    for (let x = 0; x < label.width; x++) {
      const border = x === 0 || y === 0 || x === label.width - 1 || y === label.height - 1;
      const fx = Math.floor(x / label.pixel) - 2;
      const fy = Math.floor(y / label.pixel) - 2;
      const digit = Math.floor(fx / 4);
      const ink =
        fx >= 0 && digit < label.text.length && digitInk(label.text[digit]!, fx - 4 * digit, fy);
      put(label.x + x, label.y + y, border || ink ? 20 : 245);
    }
  }
}

/**
 * Draws a generated cell: optical density of every body, nucleus, debris dot
 * and haze; the point-spread blur; transmission through the stain
 * (Beer–Lambert) under an uneven illumination; Poisson–Gaussian sensor noise
 * (variance a·I + b, matching the drawn σ on the background); 8-bit
 * quantisation; the frame-number box. Grey, or purple RGB with per-channel
 * stain absorption.
 */
export function renderCell(
  cell: SynthCell,
  seed: number,
  rgb: boolean,
  scratch: RenderScratch = new RenderScratch(),
): RenderedImage {
  const { width, height, optics } = cell;
  scratch.ensure(width, height);
  const od = scratch.od;
  od.fill(0);
  const texture = new SeededRandom(seed, cell.index, STREAM.texture);
  for (const round of cell.rounds) {
    if (round.type === 'nucleus')
      drawNucleus(round, optics.stainDensity, od, width, height, texture);
  }
  for (const body of cell.bodies) {
    rasteriseBody(body, optics.stainDensity, od, width, height, scratch.tile);
  }
  for (const round of cell.rounds) {
    if (round.type === 'debris')
      drawBlob(round, optics.stainDensity * round.density, od, width, height);
  }
  markTiles(od, width, height, scratch.tiles);
  blur(od, scratch.blurred, width, height, optics.blurSigma, scratch.tiles);
  // haze is smooth already: added after the blur
  for (const round of cell.rounds) {
    if (round.type === 'haze') drawBlob(round, round.density, od, width, height);
    if (round.type === 'dust') drawDust(round, od, width, height);
  }
  for (const line of cell.scratches) drawScratch(line, od, width, height);

  // illumination: a linear gradient times a radial fall-off, separable into row and column terms
  const radius2 = (width * width + height * height) / 4;
  for (let x = 0; x < width; x++) {
    const dx = x + 0.5 - optics.vignetteX;
    scratch.columnFactor[x] =
      optics.gradientX * (x / width - 0.5) - (optics.vignette * dx * dx) / radius2;
  }
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - optics.vignetteY;
    scratch.rowFactor[y] =
      1 + optics.gradientY * (y / height - 0.5) - (optics.vignette * dy * dy) / radius2;
  }
  const channels = rgb ? 3 : 1;
  const pixels = new Uint8Array(width * height * channels);
  const noise = new PixelNoise(
    (new SeededRandom(seed, cell.index, STREAM.noise).uniform() * 4294967296) >>> 0,
  );
  // noise σ as a function of the clean intensity, tabulated per 1/4 grey level
  const readVariance = 0.3 * optics.noiseSigma * optics.noiseSigma;
  const shotGain = (0.7 * optics.noiseSigma * optics.noiseSigma) / optics.background;
  const sigmaTable = scratch.sigmaTable;
  for (let k = 0; k < sigmaTable.length; k++)
    sigmaTable[k] = Math.sqrt(readVariance + (shotGain * k) / 4);
  const sigmaLast = sigmaTable.length - 1;
  const tint = rgb ? optics.tint : ([1, 1, 1] as const);
  const absorption = rgb ? optics.absorption : ([1, 1, 1] as const);
  const last = TRANSMISSION.length - 1;
  for (let y = 0; y < height; y++) {
    const rowFactor = scratch.rowFactor[y]!;
    for (let x = 0; x < width; x++) {
      const index = y * width + x;
      const light = optics.background * (rowFactor + scratch.columnFactor[x]!);
      const density = od[index]!;
      for (let c = 0; c < channels; c++) {
        const k = Math.round(density * absorption[c]! * OD_STEPS);
        const clean = light * tint[c]! * TRANSMISSION[k < last ? k : last]!;
        const q = (clean * 4) | 0;
        const value =
          clean + sigmaTable[q < sigmaLast ? (q > 0 ? q : 0) : sigmaLast]! * noise.normal();
        pixels[index * channels + c] = value <= 0 ? 0 : value >= 255 ? 255 : (value + 0.5) | 0;
      }
    }
  }
  drawLabel(cell, pixels, channels);
  return { width, height, channels, pixels };
}

/**
 * The optical density one body alone puts on each pixel, before blur: a mask
 * of where it is drawn (tests check annotation points against it).
 */
export function bodyFootprint(cell: SynthCell, bodyIndex: number): Float32Array {
  const od = new Float32Array(cell.width * cell.height);
  rasteriseBody(cell.bodies[bodyIndex]!, 1, od, cell.width, cell.height, new TileScratch());
  return od;
}
