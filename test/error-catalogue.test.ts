import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCatalogue } from '../src/formats/error-catalogue.js';
import { REPO_ROOT } from './support/paths.js';

/** Rows of the table in docs/errors.md: | `CODE` | exit | summary | */
async function documentedCodes(): Promise<Map<string, { exit: number; summary: string }>> {
  const text = await readFile(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  const rows = new Map<string, { exit: number; summary: string }>();
  for (const match of text.matchAll(
    /^\|\s*`(DCN_E_[A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|\s*(.+?)\s*\|\s*$/gm,
  )) {
    rows.set(match[1]!, { exit: Number(match[2]), summary: match[3]! });
  }
  return rows;
}

test('every catalogued error code is documented with the same exit code and summary', async () => {
  const documented = await documentedCodes();
  for (const [code, entry] of Object.entries(errorCatalogue)) {
    const row = documented.get(code);
    assert.ok(row, `${code} is missing from docs/errors.md`);
    assert.equal(row.exit, entry.exit, `${code}: exit code differs between catalogue and docs`);
    assert.equal(row.summary, entry.summary, `${code}: summary differs between catalogue and docs`);
  }
});

test('docs/errors.md documents no code the catalogue lacks', async () => {
  const documented = await documentedCodes();
  const extra = [...documented.keys()].filter((code) => !(code in errorCatalogue));
  assert.deepEqual(extra, []);
});

test('error codes follow the DCN_E_ naming and exit codes follow the CLI contract', () => {
  for (const [code, entry] of Object.entries(errorCatalogue)) {
    assert.match(code, /^DCN_E_[A-Z0-9_]+$/);
    assert.ok([1, 2, 3, 4, 130].includes(entry.exit), `${code} has exit ${entry.exit}`);
  }
});
