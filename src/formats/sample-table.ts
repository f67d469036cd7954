import { DicentraError } from './dicentra-error.js';
import { parseDecimal, readCsvRecords } from './csv-records.js';

export interface SampleInfo {
  readonly sampleId: string;
  readonly doseGy?: number;
}

/** Reads a CSV of `image,sampleId[,doseGy]`: which sample (person, culture) each image came from. */
export async function readSampleTable(path: string): Promise<Map<string, SampleInfo>> {
  const rows = await readCsvRecords(
    path,
    'sample table',
    'the header must be image,sampleId[,doseGy]',
  );
  const samples = new Map<string, SampleInfo>();
  const problems: string[] = [];
  rows.forEach(({ line, cells: row }) => {
    if (!row.image || !row.sampleId) {
      problems.push(`line ${line}: image and sampleId are required`);
      return;
    }
    const dose =
      row.doseGy === undefined || row.doseGy === '' ? undefined : parseDecimal(row.doseGy);
    if (dose !== undefined && !(Number.isFinite(dose) && dose >= 0)) {
      problems.push(`line ${line}: doseGy must be a decimal number ≥ 0, got "${row.doseGy}"`);
      return;
    }
    samples.set(
      row.image,
      dose === undefined ? { sampleId: row.sampleId } : { sampleId: row.sampleId, doseGy: dose },
    );
  });
  if (problems.length > 0) {
    throw new DicentraError(
      'DCN_E_CSV_INVALID',
      `sample table ${path} has ${problems.length} bad row(s):\n  ${problems.join('\n  ')}`,
      {
        file: path,
        hint: 'the header must be image,sampleId[,doseGy]',
      },
    );
  }
  return samples;
}
