import { SeededRandom } from '../seeded-random.js';

/** What location sampling needs of an image: its size and its annotated points per class. */
export interface LocationSource {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Points per class in image pixels, [x, y]; a class with no entry has no object. */
  readonly points: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

/** One location whose feature vector is tracked over epochs. */
export interface FeatureLocation {
  /** Index of the image in the list given to `sampleFeatureLocations`. */
  readonly imageIndex: number;
  readonly imageId: string;
  /** 0 = background; i ≥ 1 = `aberrationClasses[i − 1]`. */
  readonly classIndex: number;
  /** Image pixels: the annotated point, or the centre of the sampled background cell. */
  readonly x: number;
  readonly y: number;
  /** Cell of the feature map (column, row) holding the location. */
  readonly u: number;
  readonly v: number;
}

export interface LocationSampling {
  /** The aberration classes in class-index order (index 0, background, is implicit). */
  readonly aberrationClasses: readonly string[];
  /** Input pixels per feature-map cell. */
  readonly featuresStride: number;
  /** Background cells per image (fewer when an image has fewer free cells). */
  readonly backgroundPerImage: number;
  /**
   * Input pixels around every annotated point (any class) that count as aberration
   * pixels: no background cell overlaps a disk of this radius.
   */
  readonly exclusionRadius: number;
  readonly seed: number;
}

/** FNV-1a over the id, so an image's background cells do not depend on the other images. */
function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The feature-map cell holding an image pixel, clamped to the cells that cover the image. */
export function cellOf(
  x: number,
  y: number,
  width: number,
  height: number,
  stride: number,
): [number, number] {
  const columns = Math.ceil(width / stride);
  const rows = Math.ceil(height / stride);
  return [
    Math.min(columns - 1, Math.max(0, Math.floor(x / stride))),
    Math.min(rows - 1, Math.max(0, Math.floor(y / stride))),
  ];
}

/**
 * The locations of the paper's feature bags (Methods, "Visualization of the
 * training dynamics"): every annotated aberration point, then per image up to
 * `backgroundPerImage` background cells drawn without replacement among the
 * cells that lie wholly inside the image and overlap no aberration disk. The
 * draw depends only on (seed, image id), so every epoch, and every subset of
 * images, sees the same cells.
 */
export function sampleFeatureLocations(
  images: readonly LocationSource[],
  sampling: LocationSampling,
): FeatureLocation[] {
  const { featuresStride: stride, exclusionRadius, backgroundPerImage } = sampling;
  if (!(stride > 0)) throw new RangeError(`featuresStride must be > 0, got ${stride}`);
  if (!Number.isInteger(backgroundPerImage) || backgroundPerImage < 0) {
    throw new RangeError(`backgroundPerImage must be an integer ≥ 0, got ${backgroundPerImage}`);
  }
  // a cell overlaps a disk when its centre is closer than radius + half its diagonal
  const reach = exclusionRadius + (stride * Math.SQRT2) / 2;
  const locations: FeatureLocation[] = [];
  images.forEach((image, imageIndex) => {
    const allPoints: (readonly [number, number])[] = [];
    sampling.aberrationClasses.forEach((name, classOffset) => {
      for (const point of image.points[name] ?? []) {
        const [u, v] = cellOf(point[0], point[1], image.width, image.height, stride);
        locations.push({
          imageIndex,
          imageId: image.id,
          classIndex: classOffset + 1,
          x: point[0],
          y: point[1],
          u,
          v,
        });
      }
    });
    // every annotated point excludes background, also points of classes not analysed
    for (const points of Object.values(image.points)) allPoints.push(...points);
    const columns = Math.floor(image.width / stride);
    const rows = Math.floor(image.height / stride);
    const free: number[] = [];
    for (let v = 0; v < rows; v++) {
      for (let u = 0; u < columns; u++) {
        const cx = (u + 0.5) * stride;
        const cy = (v + 0.5) * stride;
        const blocked = allPoints.some(([px, py]) => Math.hypot(px - cx, py - cy) < reach);
        if (!blocked) free.push(v * columns + u);
      }
    }
    const random = new SeededRandom(sampling.seed, hashId(image.id));
    const count = Math.min(backgroundPerImage, free.length);
    // partial Fisher–Yates: the first `count` entries become a uniform draw without replacement
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random.uniform() * (free.length - i));
      [free[i], free[j]] = [free[j]!, free[i]!];
      const cell = free[i]!;
      const u = cell % columns;
      const v = Math.floor(cell / columns);
      locations.push({
        imageIndex,
        imageId: image.id,
        classIndex: 0,
        x: (u + 0.5) * stride,
        y: (v + 0.5) * stride,
        u,
        v,
      });
    }
  });
  return locations;
}
