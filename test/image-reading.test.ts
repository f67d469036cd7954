import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { readGreyImage } from '../src/imaging/read-image.js';
import { DicentraError } from '../src/formats/dicentra-error.js';
import { FIXTURES, makeTempDir } from './support/paths.js';

test('a 16-bit grey TIFF keeps its depth and values', async () => {
  // fixture written by PIL: pixel (x, y) = (16·y + x)·300, 16×12, mode I;16
  const image = await readGreyImage(join(FIXTURES, 'grey16.tif'));
  assert.equal(image.bitDepth, 16);
  assert.equal(image.width, 16);
  assert.equal(image.height, 12);
  assert.equal(image.data[1 * 16 + 2], (16 * 1 + 2) * 300);
  assert.equal(image.data[11 * 16 + 15], 191 * 300);
});

test('colour is converted to grey with BT.601 weights', async () => {
  const dir = await makeTempDir('grey');
  const path = join(dir, 'rgb.png');
  // two pixels: pure-ish colours whose luma is easy to compute by hand
  const pixels = Buffer.from([200, 100, 50, 0, 0, 255]);
  await sharp(pixels, { raw: { width: 2, height: 1, channels: 3 } })
    .png()
    .toFile(path);
  const image = await readGreyImage(path);
  assert.equal(image.bitDepth, 8);
  assert.ok(Math.abs(image.data[0]! - (0.299 * 200 + 0.587 * 100 + 0.114 * 50)) < 1e-4);
  assert.ok(Math.abs(image.data[1]! - 0.114 * 255) < 1e-4);
});

test('a JPEG decodes to grey of the right size', async () => {
  const dir = await makeTempDir('grey');
  const path = join(dir, 'flat.jpg');
  await sharp({
    create: { width: 24, height: 16, channels: 3, background: { r: 120, g: 120, b: 120 } },
  })
    .jpeg({ quality: 95 })
    .toFile(path);
  const image = await readGreyImage(path);
  assert.equal(image.width, 24);
  assert.equal(image.height, 16);
  assert.ok(
    Math.abs(image.data[5 * 24 + 7]! - 120) <= 2,
    'a flat grey JPEG stays near its grey level',
  );
});

test('a file that is not an image fails with DCN_E_IMAGE_DECODE naming the file', async () => {
  const dir = await makeTempDir('grey');
  const path = join(dir, 'broken.png');
  await writeFile(path, 'not a png');
  await assert.rejects(readGreyImage(path), (error: DicentraError) => {
    assert.equal(error.code, 'DCN_E_IMAGE_DECODE');
    assert.equal(error.file, path);
    return true;
  });
});

test('a missing file fails with DCN_E_IMAGE_MISSING', async () => {
  await assert.rejects(readGreyImage('/nonexistent/x.png'), { code: 'DCN_E_IMAGE_MISSING' });
});
