import type { ModelInput } from '../../imaging/model-input.js';
import type { BundleEnsemble, MemberOutputs, NetworkInput } from './bundle-ensemble.js';

/**
 * Largest network input side (pixels, after padding) run in one piece. The
 * network's working memory grows with the input area (measured for one
 * member of the shipped U-Net: 0.07 GB at 1024², 0.29 GB at 2048², 1.1 GB at
 * 4096², about 68 bytes a pixel), so a larger frame runs in overlapping
 * tiles of at most this side; their margins cost (2048/1792)² ≈ 1.3× the
 * compute of a one-piece run.
 */
export const TILE_SIZE = 2048;

/**
 * Context every tile gets beyond the part of the heatmap it contributes:
 * 8 × padMultiple pixels. The trainer's U-Nets have padMultiple = 2^depth and
 * a receptive field under 16 × 2^depth pixels (196 px at depth 4), so each
 * contributed cell sees at least half its receptive field on every side, as
 * in the whole-image run (measured at depth 4: margins of 96 px and more give
 * bit-identical heatmaps, 64 px differ by up to 0.013).
 */
export function tileMargin(padMultiple: number): number {
  return 8 * padMultiple;
}

/** One tile along one axis: the input run [start, end) and the part [coreStart, coreEnd) it contributes. */
export interface TileSpan {
  readonly start: number;
  readonly end: number;
  readonly coreStart: number;
  readonly coreEnd: number;
}

/**
 * Cuts an axis of `length` padded pixels into tiles of at most `tileSize`:
 * cores of `tileSize − 2·margin` pixels cover the axis without overlap, and
 * each tile adds `margin` pixels of context on both sides (clipped at the
 * image's edges, where the whole-image run has no context either). Every
 * boundary is a multiple of `align`, so tiles keep the network's pooling grid
 * and output cells of the whole image.
 */
export function tileSpans(
  length: number,
  tileSize: number,
  margin: number,
  align: number,
): TileSpan[] {
  if (length <= tileSize) return [{ start: 0, end: length, coreStart: 0, coreEnd: length }];
  const step = tileSize - 2 * margin;
  if (step <= 0 || [length, tileSize, margin].some((value) => value % align !== 0)) {
    throw new RangeError(
      `tiles of ${tileSize} with margin ${margin} cannot cut ${length} on a grid of ${align}`,
    );
  }
  const spans: TileSpan[] = [];
  for (let coreStart = 0; coreStart < length; coreStart += step) {
    const coreEnd = Math.min(length, coreStart + step);
    spans.push({
      start: Math.max(0, coreStart - margin),
      end: Math.min(length, coreEnd + margin),
      coreStart,
      coreEnd,
    });
  }
  return spans;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** Copies the part of `tile` (channels × tileGrid) its core contributes into `whole` (channels × grid). */
function stitch(
  whole: Float32Array,
  tile: Float32Array,
  stride: number,
  x: TileSpan,
  y: TileSpan,
  grid: { width: number; height: number },
): void {
  const tileWidth = (x.end - x.start) / stride;
  const tileHeight = (y.end - y.start) / stride;
  const channels = tile.length / (tileWidth * tileHeight);
  const from = (x.coreStart - x.start) / stride;
  const to = (x.coreEnd - x.start) / stride;
  for (let c = 0; c < channels; c++) {
    for (let v = y.coreStart / stride; v < y.coreEnd / stride; v++) {
      const row = c * tileWidth * tileHeight + (v - y.start / stride) * tileWidth;
      whole.set(
        tile.subarray(row + from, row + to),
        c * grid.width * grid.height + v * grid.width + x.coreStart / stride,
      );
    }
  }
}

/**
 * Whether a bundle's outputs at a pixel depend only on its receptive field.
 * Group and instance norm take their statistics over the whole input, so a
 * tile would see other statistics than the whole frame (measured on the
 * shipped group-norm bundle: tiles of 2048 change 158 of 485 heatmap cells
 * above 0.5 on a 2600×2200 frame); such bundles always run the whole frame.
 */
export function tilesExactly(architecture: { readonly norm: string }): boolean {
  return architecture.norm === 'none' || architecture.norm === 'batch';
}

/**
 * One member's outputs on a whole prepared image: in one run when its padded
 * size fits `tileSize` (or the bundle cannot be tiled exactly), else stitched
 * from overlapping tiles (see tileSpans; each output cell comes from the one
 * tile whose core holds it).
 */
export async function runMemberTiled(
  ensemble: BundleEnsemble,
  input: ModelInput,
  member: number,
  tiling: { tileSize?: number; margin?: number } = {},
): Promise<MemberOutputs> {
  const { bundle } = ensemble.loaded;
  const { paddedWidth, paddedHeight } = input;
  const tileSize = tiling.tileSize ?? TILE_SIZE;
  if ((paddedWidth <= tileSize && paddedHeight <= tileSize) || !tilesExactly(bundle.architecture)) {
    return ensemble.run(input, member);
  }
  const align = [bundle.outputStride, bundle.featuresStride].reduce(lcm, bundle.input.padMultiple);
  const margin = tiling.margin ?? tileMargin(bundle.input.padMultiple);
  const xs = tileSpans(paddedWidth, tileSize, margin, align);
  const ys = tileSpans(paddedHeight, tileSize, margin, align);
  const outputs = [
    { stride: bundle.outputStride, channels: bundle.classes.length },
    ...(ensemble.withFeatures
      ? [{ stride: bundle.featuresStride, channels: bundle.architecture.featureChannels }]
      : []),
  ].map(({ stride, channels }) => {
    const grid = { width: paddedWidth / stride, height: paddedHeight / stride };
    return { stride, grid, data: new Float32Array(channels * grid.width * grid.height) };
  });
  for (const y of ys) {
    for (const x of xs) {
      const tile: NetworkInput = {
        paddedWidth: x.end - x.start,
        paddedHeight: y.end - y.start,
        data: new Float32Array((x.end - x.start) * (y.end - y.start)),
      };
      for (let row = y.start; row < y.end; row++) {
        tile.data.set(
          input.data.subarray(row * paddedWidth + x.start, row * paddedWidth + x.end),
          (row - y.start) * tile.paddedWidth,
        );
      }
      const result = await ensemble.run(tile, member);
      const parts = [result.heatmap, result.features];
      outputs.forEach((out, k) => stitch(out.data, parts[k]!, out.stride, x, y, out.grid));
    }
  }
  return { heatmap: outputs[0]!.data, features: outputs[1]?.data ?? null };
}
