import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../formats/atomic-write.js';

/**
 * A compact on-disk cache of one member's heatmaps for one image, so threshold
 * sweeps and sub-ensemble resampling never re-run the network.
 *
 * Only heatmap pixels above `floor` are stored (sparse), each as a uint16
 * level q = round(φ · 65535): decoding φ' = q / 65535 is off by at most
 * 1/131070 ≈ 7.6e-6, so a vote φ > T_C can only differ from the network's own
 * when φ is within 7.6e-6 of T_C. Pixels not stored are ≤ floor and never vote
 * for any T_C ≥ floor.
 *
 * File: "DCH2" · u32 header length · sha256 of all that follows (32 bytes) ·
 * JSON header · per class: u32 n, n × u32 pixel index (row-major on the
 * cropped grid), n × u16 level. The checksum makes a damaged entry (a flipped
 * bit, a torn write) a miss rather than silently different votes.
 */
export const CACHE_FLOOR = 0.01;
const MAGIC = 'DCH2';
const LEVELS = 65535;
const DIGEST_BYTES = 32;
const PREFIX_BYTES = 8 + DIGEST_BYTES;

export interface CachedHeatmap {
  /** The image's size in pixels. */
  readonly width: number;
  readonly height: number;
  readonly gridWidth: number;
  readonly gridHeight: number;
  readonly floor: number;
  /** The factor the frame was resized by before the network (scale normalisation); 1: not resized. */
  readonly scaleFactor: number;
  /** Per class: stored pixel indices and decoded values. */
  readonly classes: { readonly pixels: Uint32Array; readonly values: Float32Array }[];
}

/** The image half of a cache key: its bytes and the input rule that turns them into a tensor. */
export function imageCacheDigest(imageBytes: Uint8Array, inputRule: unknown): string {
  const hash = createHash('sha256').update(imageBytes).update(JSON.stringify(inputRule));
  return hash.digest('hex').slice(0, 32);
}

export function cacheKey(memberSha256: string, imageDigest: string): string {
  return join(memberSha256.slice(0, 16), `${imageDigest}.dcnh`);
}

/** The 16-bit level the cache stores for a heatmap value. */
const levelOf = (value: number): number => Math.round(Math.min(1, value) * LEVELS);

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

/**
 * Encodes one member's dense heatmaps (C × gridHeight × gridWidth on the
 * padded grid), cropped to the `crop` cells that cover an image of `image` pixels.
 */
export function encodeHeatmap(
  dense: Float32Array,
  classes: number,
  padded: { width: number; height: number },
  crop: { width: number; height: number },
  image: { width: number; height: number; scaleFactor?: number },
  floor = CACHE_FLOOR,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = Buffer.from(
    JSON.stringify({
      width: image.width,
      height: image.height,
      gridWidth: crop.width,
      gridHeight: crop.height,
      floor,
      classes,
      ...(image.scaleFactor !== undefined && image.scaleFactor !== 1
        ? { scaleFactor: image.scaleFactor }
        : {}),
    }),
  );
  const head = Buffer.alloc(PREFIX_BYTES);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32LE(header.length, 4);
  parts.push(head, header);
  for (let c = 0; c < classes; c++) {
    const indices: number[] = [];
    const levels: number[] = [];
    const base = c * padded.width * padded.height;
    for (let y = 0; y < crop.height; y++) {
      for (let x = 0; x < crop.width; x++) {
        const value = dense[base + y * padded.width + x]!;
        if (value > floor) {
          indices.push(y * crop.width + x);
          levels.push(levelOf(value));
        }
      }
    }
    const count = Buffer.alloc(4);
    count.writeUInt32LE(indices.length, 0);
    parts.push(
      count,
      new Uint8Array(Uint32Array.from(indices).buffer),
      new Uint8Array(Uint16Array.from(levels).buffer),
    );
  }
  const entry = Buffer.concat(parts);
  sha256(entry.subarray(PREFIX_BYTES)).copy(entry, 8);
  return entry;
}

/**
 * Decodes an entry; null when it is not a complete, intact entry (torn by a
 * crash, or any byte changed since it was written).
 */
export function decodeHeatmap(bytes: Uint8Array): CachedHeatmap | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < PREFIX_BYTES || buffer.toString('latin1', 0, 4) !== MAGIC) return null;
  if (!sha256(buffer.subarray(PREFIX_BYTES)).equals(buffer.subarray(8, PREFIX_BYTES))) return null;
  const headerLength = buffer.readUInt32LE(4);
  let header: {
    width: number;
    height: number;
    gridWidth: number;
    gridHeight: number;
    floor: number;
    classes: number;
    scaleFactor?: number;
  };
  try {
    header = JSON.parse(
      buffer.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength),
    ) as typeof header;
  } catch {
    return null;
  }
  let offset = PREFIX_BYTES + headerLength;
  const classes: CachedHeatmap['classes'] = [];
  for (let c = 0; c < header.classes; c++) {
    if (offset + 4 > buffer.length) return null;
    const n = buffer.readUInt32LE(offset);
    offset += 4;
    if (offset + n * 6 > buffer.length) return null;
    // copy: the indices may not be 4-byte aligned inside the file buffer
    const pixels = new Uint32Array(
      buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + 4 * n),
    );
    offset += 4 * n;
    const levels = new Uint16Array(
      buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + 2 * n),
    );
    offset += 2 * n;
    classes.push({ pixels, values: Float32Array.from(levels, (q) => q / LEVELS) });
  }
  if (offset !== buffer.length) return null;
  return {
    width: header.width,
    height: header.height,
    gridWidth: header.gridWidth,
    gridHeight: header.gridHeight,
    floor: header.floor,
    scaleFactor: header.scaleFactor ?? 1,
    classes,
  };
}

/**
 * A cached entry, or null when there is none or it is unreadable: a damaged
 * entry is recomputed and overwritten rather than failing the run.
 */
export async function readCachedHeatmap(
  folder: string,
  key: string,
): Promise<CachedHeatmap | null> {
  try {
    return decodeHeatmap(await readFile(join(folder, key)));
  } catch {
    return null;
  }
}

/**
 * Written by rename without fsync: thousands of entries per run would each
 * wait on the disk, and a crash can at worst leave an entry that fails to
 * decode, which is then recomputed.
 */
export function writeCachedHeatmap(folder: string, key: string, bytes: Uint8Array): Promise<void> {
  return writeFileAtomic(join(folder, key), bytes, { durable: false });
}
