import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { drawDetections } from '../src/imaging/detection-overlay.js';
import { makeTempDir } from './support/paths.js';

const detection = {
  x: 50,
  y: 40,
  area: 16,
  votes: 10,
  voteFraction: 1,
  meanValue: 0.8,
  maxValue: 0.9,
  spread: 0.05,
};

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

test('a detection is drawn as a circle in its class colour, its centre left visible', async () => {
  const dir = await makeTempDir('overlay');
  const path = join(dir, 'cell.png');
  await sharp({
    create: { width: 100, height: 80, channels: 3, background: { r: 128, g: 128, b: 128 } },
  })
    .png()
    .toFile(path);
  const png = await drawDetections(
    path,
    {
      id: 'cell',
      path,
      width: 100,
      height: 80,
      detections: { dicentric: [detection], fragment: [] },
      counts: { dicentric: 1, fragment: 0 },
    },
    { classes: ['dicentric', 'fragment'], radius: 10, width: 100 },
  );
  const [r, g, b] = await pixel(png, 60, 40); // on the circle's right edge
  assert.ok(
    r! > 190 && g! < 120 && b! < 40,
    `circle pixel is the dicentric orange, got ${r},${g},${b}`,
  );
  assert.deepEqual(await pixel(png, 50, 40), [128, 128, 128], 'the centre is not covered');
});

test('a detection few members agree on is drawn fainter than a unanimous one', async () => {
  const dir = await makeTempDir('overlay');
  const path = join(dir, 'cell.png');
  await sharp({
    create: { width: 100, height: 80, channels: 3, background: { r: 128, g: 128, b: 128 } },
  })
    .png()
    .toFile(path);
  const draw = (voteFraction: number) =>
    drawDetections(
      path,
      {
        id: 'cell',
        path,
        width: 100,
        height: 80,
        detections: { dicentric: [{ ...detection, voteFraction }] },
        counts: { dicentric: 1 },
      },
      { classes: ['dicentric'], radius: 10, width: 100 },
    );
  const strong = await pixel(await draw(1), 60, 40);
  const weak = await pixel(await draw(0.1), 60, 40);
  assert.ok(strong[0]! - 128 > 2 * (weak[0]! - 128), `unanimous ${strong} vs weak ${weak}`);
});
