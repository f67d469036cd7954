/**
 * Runs every benchmark in this folder (files named NAME.bench.ts, compiled to
 * dist/bench/NAME.bench.js), one after another, each printing its own figures.
 * `npm run bench [-- NAME ...]` runs all or the named ones.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const folder = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2).filter((arg) => arg !== '--');
const files = (await readdir(folder))
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => wanted.length === 0 || wanted.includes(name.replace('.bench.js', '')))
  .sort();
if (files.length === 0) console.error('no benchmark matched');
for (const file of files) {
  console.log(`\n## ${file.replace('.bench.js', '')}`);
  await import(pathToFileURL(join(folder, file)).href);
}
