import { createHash } from 'node:crypto';
import { readdir, readFile, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assignSplits } from '../../cores/split-assignment.js';
import { cellPoints, cellTruth, type ImageIdentity } from '../../cores/synth/cell-truth.js';
import { generateCell } from '../../cores/synth/generate-cell.js';
import { imageParameters } from '../../cores/synth/image-parameters.js';
import { writeFileAtomic, writeJsonAtomic } from '../../formats/atomic-write.js';
import { writeDatasetFile } from '../../formats/dataset-file.js';
import {
  DATASET_FORMAT_VERSION,
  DEFAULT_CLASSES,
  type Dataset,
  type DatasetImage,
  type Split,
} from '../../formats/dataset.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import {
  TRUTH_FORMAT_VERSION,
  truthSchema,
  type SynthParameters,
  type Truth,
  type TruthImage,
} from '../../formats/truth.js';
import { runSynthPool } from './synth-pool.js';
import type { SynthTask, SynthTaskResult, SynthWorkerData } from './synth-tasks.js';

export type SynthMode = 'train' | 'calibration';

export interface SynthRequest {
  readonly outDir: string;
  readonly seed: number;
  readonly params: SynthParameters;
  readonly mode: SynthMode;
  /** Train mode: number of images. */
  readonly count?: number;
  /** Calibration mode: the doses and the cells per dose. */
  readonly doses?: readonly number[];
  readonly cellsPerDose?: number;
  /** Train mode: doses are drawn uniformly from this range. */
  readonly doseRange: readonly [number, number];
  /** Keep only cells with at least this many dicentrics + fragments. */
  readonly minAberrations: number;
  /** Calibration mode: write points into dataset.json too. */
  readonly labels: boolean;
  readonly splitRatios: { train: number; val: number; test: number };
  readonly threads: number;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SynthSummary {
  readonly images: number;
  readonly rendered: number;
  readonly reused: number;
  readonly dicentric: number;
  readonly fragment: number;
  readonly imagesPerSplit: Record<Split, number>;
  readonly seconds: number;
}

const JOURNAL = '.synth-journal.json';
const TOOL = 'dicentra synth';

interface PlannedImage {
  readonly index: number;
  readonly doseGy?: number;
  readonly identity: ImageIdentity;
}

function doseLabel(dose: number): string {
  return `dose-${String(dose)}`;
}

function planImages(request: SynthRequest): PlannedImage[] {
  const digits = 6;
  const name = (index: number) => `synth-${String(index).padStart(digits, '0')}`;
  if (request.mode === 'calibration') {
    const doses = request.doses ?? [];
    const perDose = request.cellsPerDose ?? 0;
    return doses.flatMap((dose, d) =>
      Array.from({ length: perDose }, (_, k) => {
        const index = d * perDose + k;
        return {
          index,
          doseGy: dose,
          identity: {
            id: name(index),
            path: `images/${name(index)}.png`,
            split: 'none' as const,
            sampleId: doseLabel(dose),
          },
        };
      }),
    );
  }
  const count = request.count ?? 0;
  const ids = Array.from({ length: count }, (_, index) => name(index));
  const splits = assignSplits(ids, request.splitRatios, request.seed);
  return ids.map((id, index) => ({
    index,
    identity: { id, path: `images/${id}.png`, split: splits[index]! },
  }));
}

/** Everything an image's bytes depend on: a run with another key cannot reuse images. */
function generationKey(request: SynthRequest): string {
  const key = {
    seed: request.seed,
    params: request.params,
    mode: request.mode,
    doseRange: request.mode === 'train' ? request.doseRange : null,
    minAberrations: request.mode === 'train' ? request.minAberrations : null,
    doses: request.mode === 'calibration' ? request.doses : null,
    cellsPerDose: request.mode === 'calibration' ? request.cellsPerDose : null,
    toolVersion: request.toolVersion,
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}

interface Journal {
  version: 1;
  key: string;
  images: Record<string, string>;
}

async function readJournal(outDir: string): Promise<Journal | undefined> {
  try {
    const raw = JSON.parse(await readFile(join(outDir, JOURNAL), 'utf8')) as Journal;
    return raw && raw.version === 1 && typeof raw.key === 'string' && raw.images ? raw : undefined;
  } catch {
    return undefined;
  }
}

async function checkOutputFolder(outDir: string): Promise<Journal | undefined> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch {
    return undefined;
  }
  const journal = await readJournal(outDir);
  if (entries.length > 0 && !journal) {
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `--out ${outDir} is not empty and holds no earlier synth run`,
      {
        file: outDir,
        field: '--out',
        hint: 'give an empty or new folder (synth only resumes folders it made itself)',
      },
    );
  }
  return journal;
}

async function sha256OfFile(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return undefined;
  }
}

function workerSetup(request: SynthRequest): SynthWorkerData {
  return {
    seed: request.seed,
    params: request.params,
    doseRange: request.doseRange,
    minAberrations: request.mode === 'train' ? request.minAberrations : 0,
  };
}

/** The truth of an image whose file is already there, from the pure generator (no drawing). */
function truthWithoutRendering(setup: SynthWorkerData, planned: PlannedImage): SynthTaskResult {
  const params = imageParameters(setup.seed, planned.index, setup.params);
  const cell = generateCell(
    setup.seed,
    {
      index: planned.index,
      ...(planned.doseGy !== undefined ? { doseGy: planned.doseGy } : {}),
      doseRange: setup.doseRange,
      minAberrations: setup.minAberrations,
    },
    params,
  );
  return {
    index: planned.index,
    sha256: '',
    truth: cellTruth(cell, planned.identity, params === setup.params ? undefined : params),
    points: cellPoints(cell),
  };
}

