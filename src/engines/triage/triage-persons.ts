import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readBundleFile } from '../../formats/bundle-file.js';
import { readCurveFile } from '../../formats/curve-file.js';
import { DicentraError, isDicentraError } from '../../formats/dicentra-error.js';
import { provenanceNow } from '../../formats/provenance.js';
import {
  TRIAGE_RESULT_FORMAT_VERSION,
  writeTriageResultFile,
  type TriagePerson,
  type TriageResult,
} from '../../formats/triage-result.js';
import { SeededRandom } from '../../cores/seeded-random.js';
import { cellDistribution } from '../../cores/dosimetry/cell-counts.js';
import {
  TriageScoring,
  triagePlan,
  type TriagePlan,
  type TriageRule,
} from '../../cores/triage/triage-rule.js';
import { categoryLabel } from '../../cores/triage/category-label.js';
import {
  imageCellCounts,
  primaryDetectorOfCurve,
  type DetectorFamily,
} from '../detect/image-detectors.js';
import { listImageFiles, imageIdOf } from '../import/image-folder.js';
import { forEachImageStacks, type HeatmapImage } from '../inference/member-heatmaps.js';
import type { LoadedBundle } from '../../formats/bundle-file.js';
import type { CurveDetector } from '../../formats/curve-detector.js';
import { calibrationCurveOf } from '../dosimetry/curve-record.js';
import { estimateCaseDose } from '../dosimetry/case-dose.js';

export interface TriageRequest {
  readonly curvePath: string;
  readonly model: string;
  /** A folder of per-person folders (or of one person's images). */
  readonly images: string;
  readonly cacheDir: string | null;
  readonly rule: TriageRule;
  readonly seed: number;
  readonly out?: string;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  warn(message: string): void;
}

interface Person {
  readonly id: string;
  readonly images: HeatmapImage[];
}

/** The persons of `--images`: each sub-folder is one; a folder of images only is one person. */
async function readPersons(folder: string): Promise<Person[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    throw new DicentraError('DCN_E_FILE_NOT_FOUND', `--images ${folder} cannot be read`, {
      file: folder,
      field: '--images',
      hint: 'give a folder holding one folder of images per person',
      cause: error,
    });
  });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const personFolder = async (id: string, path: string): Promise<Person> => ({
    id,
    images: (await listImageFiles(path)).map((name) => ({
      id: imageIdOf(name),
      file: resolve(path, name),
    })),
  });
  if (folders.length === 0) return [await personFolder(basename(resolve(folder)), folder)];
  return Promise.all(folders.map((name) => personFolder(name, join(folder, name))));
}

/** The person's own stream of the seed: the order of one person never depends on the others. */
function personStream(id: string): number {
  return createHash('sha256').update(id).digest().readInt32LE(0);
}

/** The primary ensemble of the curve as a one-detector family: only its members run. */
function primaryFamily(
  loaded: LoadedBundle,
  curvePath: string,
  detector: CurveDetector,
): DetectorFamily {
  const primary = primaryDetectorOfCurve(detector, loaded.bundle, loaded.sha256, {
    curve: curvePath,
    bundle: loaded.path,
  });
  return {
    classes: loaded.bundle.classes,
    members: primary.members,
    memberTc: primary.memberTc,
    detectors: [{ members: primary.members.map((_, j) => j), ta: primary.ta }],
    rule: detector.counting,
  };
}

/**
 * Scores one person's cells in a seeded random order, one image at a time,
 * until the rule stops: the network never runs on the cells after the stop.
 */
async function triagePerson(
  person: Person,
  context: {
    readonly request: TriageRequest;
    readonly plan: TriagePlan;
    readonly loaded: LoadedBundle;
    readonly family: DetectorFamily;
    onCell(): void;
  },
): Promise<{
  outcome: ReturnType<TriageScoring['outcome']>;
  counts: number[];
  unreadable: number;
}> {
  const { request, plan } = context;
  const order = new SeededRandom(request.seed, personStream(person.id))
    .shuffle(person.images)
    .slice(0, plan.rule.maxCells);
  const scoring = new TriageScoring(plan);
  const counts: number[] = [];
  let unreadable = 0;
  const stop = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
  try {
    await forEachImageStacks(
      {
        loaded: context.loaded,
        members: context.family.members,
        images: order,
        cacheDir: request.cacheDir,
        signal,
        onUnreadable: (index, error) => {
          unreadable++;
          request.warn(`${person.id}: ${order[index]!.file} is not scored: ${error.message}`);
          context.onCell();
        },
      },
      (_, stacks) => {
        const count = imageCellCounts(context.family, stacks)[0]!;
        counts.push(count);
        context.onCell();
        if (scoring.add(count)) stop.abort();
      },
    );
  } catch (error) {
    const stoppedHere = stop.signal.aborted && !request.signal?.aborted;
    if (!(stoppedHere && isDicentraError(error) && error.code === 'DCN_E_INTERRUPTED')) throw error;
  }
  return { outcome: scoring.outcome(), counts, unreadable };
}

