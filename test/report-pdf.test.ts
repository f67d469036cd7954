/**
 * `dicentra report --pdf`: Chromium prints the report, and the PDF's text
 * carries every field of the report. The text is read back here without any
 * PDF library: Chromium (Skia) writes each font as Type0/Identity-H with a
 * ToUnicode map, and its text as hex glyph strings after `/Fn size Tf`, so the
 * glyphs map back to characters through each font's ToUnicode table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { makeTempDir } from './support/paths.js';
import { fitReferenceCurve } from './support/reference-curve.js';
import { runCli } from './support/run-cli.js';
import { example1Detections } from './report-case-fixture.js';

interface PdfObject {
  readonly dict: string;
  readonly stream: Buffer | null;
}

function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  for (const match of text.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const body = match[2]!;
    const at = body.search(/stream\r?\n/);
    if (at < 0) {
      objects.set(Number(match[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, at);
    const start = at + body.slice(at).indexOf('\n') + 1;
    const raw = Buffer.from(body.slice(start, body.lastIndexOf('endstream')), 'latin1');
    const stream = /\/FlateDecode/.test(dict) ? inflateSync(raw, { finishFlush: 2 }) : raw;
    objects.set(Number(match[1]), { dict, stream });
  }
  return objects;
}

/** Glyph id (hex) → text, from a ToUnicode CMap's bfchar and bfrange entries. */
function toUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const utf16 = (hex: string) =>
    String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)));
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, from, to] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
      map.set(parseInt(from!, 16), utf16(to!));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, low, high, to] of block[1]!.matchAll(
      /<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g,
    )) {
      const first = parseInt(to!, 16);
      for (let g = parseInt(low!, 16); g <= parseInt(high!, 16); g++)
        map.set(g, String.fromCharCode(first + g - parseInt(low!, 16)));
    }
  }
  return map;
}

function pdfText(pdf: Buffer): string {
  const objects = pdfObjects(pdf);
  const fonts = new Map<string, Map<number, string>>();
  for (const { dict } of objects.values()) {
    for (const [, name, id] of dict.matchAll(/\/(F\d+)\s+(\d+)\s+0\s+R/g)) {
      const font = objects.get(Number(id));
      const cmapId = /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(font?.dict ?? '')?.[1];
      const cmap = cmapId ? objects.get(Number(cmapId))?.stream : null;
      if (cmap) fonts.set(name!, toUnicode(cmap.toString('latin1')));
    }
  }
  let text = '';
  for (const { stream } of objects.values()) {
    if (!stream) continue;
    const content = stream.toString('latin1');
    if (!/\sTf\b/.test(content)) continue;
    let font: Map<number, string> | undefined;
    for (const [, name, hex, end] of content.matchAll(
      /\/(F\d+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\b(ET)\b/g,
    )) {
      if (name) font = fonts.get(name);
      else if (end) text += '\n';
      else if (hex !== undefined && font) {
        for (const glyph of hex.match(/.{4}/g) ?? []) text += font.get(parseInt(glyph, 16)) ?? '';
      }
    }
  }
  return text;
}

test('the PDF report carries every field of the case report', async () => {
  const dir = await makeTempDir('report-pdf');
  // the laboratory's irradiation conditions (test values), kept in curve.json for the report
  const irradiation = join(dir, 'irradiation.json');
  await writeFile(
    irradiation,
    JSON.stringify({
      source: 'Test calibration T-1',
      radiationQuality: 'X-rays 250 kVp',
      doseRateGyPerMin: 0.5,
      temperatureC: 37,
      conditions: 'whole blood in tubes',
      dosimetry: 'ionisation chamber',
      irradiationDate: '2026-01-15',
    }),
  );
  await fitReferenceCurve(dir, ['--irradiation', irradiation]);
  await writeFile(join(dir, 'detections.json'), JSON.stringify(example1Detections().file));
  const pdf = join(dir, 'report.pdf');
  const run = await runCli([
    ...['report', '--case', dir, '--out', join(dir, 'report.html'), '--pdf', pdf],
    ...['--case-id', 'C-0017', '--sample-id', 'S-0017-A', '--laboratory', 'Reference Lab'],
    ...['--sampling-date', '2026-11-02', '--analysis-date', '2026-11-20', '--quiet'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const bytes = await readFile(pdf);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  // Chromium places words by their own glyph runs and sets ligatures (ﬁ, ﬃ):
  // compare without white space, ligatures decomposed (NFKC)
  const plain = (text: string) => text.normalize('NFKC').replace(/\s+/g, '');
  const text = plain(pdfText(bytes));
  const fields = [
    ...[
      'Case id (coded)',
      'C-0017',
      'Sample id (coded)',
      'S-0017-A',
      'Laboratory',
      'Reference Lab',
    ],
    ...[
      'Sampling date',
      '2026-11-02',
      'Irradiation date',
      'not known',
      'Analysis date',
      '2026-11-20',
    ],
    ...['Report date', 'Cells scored', '361', 'Cells excluded', 'Dicentrics', '100'],
    ...['Fragments (acentric)', 'Detections reviewed: no', 'Dispersion index', '1.77', 'u = 10.4'],
    ...[
      'C0',
      'C1',
      'C2',
      'C3',
      'C4',
      '302',
      'Counting rule',
      'Coefficients',
      'α (Gy⁻¹)',
      'β (Gy⁻²)',
    ],
    ...['Source of the calibration', 'Test calibration T-1', 'Radiation quality', 'X-rays 250 kVp'],
    ...['Dose rate', '0.5 Gy/min', 'Irradiation temperature', '37 °C', 'whole blood in tubes'],
    ...['Dosimetry of the calibration', 'ionisation chamber', '2026-01-15'],
    ...['Method: Merkle', 'Yield'],
    ...['Dose (Gy)', '1.931', 'It does not carry the detector', 'Triage category (ISO 21243)'],
    ...['Decision threshold y_d', 'Detection limit y_z', 'Minimum resolvable dose'],
    ...['Software', 'dicentra', 'Model bundle', 'demo', 'ab'.repeat(32), 'Signatures'],
    ...['Scorer', 'Reviewer', 'Authorised by'],
  ];
  const missing = fields.filter((field) => !text.includes(plain(field)));
  assert.deepEqual(missing, [], `the PDF's text lacks: ${missing.join(' | ')}`);
  // and the reading can fail: this case is above its decision threshold
  assert.ok(!text.includes(plain('BELOW THE DECISION THRESHOLD')));
});