/**
 * Generates a synthetic dataset in `outDir`: images/*.png (rendered on worker
 * threads), then truth.json and, last, dataset.json, so an interrupted run
 * never leaves a manifest naming a missing image. A journal of finished
 * images (with their SHA-256) lets a re-run with the same arguments keep
 * every image whose bytes still match and render only the rest.
 */
export async function generateSynthDataset(request: SynthRequest): Promise<SynthSummary> {
  const started = performance.now();
  const outDir = request.outDir;
  const key = generationKey(request);
  const previous = await checkOutputFolder(outDir);
  await mkdir(join(outDir, 'images'), { recursive: true });
  const journal: Journal = { version: 1, key, images: {} };
  if (previous && previous.key !== key) {
    // the old manifests describe images about to be replaced
    await rm(join(outDir, 'dataset.json'), { force: true });
    await rm(join(outDir, 'truth.json'), { force: true });
  }
  await writeJsonAtomic(join(outDir, JOURNAL), journal);
  const planned = planImages(request);
  const setup = workerSetup(request);
  const results = new Map<number, SynthTaskResult>();
  const total = planned.length;

  const tasks: SynthTask[] = [];
  for (const image of planned) {
    const file = join(outDir, image.identity.path);
    const recorded = previous?.key === key ? previous.images[image.identity.id] : undefined;
    if (recorded && (await sha256OfFile(file)) === recorded) {
      results.set(image.index, { ...truthWithoutRendering(setup, image), sha256: recorded });
      journal.images[image.identity.id] = recorded;
    } else {
      tasks.push({
        index: image.index,
        ...(image.doseGy !== undefined ? { doseGy: image.doseGy } : {}),
        identity: image.identity,
        file,
      });
    }
  }
  const reused = results.size;
  request.onProgress?.(results.size, total);

  let lastSaved = Date.now();
  let saving: Promise<void> = Promise.resolve();
  const saveJournal = () => {
    // sorted, so the journal is the same bytes whatever order the threads finished in
    const images = Object.fromEntries(
      Object.entries(journal.images).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const snapshot = JSON.stringify({ ...journal, images }, null, 1) + '\n';
    saving = saving.then(() => writeFileAtomic(join(outDir, JOURNAL), snapshot));
    return saving;
  };
  const outcome = await runSynthPool(
    tasks,
    request.threads,
    setup,
    (result) => {
      results.set(result.index, result);
      journal.images[result.truth.id] = result.sha256;
      request.onProgress?.(results.size, total);
      if (Date.now() - lastSaved > 2000) {
        lastSaved = Date.now();
        void saveJournal();
      }
    },
    request.signal,
  );
  await saveJournal();
  if (outcome.interrupted || request.signal?.aborted) {
    throw new DicentraError(
      'DCN_E_INTERRUPTED',
      `interrupted after ${results.size} of ${total} images`,
      {
        file: outDir,
        hint: 'run the same command again: finished images are verified and kept',
      },
    );
  }

  const ordered = planned.map((image) => results.get(image.index)!);
  const withPoints = request.mode === 'train' || request.labels;
  const images: DatasetImage[] = ordered.map(({ truth, points }) => ({
    id: truth.id,
    path: truth.path,
    width: truth.width,
    height: truth.height,
    split: truth.split,
    ...(truth.sampleId ? { sampleId: truth.sampleId } : {}),
    doseGy: truth.doseGy,
    ...(withPoints ? { points } : {}),
  }));
  const plan = {
    mode: request.mode,
    ...(request.mode === 'train'
      ? {
          count: request.count,
          doseRangeGy: request.doseRange,
          minAberrations: request.minAberrations,
          splitRatios: request.splitRatios,
        }
      : { dosesGy: request.doses, cellsPerDose: request.cellsPerDose, labels: request.labels }),
  };
  const truthImages: TruthImage[] = ordered.map((r) => r.truth);
  const dicentric = truthImages.reduce((sum, t) => sum + t.counts.dicentric, 0);
  const fragment = truthImages.reduce((sum, t) => sum + t.counts.fragment, 0);
  const truth: Truth = {
    version: TRUTH_FORMAT_VERSION,
    tool: TOOL,
    toolVersion: request.toolVersion,
    seed: request.seed,
    mode: request.mode,
    parameters: request.params,
    plan,
    counts: { images: truthImages.length, dicentric, fragment },
    images: truthImages,
  };
  const dataset: Dataset = {
    version: DATASET_FORMAT_VERSION,
    classes: [...DEFAULT_CLASSES],
    images,
    provenance: {
      tool: TOOL,
      toolVersion: request.toolVersion,
      seed: request.seed,
      parameters: { ...plan, generator: request.params, truth: 'truth.json' },
    },
  };
  // compact: a large set's full geometry is tens of megabytes
  await writeFileAtomic(
    join(outDir, 'truth.json'),
    JSON.stringify(truthSchema.parse(truth)) + '\n',
  );
  await writeDatasetFile(join(outDir, 'dataset.json'), dataset);

  const imagesPerSplit: Record<Split, number> = { train: 0, val: 0, test: 0, none: 0 };
  for (const image of images) imagesPerSplit[image.split]++;
  return {
    images: images.length,
    rendered: images.length - reused,
    reused,
    dicentric,
    fragment,
    imagesPerSplit,
    seconds: (performance.now() - started) / 1000,
  };
}
