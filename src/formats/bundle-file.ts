import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BUNDLE_FORMAT_MAJOR, bundleSchema, type Bundle, type BundleMember } from './bundle.js';
import { DicentraError } from './dicentra-error.js';
import { parseJsonText, readTextFile } from './json-file.js';
import { ensureRegularFile } from './regular-file.js';

/** A bundle as loaded: its parsed content, where it lives, and the hash of its bytes. */
export interface LoadedBundle {
  readonly bundle: Bundle;
  /** The bundle.json read (inside the folder when a folder was given). */
  readonly path: string;
  /** The folder member files are relative to. */
  readonly folder: string;
  /** sha256 of the bundle.json bytes. */
  readonly sha256: string;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bundle file a `--model` path names: the path itself, or bundle.json inside a folder (a run folder). */
export async function bundleFilePath(path: string): Promise<string> {
  const isFolder = await stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
  return isFolder ? join(path, 'bundle.json') : path;
}

/**
 * Reads and schema-checks a bundle.json (given, or inside the given folder): refuses other major versions, classes
 * listed twice, members sharing an epoch, and a bundle without members.
 * Member files are not opened here (see verifyBundleMembers).
 */
export async function readBundleFile(given: string): Promise<LoadedBundle> {
  const path = await bundleFilePath(given);
  const text = await readTextFile(path, 'bundle');
  const bundle = parseJsonText(text, path, {
    what: 'bundle',
    major: BUNDLE_FORMAT_MAJOR,
    schema: bundleSchema,
  });
  if (new Set(bundle.classes).size !== bundle.classes.length) {
    throw new DicentraError('DCN_E_SCHEMA_INVALID', `bundle ${path} lists a class twice`, {
      file: path,
      field: 'classes',
      hint: 'each class appears once, in heatmap channel order',
    });
  }
  const epochs = bundle.members.map((member) => member.epoch);
  if (new Set(epochs).size !== epochs.length) {
    throw new DicentraError(
      'DCN_E_SCHEMA_INVALID',
      `bundle ${path} has two members with one epoch`,
      {
        file: path,
        field: 'members',
        hint: 'each member is the checkpoint of a distinct epoch',
      },
    );
  }
  if (bundle.members.length === 0) {
    throw new DicentraError('DCN_E_SCHEMA_INVALID', `bundle ${path} has no members`, {
      file: path,
      field: 'members',
      hint: 'train with enough epochs to pass the warm-up, so checkpoints are exported',
    });
  }
  return { bundle, path, folder: dirname(resolve(path)), sha256: sha256Hex(text) };
}

export function memberPath(loaded: LoadedBundle, member: BundleMember): string {
  return resolve(loaded.folder, member.file);
}

/**
 * Checks that every given member file exists and hashes to its recorded sha256,
 * so a swapped or corrupted checkpoint never votes. Returns the file bytes.
 */
export async function verifyBundleMembers(
  loaded: LoadedBundle,
  members: readonly BundleMember[],
): Promise<Uint8Array[]> {
  const bytes: Uint8Array[] = [];
  for (const member of members) {
    const file = memberPath(loaded, member);
    const field = `members[${loaded.bundle.members.indexOf(member)}]`;
    let data: Uint8Array;
    try {
      await ensureRegularFile(file, 'member file');
      data = await readFile(file);
    } catch (error) {
      throw new DicentraError(
        'DCN_E_BUNDLE_MEMBER_MISSING',
        `member epoch ${member.epoch} of bundle ${loaded.path} cannot be read: ${(error as Error).message}`,
        {
          file: loaded.path,
          field: `${field}.file`,
          hint: 'copy the whole bundle folder (bundle.json with its members/) or re-export it',
          cause: error,
        },
      );
    }
    const actual = sha256Hex(data);
    if (actual !== member.sha256) {
      throw new DicentraError(
        'DCN_E_BUNDLE_TAMPERED',
        `member epoch ${member.epoch} of bundle ${loaded.path} does not match its recorded sha256 ` +
          `(file ${file} hashes to ${actual.slice(0, 12)}…, bundle says ${member.sha256.slice(0, 12)}…)`,
        {
          file: loaded.path,
          field: `${field}.sha256`,
          hint: 'the checkpoint was modified or replaced; restore the original bundle folder or retrain',
        },
      );
    }
    bytes.push(data);
  }
  return bytes;
}
