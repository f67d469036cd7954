import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherFeatureVectors } from '../src/cores/dynamics/feature-map.js';
import {
  cellOf,
  sampleFeatureLocations,
  type LocationSource,
} from '../src/cores/dynamics/feature-locations.js';

const images: LocationSource[] = [
  {
    id: 'a',
    width: 64,
    height: 48,
    points: { dicentric: [[10, 10] as const], fragment: [[40.5, 30] as const, [60, 2] as const] },
  },
  { id: 'b', width: 32, height: 32, points: {} },
  {
    id: 'c',
    width: 40,
    height: 40,
    points: { dicentric: [[20, 20] as const], other: [[5, 5] as const] },
  },
];
const sampling = {
  aberrationClasses: ['dicentric', 'fragment'],
  featuresStride: 4,
  backgroundPerImage: 20,
  exclusionRadius: 6,
  seed: 3,
};

test('every annotated point becomes a location in the feature cell that holds it', () => {
  const locations = sampleFeatureLocations(images, sampling);
  const aberrations = locations.filter((l) => l.classIndex > 0);
  assert.deepEqual(
    aberrations.map((l) => [l.imageId, l.classIndex, l.x, l.y, l.u, l.v]),
    [
      ['a', 1, 10, 10, 2, 2],
      ['a', 2, 40.5, 30, 10, 7],
      ['a', 2, 60, 2, 15, 0],
      ['c', 1, 20, 20, 5, 5],
    ],
  );
  // a point on the far edge stays in the last cell
  assert.deepEqual(cellOf(64, 48, 64, 48, 4), [15, 11]);
});

test('background cells: the requested count, inside the image, never on an aberration disk', () => {
  const locations = sampleFeatureLocations(images, sampling);
  for (const image of images) {
    const background = locations.filter((l) => l.imageId === image.id && l.classIndex === 0);
    assert.equal(background.length, 20, image.id);
    assert.equal(new Set(background.map((l) => `${l.u},${l.v}`)).size, 20, 'no cell twice');
    const points = Object.values(image.points).flat();
    for (const cell of background) {
      assert.ok((cell.u + 1) * 4 <= image.width && (cell.v + 1) * 4 <= image.height);
      // the cell's nearest pixel to each point is farther than the exclusion radius
      for (const [px, py] of points) {
        const nx = Math.min(Math.max(px, cell.u * 4), cell.u * 4 + 4);
        const ny = Math.min(Math.max(py, cell.v * 4), cell.v * 4 + 4);
        assert.ok(Math.hypot(px - nx, py - ny) >= 6, `${image.id} cell ${cell.u},${cell.v}`);
      }
    }
  }
});

test('background draws depend on (seed, image id) only: same seed, same cells, any image subset', () => {
  const all = sampleFeatureLocations(images, sampling);
  assert.deepEqual(sampleFeatureLocations(images, sampling), all);
  const onlyC = sampleFeatureLocations([images[2]!], sampling);
  const key = (l: { u: number; v: number; classIndex: number }) => `${l.classIndex}:${l.u},${l.v}`;
  assert.deepEqual(onlyC.map(key), all.filter((l) => l.imageId === 'c').map(key));
  const otherSeed = sampleFeatureLocations(images, { ...sampling, seed: 4 });
  assert.notDeepEqual(otherSeed.map(key), all.map(key));
});

test('a small image yields as many background cells as it has free ones', () => {
  const tiny: LocationSource[] = [
    { id: 't', width: 8, height: 8, points: { dicentric: [[1, 1] as const] } },
  ];
  const locations = sampleFeatureLocations(tiny, { ...sampling, exclusionRadius: 1 });
  // 2×2 cells; the one at the point (and none other: centres ≥ 1 + 2√2 away) is blocked
  assert.equal(locations.filter((l) => l.classIndex === 0).length, 3);
});

test('gathering feature vectors reads channel-major maps at (column, row)', () => {
  // 2 channels × 2 rows × 3 columns; value = 100·channel + 10·row + column
  const data = new Float32Array(12).map((_, i) => {
    const channel = Math.floor(i / 6);
    const row = Math.floor((i % 6) / 3);
    return 100 * channel + 10 * row + (i % 3);
  });
  const target = new Float64Array(3 * 2);
  gatherFeatureVectors(
    { channels: 2, height: 2, width: 3, data },
    [
      { u: 2, v: 1 },
      { u: 0, v: 0 },
    ],
    target,
    1,
  );
  assert.deepEqual(Array.from(target), [0, 0, 12, 112, 0, 100]);
  assert.throws(
    () =>
      gatherFeatureVectors({ channels: 2, height: 2, width: 3, data }, [{ u: 3, v: 0 }], target, 0),
    RangeError,
  );
});
