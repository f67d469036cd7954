import { readFileSync } from 'node:fs';

/** dicentra's version, from package.json (recorded in every file it writes). */
export const TOOL_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
