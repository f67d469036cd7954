/** A case folder's detections.json whose counts are the reference's example1 case. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFS } from './support/paths.js';

/** Biodose Tools' example1 case: cells with 0, 1, … dicentrics (expected.json). */
export const EXAMPLE1: number[] = (
  JSON.parse(readFileSync(join(REFS, 'biodosetools', 'expected.json'), 'utf8')) as {
    inputs: { cases_data_partial: { example1: number[] } };
  }
).inputs.cases_data_partial.example1;

const detection = { area: 16, votes: 5, voteFraction: 1, meanValue: 0.9, maxValue: 1, spread: 0 };
const threshold = { tc: 0.5, adaptive: false, memberTc: [0.5, 0.5, 0.5, 0.5, 0.5], ta: 4 };

/** A detections.json whose cells hold example1's dicentrics (each with a fragment), 2 failed images. */
export function example1Detections(): { file: unknown; fragments: number } {
  const images: unknown[] = [];
  let fragments = 0;
  EXAMPLE1.forEach((cells, k) => {
    for (let i = 0; i < cells; i++) {
      // every cell with a dicentric has a fragment; one in ten of the others has one too
      const f = k > 0 || i % 10 === 0 ? 1 : 0;
      fragments += f;
      const at = (n: number) =>
        Array.from({ length: n }, (_, j) => ({ ...detection, x: 4 * j, y: 4 }));
      images.push({
        id: `c${k}-${i}`,
        sampleId: 'example1',
        path: `images/c${k}-${i}.png`,
        width: 64,
        height: 64,
        detections: { dicentric: at(k), fragment: at(f) },
        counts: { dicentric: k, fragment: f },
      });
    }
  });
  const file = {
    version: '1.1',
    classes: ['dicentric', 'fragment'],
    bundle: {
      path: 'models/demo/bundle.json',
      sha256: 'ab'.repeat(32),
      memberEpochs: [46, 47, 48, 49, 50],
      selection: { mode: 'last', count: 5 },
    },
    thresholds: { dicentric: threshold, fragment: threshold },
    connectivity: 8,
    outputStride: 4,
    images,
    errors: ['x1', 'x2'].map((id) => ({
      id,
      path: `images/${id}.png`,
      code: 'DCN_E_IMAGE_DECODE',
      message: 'cannot be decoded',
    })),
  };
  return { file, fragments };
}
