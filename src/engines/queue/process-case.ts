import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readBundleFile } from '../../formats/bundle-file.js';
import type { CaseJobData, CaseJobResult } from '../../formats/case-job.js';
import { writeDetectionsFile } from '../../formats/detections-file.js';
import { DicentraError } from '../../formats/dicentra-error.js';
import { writeDoseResultFile } from '../../formats/dose-result.js';
import type { Provenance } from '../../formats/provenance.js';
import { chooseDetector } from '../detect/choose-detector.js';
import { detectImages } from '../detect/detect-images.js';
import { countDetections } from '../dosimetry/count-detections.js';
import { estimateDose } from '../dosimetry/estimate-dose.js';
import { readCaseImages } from '../import/case-images.js';

/** The files a case job writes into its case folder (the names a person looks for). */
export const CASE_OUTPUTS = {
  detections: 'detections.json',
  counts: 'counts.csv',
  dose: 'dose.json',
} as const;

export interface ProcessCaseRequest {
  readonly data: CaseJobData;
  /**
   * The `createdAt` recorded in the case's files: the job's submission time, so
   * that a retried or re-picked job writes byte-identical files.
   */
  readonly createdAt: string;
  readonly toolVersion: string;
  /** Inference threads in all (0: one per core). */
  readonly threads: number;
  readonly signal: AbortSignal;
  onProgress(done: number, total: number): void;
  log(line: string): void;
}

/** The case's images as `detect --images` takes them: its dataset.json when it has one, else the folder. */
export function caseImagesSource(caseDir: string): string {
  const dataset = join(caseDir, 'dataset.json');
  return existsSync(dataset) ? dataset : caseDir;
}

const stamped = (provenance: Provenance | undefined, createdAt: string) =>
  provenance ? { provenance: { ...provenance, createdAt } } : {};

/**
 * One case, as the single-machine commands do it:
 *   detect --model M [--curve C | --members/--tc/--ta] --images CASE --out CASE/detections.json
 *   counts --detections CASE/detections.json --out CASE/counts.csv
 *   dose --curve C --counts CASE/counts.csv --method … --out CASE/dose.json   (with a curve)
 * Each file is written atomically. A case with unreadable images keeps its
 * detections.json (listing them, as detect does) and fails with DCN_E_IMAGES_FAILED.
 */
export async function processCase(request: ProcessCaseRequest): Promise<CaseJobResult> {
  const { data, createdAt } = request;
  const outputs = {
    detections: join(data.caseDir, CASE_OUTPUTS.detections),
    counts: join(data.caseDir, CASE_OUTPUTS.counts),
    ...(data.curve ? { dose: join(data.caseDir, CASE_OUTPUTS.dose) } : {}),
  };
  const loaded = await readBundleFile(data.model);
  const detector = await chooseDetector(data, loaded, request.log);
  const images = await readCaseImages(caseImagesSource(data.caseDir));
  const { detections } = await detectImages({
    loaded,
    ...detector,
    images,
    cacheDir: join(data.caseDir, 'heatmap-cache'),
    outPath: outputs.detections,
    toolVersion: request.toolVersion,
    signal: request.signal,
    threads: request.threads,
    onProgress: (done, total) => request.onProgress(done, total),
  });
  await writeDetectionsFile(outputs.detections, {
    ...detections,
    ...stamped(detections.provenance, createdAt),
  });
  if (detections.errors.length > 0) {
    const first = detections.errors[0]!;
    throw new DicentraError(
      'DCN_E_IMAGES_FAILED',
      `${detections.errors.length} of ${images.length} images of ${data.caseDir} could not be read (first: ${first.path}: ${first.message}); ${outputs.detections} lists them`,
      { file: first.path, hint: 'fix or remove the listed images and submit the case again' },
    );
  }
  const counted = await countDetections({
    detections: outputs.detections,
    out: outputs.counts,
    warn: request.log,
  });
  const doses = new Map<string, CaseJobResult['cases'][number]['dose']>();
  if (outputs.dose) {
    const result = await estimateDose({
      curvePath: data.curve!,
      source: { kind: 'counts', counts: outputs.counts },
      method: data.method ?? { kind: 'merkle', confYield: 0.83, confCurve: 0.83 },
      exposure: { kind: 'acute' },
      toolVersion: request.toolVersion,
      signal: request.signal,
      warn: request.log,
    });
    await writeDoseResultFile(outputs.dose, {
      ...result,
      ...stamped(result.provenance, createdAt),
    });
    for (const entry of result.cases) {
      if ('dose' in entry) doses.set(entry.id, { method: result.method, ...entry.dose });
    }
  }
  return {
    caseDir: data.caseDir,
    cases: counted.cases.map((row) => {
      const cells = counted.cells.filter((cell) => cell.caseId === row.id);
      const dose = doses.get(row.id);
      return {
        id: row.id,
        cells: cells.length,
        aberrations: row.distribution.reduce((sum, n, k) => sum + n * k, 0),
        detections: Object.fromEntries(
          counted.classes.map((name) => [
            name,
            cells.reduce((sum, cell) => sum + (cell.counts[name] ?? 0), 0),
          ]),
        ),
        ...(dose ? { dose } : {}),
      };
    }),
    outputs,
  };
}
