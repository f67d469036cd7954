import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
/** Reference data copied into the repository (see test/fixtures/refs/README.md). */
export const REFS = join(FIXTURES, 'refs');

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `dicentra-${prefix}-`));
}
