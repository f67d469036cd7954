import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { writeJsonAtomic } from './atomic-write.js';
import { DicentraError, type ProblemDetail } from './dicentra-error.js';
import { ensureRegularFile } from './regular-file.js';

/** Reads a file as text, turning missing/unreadable files into catalogued errors. */
export async function readTextFile(path: string, what: string): Promise<string> {
  await ensureRegularFile(path, what);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DicentraError('DCN_E_FILE_NOT_FOUND', `${what} ${path} does not exist`, {
        file: path,
        hint: 'check the path',
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new DicentraError(
        'DCN_E_FILE_READ',
        `${what} ${path} is a folder; a ${what} file is expected`,
        { file: path, hint: `give the path of the ${what} file itself`, cause: error },
      );
    }
    throw new DicentraError('DCN_E_FILE_READ', `${what} ${path} could not be read`, {
      file: path,
      hint: 'check the file permissions',
      cause: error,
    });
  }
}

/** Renders a zod issue path the way docs and messages show JSON paths: `images[3].points`. */
function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  );
}

export function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DicentraError(
      'DCN_E_JSON_INVALID',
      `${what} ${file} is not valid JSON: ${(error as Error).message}`,
      {
        file,
        hint: 'fix the JSON syntax (a JSON linter shows the line)',
      },
    );
  }
}

/** Whether `path` ends at a key its parent object lacks (zod then says "received undefined"). */
function isMissing(raw: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent = raw;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  return (
    typeof parent === 'object' &&
    parent !== null &&
    !Array.isArray(parent) &&
    !Object.hasOwn(parent, path[path.length - 1]!)
  );
}

/** Validates `raw` with `schema`, reporting every schema problem at once with its JSON path. */
export function validateWithSchema<T extends z.ZodTypeAny>(
  raw: unknown,
  schema: T,
  file: string,
  what: string,
): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems: ProblemDetail[] = result.error.issues.map((issue) => {
    const field = jsonPath(issue.path);
    return {
      code: 'DCN_E_SCHEMA_INVALID',
      file,
      field,
      message: isMissing(raw, issue.path) ? `missing required field \`${field}\`` : issue.message,
    };
  });
  const listing = problems.map((p) => `  ${p.field || '(root)'}: ${p.message}`).join('\n');
  throw new DicentraError(
    'DCN_E_SCHEMA_INVALID',
    `${what} ${file} does not match its schema:\n${listing}`,
    {
      file,
      field: problems[0]?.field,
      problems,
      hint: `see docs/formats.md for the ${what} format`,
    },
  );
}

/**
 * Checks the `version` ("MAJOR.MINOR") of a parsed file before its schema, so
 * that a newer file gets "upgrade dicentra" rather than a list of unknown keys.
 */
function checkFormatVersion(
  raw: unknown,
  supportedMajor: number,
  file: string,
  what: string,
): void {
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version !== 'string') return; // the schema reports a missing or mistyped version
  const major = Number(version.split('.')[0]);
  if (major !== supportedMajor) {
    throw new DicentraError(
      'DCN_E_VERSION_UNSUPPORTED',
      `${what} ${file} has format version ${version}; this dicentra reads version ${supportedMajor}.x`,
      {
        file,
        field: 'version',
        hint:
          major > supportedMajor
            ? 'upgrade dicentra to read this file'
            : 'regenerate the file with this version of dicentra',
      },
    );
  }
}

/** Reads a small unversioned JSON file written by hand (case.json, irradiation conditions): text, JSON, schema. */
export async function readHandWrittenJsonFile<T extends z.ZodTypeAny>(
  path: string,
  what: string,
  schema: T,
): Promise<z.infer<T>> {
  return validateWithSchema(
    parseJson(await readTextFile(path, what), path, what),
    schema,
    path,
    what,
  );
}

/** A versioned JSON file format: what it is called in messages, its major version and schema. */
export interface JsonFormat<T extends z.ZodTypeAny> {
  readonly what: string;
  readonly major: number;
  readonly schema: T;
}

/** Parses the text of a versioned JSON file: JSON, major version, then schema. */
export function parseJsonText<T extends z.ZodTypeAny>(
  text: string,
  path: string,
  format: JsonFormat<T>,
): z.infer<T> {
  const raw = parseJson(text, path, format.what);
  checkFormatVersion(raw, format.major, path, format.what);
  return validateWithSchema(raw, format.schema, path, format.what);
}

/** Reads a versioned JSON file: text, JSON, major version, then schema; every failure catalogued. */
export async function readJsonFile<T extends z.ZodTypeAny>(
  path: string,
  format: JsonFormat<T>,
): Promise<z.infer<T>> {
  return parseJsonText(await readTextFile(path, format.what), path, format);
}

/**
 * Writes a versioned JSON file atomically through its schema. The value is
 * checked as JSON will store it (a non-finite number becomes null), so what is
 * written always reads back.
 */
export function writeJsonFile<T extends z.ZodTypeAny>(
  path: string,
  format: JsonFormat<T>,
  value: z.input<T>,
): Promise<void> {
  return writeJsonAtomic(path, format.schema.parse(JSON.parse(JSON.stringify(value))));
}
