import sharp from 'sharp';
import type { DetectionsImage } from '../formats/detections.js';
import type { Point } from '../formats/dataset.js';
import { maxImagePixels } from './pixel-limit.js';

/** One colour per class, in class order (colour-blind-safe Okabe–Ito hues). */
export const CLASS_COLOURS = ['#d55e00', '#0072b2', '#009e73', '#cc79a7', '#e69f00'] as const;

export interface OverlayOptions {
  readonly classes: readonly string[];
  /** Known object positions per class (synthetic truth), drawn as small crosses. */
  readonly truth?: Readonly<Record<string, readonly Point[]>>;
  /** Circle radius in image pixels. */
  readonly radius?: number;
  /** Output width in pixels (the image is scaled down to it, keeping its aspect). */
  readonly width?: number;
}

/**
 * Draws an image's detections as circles, coloured by class and shaded by vote
 * fraction (opaque when every member agreed, faint when few did), with the
 * true positions as crosses when known. Returns PNG bytes.
 */
export async function drawDetections(
  imagePath: string,
  image: DetectionsImage,
  options: OverlayOptions,
): Promise<Buffer> {
  const radius = options.radius ?? 18;
  const marks: string[] = [];
  options.classes.forEach((name, classIndex) => {
    const colour = CLASS_COLOURS[classIndex % CLASS_COLOURS.length]!;
    for (const detection of image.detections[name] ?? []) {
      const opacity = (0.25 + 0.75 * detection.voteFraction).toFixed(2);
      marks.push(
        `<circle cx="${detection.x.toFixed(1)}" cy="${detection.y.toFixed(1)}" r="${radius}" fill="none" stroke="${colour}" stroke-width="4" stroke-opacity="${opacity}"/>`,
      );
    }
    for (const [x, y] of options.truth?.[name] ?? []) {
      const s = 7;
      marks.push(
        `<path d="M${x - s} ${y - s}L${x + s} ${y + s}M${x - s} ${y + s}L${x + s} ${y - s}" stroke="${colour}" stroke-width="2.5"/>`,
      );
    }
  });
  const overlay = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">${marks.join('')}</svg>`,
  );
  const composed = await sharp(imagePath, { limitInputPixels: maxImagePixels() })
    .toColourspace('srgb')
    .composite([{ input: overlay, top: 0, left: 0 }])
    .png()
    .toBuffer();
  return sharp(composed)
    .resize({ width: options.width ?? 560 })
    .png()
    .toBuffer();
}
