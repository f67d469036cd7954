import sharp from 'sharp';
import { maxImagePixels } from './pixel-limit.js';

/** A square crop around a candidate, and where the candidate lies inside it. */
export interface TileRequest {
  readonly imagePath: string;
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
  /** Side of the crop in image pixels (clipped at the image's edges). */
  readonly side: number;
  /** Outline colour of the candidate. */
  readonly colour: string;
}

/**
 * A PNG crop around one detection with the candidate outlined by a circle, for
 * the review queue. 16-bit and colour images are shown as 8-bit sRGB.
 */
export async function reviewTile(request: TileRequest): Promise<Buffer> {
  const side = Math.max(1, Math.min(request.side, request.width, request.height));
  const left = Math.round(Math.min(Math.max(request.x - side / 2, 0), request.width - side));
  const top = Math.round(Math.min(Math.max(request.y - side / 2, 0), request.height - side));
  const radius = Math.max(3, side / 8);
  const outline = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}">` +
      `<circle cx="${(request.x - left).toFixed(1)}" cy="${(request.y - top).toFixed(1)}" r="${radius.toFixed(1)}" ` +
      `fill="none" stroke="${request.colour}" stroke-width="${Math.max(1, side / 48).toFixed(1)}"/></svg>`,
  );
  const crop = await sharp(request.imagePath, { limitInputPixels: maxImagePixels() })
    .extract({ left, top, width: side, height: side })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  return sharp(crop)
    .composite([{ input: outline, top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/** The whole image as an 8-bit sRGB PNG a browser shows (TIFF and 16-bit included). */
export function displayImage(imagePath: string): Promise<Buffer> {
  return sharp(imagePath, { limitInputPixels: maxImagePixels() })
    .toColourspace('srgb')
    .png()
    .toBuffer();
}
