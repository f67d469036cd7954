import { basename, extname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { readBundleFile } from '../../formats/bundle-file.js';
import { readCurveFile } from '../../formats/curve-file.js';
import { readDatasetFile, resolveImagePath } from '../../formats/dataset-file.js';
import { writeJsonAtomic } from '../../formats/atomic-write.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import type { Exposure } from '../../cores/dosimetry/protraction.js';
import {
  estimateDosesFromImages,
  type ImageCase,
  type WholeBodyMethod,
} from '../../engines/dosimetry/dose-from-images.js';
import { listImageFiles } from '../../engines/import/image-folder.js';
import { calibrationCurveOf } from '../../engines/dosimetry/curve-record.js';
import { yieldBelowIntercept } from '../../cores/dosimetry/whole-body-delta.js';
import { deltaCollapseWarning } from '../delta-collapse-warning.js';
import type { CommandContext } from '../command-context.js';
import type { DoseOptions } from './dose.js';

/** A folder is one case (named after it); a dataset.json holds one case per sampleId. */
async function casesOf(source: string): Promise<ImageCase[]> {
  const info = await stat(source).catch(() => null);
  if (!info) {
    throw new DicentraError('DCN_E_FILE_NOT_FOUND', `--images ${source} does not exist`, {
      file: source,
      field: '--images',
      hint: 'give a folder of one case’s images, or a dataset.json with sampleId per image',
    });
  }
  if (info.isDirectory()) {
    const names = await listImageFiles(source);
    return [
      {
        id: basename(resolve(source)),
        images: names.map((name) => ({
          id: basename(name, extname(name)),
          file: resolve(source, name),
        })),
      },
    ];
  }
  const dataset = await readDatasetFile(source);
  const byCase = new Map<string, ImageCase['images'][number][]>();
  const fallback = basename(source, extname(source));
  for (const image of dataset.images) {
    const id = image.sampleId ?? fallback;
    const list = byCase.get(id) ?? [];
    list.push({ id: image.id, file: resolveImagePath(source, image) });
    byCase.set(id, list);
  }
  if (byCase.size === 0) {
    throw new DicentraError('DCN_E_NO_IMAGES', `${source} lists no image`, {
      file: source,
      hint: 'add the case’s images to the dataset',
    });
  }
  return [...byCase.entries()].map(([id, images]) => ({ id, images }));
}

const fmt = (v: number, digits = 3) => v.toFixed(digits);

/** `dicentra dose --model --images`: count each case with the curve’s detector and estimate. */
export async function doseFromImages(
  options: DoseOptions,
  levels: readonly number[],
  exposure: Exposure & { g: number },
  context: CommandContext,
): Promise<void> {
  if (!options.model || !options.images) {
    throw new DicentraError('DCN_E_OPTION_INVALID', '--model and --images go together', {
      field: options.model ? '--images' : '--model',
      hint: 'e.g. --model models/demo/bundle.json --images case-17/',
    });
  }
  if (options.method !== 'merkle' && options.method !== 'delta') {
    throw new DicentraError(
      'DCN_E_METHOD_NOT_APPLICABLE',
      `--method ${options.method} is not available from images; the detector's spread is carried for the whole-body methods`,
      {
        field: '--method',
        hint: 'use --method merkle or delta with --images, or score the cells and use --counts',
      },
    );
  }
  const method: WholeBodyMethod =
    options.method === 'merkle'
      ? { kind: 'merkle', confYield: levels[0]!, confCurve: levels[1]! }
      : { kind: 'delta', conf: levels[0]! };
  // Merkle's 83%–83% is built to give a 95% dose interval; other pairs are taken at the yield level.
  const conf =
    method.kind === 'merkle'
      ? method.confYield === 0.83 && method.confCurve === 0.83
        ? 0.95
        : method.confYield
      : method.conf;
  const curve = await readCurveFile(options.curve);
  const loaded = await readBundleFile(options.model);
  let cases = await casesOf(options.images);
  if (options.case !== undefined) {
    cases = cases.filter((c) => c.id === options.case);
    if (cases.length === 0) {
      throw new DicentraError(
        'DCN_E_OPTION_INVALID',
        `no case "${options.case}" in ${options.images}`,
        {
          file: options.images,
          field: '--case',
          hint: 'use a sampleId of the dataset (or the folder name)',
        },
      );
    }
  }
  const total = cases.reduce((sum, c) => sum + c.images.length, 0);
  const progress = context.progress('count cells', total);
  let before = 0;
  let current = -1;
  const results = await estimateDosesFromImages({
    loaded,
    curve,
    curvePath: options.curve,
    cases,
    method,
    g: exposure.g,
    conf,
    cacheDir: options.cache ?? null,
    signal: context.signal,
    onProgress: (caseIndex, done) => {
      if (caseIndex !== current) {
        before += current >= 0 ? cases[current]!.images.length : 0;
        current = caseIndex;
      }
      progress.update(before + done);
    },
  });
  progress.finish();
  const document = {
    ok: true,
    curve: options.curve,
    model: options.model,
    images: options.images,
    method: options.method,
    confidence: levels,
    detectorLevel: conf,
    exposure,
    cases: results.map((r) => ({
      id: r.id,
      cells: r.cells,
      distribution: r.distribution,
      table: r.table,
      yield: r.statistical.yield,
      statisticalDose: r.statistical.dose,
      detector: r.detector,
      subEnsembleDoses: r.subEnsembleDoses,
      dose: r.dose,
    })),
  };
  if (options.out) await writeJsonAtomic(options.out, document);
  if (method.kind === 'delta') {
    const calibration = calibrationCurveOf(curve);
    for (const r of results) {
      if (yieldBelowIntercept(calibration, r.table)) context.warn(deltaCollapseWarning(r.id));
    }
  }
  const lines = [
    `${options.method === 'merkle' ? `Merkle ${Math.round(levels[0]! * 100)}%–${Math.round(levels[1]! * 100)}%` : `delta ${Math.round(levels[0]! * 100)}%`} with the detector's spread; curve ${options.curve}, bundle ${options.model}`,
    '',
  ];
  for (const r of results) {
    const s = r.statistical.dose;
    lines.push(
      `${r.id}: ${r.cells} cells, ${r.table.aberrations} dicentrics (yield ${r.table.mean.toFixed(4)})`,
      `  dose ${fmt(r.dose.estimate)} Gy [${fmt(r.dose.lower)}, ${fmt(r.dose.upper)}]  ` +
        `(counting + curve [${fmt(s.lower)}, ${fmt(s.upper)}]; detector sd ${fmt(r.detector.sd)} Gy over ${r.detector.count} sub-ensembles)`,
    );
  }
  if (options.out) lines.push('', `wrote ${options.out}`);
  context.result(lines.join('\n'), document);
}
