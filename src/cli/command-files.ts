import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DicentraError } from '../formats/dicentra-error.js';

/**
 * The files a command reads and writes, each under the option that names it.
 * Every command that writes declares them before it reads or writes anything,
 * so no output can replace an input or another output.
 */
export interface CommandFiles {
  /** Files or folders read; a list where one option stands for many files (a folder's images). */
  readonly inputs?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Files written. */
  readonly outputFiles?: Readonly<Record<string, string | undefined>>;
  /** Folders written into (made when missing). */
  readonly outputFolders?: Readonly<Record<string, string | undefined>>;
}

/** The absolute path with links resolved: of the file itself, else of its nearest existing folder. */
async function canonicalPath(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await canonicalPath(parent), basename(absolute));
  }
}

function refuse(message: string, option: string, path: string, hint: string): never {
  throw new DicentraError('DCN_E_OUTPUT_PATH', message, { file: path, field: option, hint });
}

/**
 * Refuses, before any work, an output that resolves to an input or to another
 * output, a file output that is an existing folder, and a folder output that
 * is an existing file.
 */
export async function checkCommandFiles(files: CommandFiles): Promise<void> {
  const read = new Map<string, { option: string; path: string }>();
  for (const [option, given] of Object.entries(files.inputs ?? {})) {
    for (const path of given === undefined ? [] : typeof given === 'string' ? [given] : given) {
      const key = await canonicalPath(path);
      if (!read.has(key)) read.set(key, { option, path });
    }
  }
  const outputs = [
    ...Object.entries(files.outputFiles ?? {}).map(([option, path]) => ({
      option,
      path,
      folder: false,
    })),
    ...Object.entries(files.outputFolders ?? {}).map(([option, path]) => ({
      option,
      path,
      folder: true,
    })),
  ];
  const written = new Map<string, string>();
  for (const { option, path, folder } of outputs) {
    if (path === undefined) continue;
    const info = await stat(path).catch(() => null);
    if (info && folder && !info.isDirectory()) {
      refuse(
        `${option} ${path} is a file; ${option} names the folder to write into`,
        option,
        path,
        `give ${option} a new or existing folder`,
      );
    }
    if (info && !folder && info.isDirectory()) {
      refuse(
        `${option} ${path} is a folder; ${option} names the file to write`,
        option,
        path,
        `give ${option} a file name, e.g. ${join(path, 'out.json')}`,
      );
    }
    const key = await canonicalPath(path);
    const input = read.get(key);
    if (input) {
      refuse(
        `${option} ${path} is the input ${input.option}${input.path === path ? '' : ` (${input.path})`}: writing it would destroy that input`,
        option,
        path,
        `give ${option} another path`,
      );
    }
    const other = written.get(key);
    if (other) {
      refuse(
        `${option} ${path} is also the path of ${other}: one output would overwrite the other`,
        option,
        path,
        `give ${option} and ${other} different paths`,
      );
    }
    written.set(key, option);
  }
}