/**
 * `dicentra triage`: each person's care category from as few cells as the
 * rule needs (docs/triage.md), counted by the calibrated curve's primary
 * ensemble exactly as `detect --curve` then `counts` would; persons sorted by
 * the dose estimate, highest first. Writes `out` if given.
 */
export async function triagePersons(request: TriageRequest): Promise<TriageResult> {
  const curveFile = await readCurveFile(request.curvePath);
  const detector = curveFile.detector;
  if (!detector) {
    throw new DicentraError(
      'DCN_E_CURVE_MISMATCH',
      `curve ${request.curvePath} was not calibrated from images, so it does not say how to count them`,
      {
        file: request.curvePath,
        field: 'detector',
        hint: 'use a curve from `dicentra calibrate` with the same bundle',
      },
    );
  }
  const loaded = await readBundleFile(request.model);
  const family = primaryFamily(loaded, request.curvePath, detector);
  const curve = calibrationCurveOf(curveFile);
  const plan = triagePlan(curve, request.rule);
  const persons = await readPersons(request.images);
  /** The full estimate (--cells): Merkle 83%–83% as `dicentra dose`; none where the band cannot reach it. */
  const merkleDose = (id: string, distribution: number[]) => {
    const merkle = { kind: 'merkle', confYield: 0.83, confCurve: 0.83 } as const;
    try {
      return estimateCaseDose(curve, { id, distribution }, merkle, 1, request.curvePath).estimate
        .dose;
    } catch (error) {
      if (!(isDicentraError(error) && error.code === 'DCN_E_CURVE_NOT_INVERTIBLE')) throw error;
      request.warn(`${id}: no Merkle estimate: ${error.message}`);
      return undefined;
    }
  };
  let total = persons.reduce((sum, p) => sum + Math.min(p.images.length, plan.rule.maxCells), 0);
  let done = 0;
  const results: TriagePerson[] = [];
  for (const person of persons) {
    const planned = Math.min(person.images.length, plan.rule.maxCells);
    const before = done;
    const { outcome, counts, unreadable } = await triagePerson(person, {
      request,
      plan,
      loaded,
      family,
      onCell: () => request.onProgress?.(++done, total),
    });
    total -= planned - (done - before);
    request.onProgress?.(done, total);
    if (!outcome) {
      throw new DicentraError('DCN_E_NO_IMAGES', `no image of person ${person.id} could be read`, {
        file: join(request.images, person.id),
        hint: 'check the person’s images (see the warnings above)',
      });
    }
    const { look, stop } = outcome;
    const distribution = cellDistribution(counts);
    const merkle = request.rule.sequential ? undefined : merkleDose(person.id, distribution);
    const category = look.resolvedCategory ?? look.category;
    results.push({
      id: person.id,
      category,
      label: categoryLabel(category, plan.rule.thresholds),
      resolved: look.resolvedCategory !== null,
      stop,
      cells: look.cells,
      aberrations: look.aberrations,
      available: person.images.length,
      unreadable,
      distribution,
      yield: look.yield,
      dose: { ...look.dose, upper: Number.isFinite(look.dose.upper) ? look.dose.upper : null },
      ...(merkle ? { merkleDose: merkle } : {}),
    });
  }
  results.sort((a, b) => b.dose.estimate - a.dose.estimate || a.id.localeCompare(b.id));
  const { rule } = plan;
  const result: TriageResult = {
    version: TRIAGE_RESULT_FORMAT_VERSION,
    curve: request.curvePath,
    model: loaded.path,
    bundleSha256: loaded.sha256,
    images: request.images,
    seed: request.seed,
    rule: {
      thresholds: [...rule.thresholds],
      alpha: rule.alpha,
      alphaYield: plan.split.alphaYield,
      confCurve: plan.split.confCurve,
      maxCells: rule.maxCells,
      maxAberrations: Number.isFinite(rule.maxAberrations) ? rule.maxAberrations : null,
      sequential: rule.sequential,
      mixture: { ...rule.mixture },
    },
    persons: results,
    provenance: provenanceNow('dicentra triage', request.toolVersion, {
      source: request.images,
      seed: request.seed,
    }),
  };
  if (request.out) await writeTriageResultFile(request.out, result);
  return result;
}
