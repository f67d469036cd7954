import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DicentraError } from '../../formats/dicentra-error.js';

/** The worker package's folder (python/ at the package root), put on PYTHONPATH. */
export const WORKER_PYTHONPATH = fileURLToPath(new URL('../../../../python', import.meta.url));

/** Debian's interpreter first: PyTorch comes from apt there (python3-torch). */
const DEFAULT_CANDIDATES = ['/usr/bin/python3', 'python3'];

export const PYTHON_INSTALL_HINT =
  'install PyTorch for Python 3: `sudo apt-get install python3-torch python3-numpy python3-pil` ' +
  '(Debian/Ubuntu) or `python3 -m pip install torch numpy pillow`; or point DICENTRA_PYTHON at a ' +
  'Python that has them';

/** Looks the packages up without importing them (importing torch takes seconds). */
const PROBE =
  'import importlib.util as u, sys; ' +
  "sys.exit(0 if all(u.find_spec(m) for m in ('torch', 'numpy', 'PIL')) else 1)";

function hasTorch(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE], { timeout: 60_000 }, (error) => resolve(!error));
  });
}

/**
 * Finds a Python that imports torch, numpy and PIL: DICENTRA_PYTHON when set
 * (and then only it), else /usr/bin/python3, else python3 on the PATH.
 */
export async function findTrainingPython(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ python: string }> {
  const chosen = env.DICENTRA_PYTHON;
  const candidates = chosen ? [chosen] : DEFAULT_CANDIDATES;
  for (const python of candidates) {
    if (await hasTorch(python)) return { python };
  }
  throw new DicentraError(
    'DCN_E_PYTHON_MISSING',
    chosen
      ? `DICENTRA_PYTHON=${chosen} cannot run, or cannot import torch, numpy and PIL`
      : `no Python with PyTorch found (tried ${candidates.join(', ')})`,
    { field: chosen ? 'DICENTRA_PYTHON' : undefined, hint: PYTHON_INSTALL_HINT },
  );
}
