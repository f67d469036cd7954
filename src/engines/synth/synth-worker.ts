/**
 * A rendering thread of `dicentra synth`: draws, encodes and writes the images
 * it is handed. Each image depends only on (seed, index, parameters), so the
 * bytes are the same whichever thread renders it.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { cellPoints, cellTruth } from '../../cores/synth/cell-truth.js';
import { generateCell } from '../../cores/synth/generate-cell.js';
import { imageParameters } from '../../cores/synth/image-parameters.js';
import { renderCell, RenderScratch } from '../../cores/synth/render-cell.js';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import { encodeImage, limitImageThreads } from '../../imaging/write-image.js';
import { jpegRoundTrip } from '../../imaging/jpeg-round-trip.js';
import type { SynthTask, SynthTaskResult, SynthWorkerData } from './synth-tasks.js';

// one libvips thread per worker: the pool already fills the cores
limitImageThreads(1);

const setup = workerData as SynthWorkerData;
const scratch = new RenderScratch();

async function render(task: SynthTask): Promise<SynthTaskResult> {
  const { seed } = setup;
  const params = imageParameters(seed, task.index, setup.params);
  const cell = generateCell(
    seed,
    {
      index: task.index,
      ...(task.doseGy !== undefined ? { doseGy: task.doseGy } : {}),
      doseRange: setup.doseRange,
      minAberrations: setup.minAberrations,
    },
    params,
  );
  const image = renderCell(cell, seed, params.optics.rgb, scratch);
  let pixels = image.pixels;
  if (params.optics.jpegQuality !== null) {
    pixels = await jpegRoundTrip(
      pixels,
      image.width,
      image.height,
      image.channels,
      params.optics.jpegQuality,
    );
  }
  const png = await encodeImage(pixels, image.width, image.height, image.channels, 'png');
  await writeFileAtomic(task.file, png);
  return {
    index: task.index,
    sha256: createHash('sha256').update(png).digest('hex'),
    truth: cellTruth(cell, task.identity, params === setup.params ? undefined : params),
    points: cellPoints(cell),
  };
}

parentPort!.on('message', (task: SynthTask) => {
  render(task).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) =>
      parentPort!.postMessage({
        ok: false,
        index: task.index,
        message: error instanceof Error ? error.message : String(error),
        range: error instanceof RangeError,
      }),
  );
});
