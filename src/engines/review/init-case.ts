import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBundleFile } from '../../formats/bundle-file.js';
import { writeDatasetFile } from '../../formats/dataset-file.js';
import { DATASET_FORMAT_VERSION, type Dataset } from '../../formats/dataset.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { ExitCode, type ExitCodeValue } from '../../formats/exit-codes.js';
import { provenanceNow } from '../../formats/provenance.js';
import { readImageInfo } from '../../imaging/read-image.js';
import { readCaseImages } from '../import/case-images.js';
import { CURVE_FILE, DETECTIONS_FILE } from './review-case.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface InitRequest {
  readonly caseDir: string;
  /** A folder of one case's images, or a dataset.json. */
  readonly images: string;
  readonly model: string;
  readonly curve?: string;
  readonly toolVersion: string;
  readonly signal: AbortSignal;
}

/** `dicentra detect ARGS` as a child process, its logs on our stderr. */
function runDetect(args: readonly string[], signal: AbortSignal): Promise<number | null> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'detect', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      signal,
    });
    child.on('error', (error) => (signal.aborted ? done(ExitCode.interrupted) : fail(error)));
    child.on('close', done);
  });
}

/**
 * `dicentra review --init`: a self-contained case folder — the images copied
 * to CASE/images with a dataset.json keeping their ids and cases, the curve
 * as CASE/curve.json, and CASE/detections.json from `dicentra detect` (with
 * the curve's detector when a curve is given), so the review server serves
 * only files inside the folder.
 */
export async function initReviewCase(request: InitRequest): Promise<{ images: number }> {
  const dir = resolve(request.caseDir);
  if (existsSync(join(dir, DETECTIONS_FILE))) {
    throw new DicentraError(
      'DCN_E_OUTPUT_PATH',
      `${request.caseDir} is a case already (it holds ${DETECTIONS_FILE})`,
      {
        file: join(request.caseDir, DETECTIONS_FILE),
        field: '--case',
        hint: 'review it with `dicentra review --case DIR`, or give a new folder to --init',
      },
    );
  }
  const images = await readCaseImages(request.images);
  await mkdir(join(dir, 'images'), { recursive: true });
  const entries: Dataset['images'] = [];
  for (const image of images) {
    const info = await readImageInfo(image.file);
    const path = `images/${image.id}${extname(image.file).toLowerCase()}`;
    await copyFile(image.file, join(dir, path));
    entries.push({
      id: image.id,
      path,
      width: info.width,
      height: info.height,
      split: 'none',
      sampleId: image.caseId,
    });
  }
  const dataset = join(dir, 'dataset.json');
  await writeDatasetFile(dataset, {
    version: DATASET_FORMAT_VERSION,
    classes: [...(await readBundleFile(request.model)).bundle.classes],
    images: entries,
    provenance: provenanceNow('dicentra review --init', request.toolVersion),
  });
  const args = ['--model', request.model, '--images', dataset];
  if (request.curve) {
    await copyFile(request.curve, join(dir, CURVE_FILE));
    args.push('--curve', join(dir, CURVE_FILE));
  }
  args.push('--out', join(dir, DETECTIONS_FILE), '--quiet');
  const code = await runDetect(args, request.signal);
  if (code === ExitCode.interrupted || request.signal.aborted) {
    throw new DicentraError('DCN_E_INTERRUPTED', 'interrupted while detecting', {
      hint: 'run `dicentra review --init` again on a new folder',
    });
  }
  if (code !== 0) {
    throw new DicentraError(
      'DCN_E_DETECT_STEP_FAILED',
      `dicentra detect failed (exit ${code}) on the case's images; its error is above`,
      {
        field: '--init',
        hint: `the command was: dicentra detect ${args.join(' ')}`,
        exitCode: (code ?? ExitCode.checkFailed) as ExitCodeValue,
      },
    );
  }
  return { images: images.length };
}
