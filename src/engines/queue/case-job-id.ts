import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * The job id of a case folder: a hash of its absolute path (links not
 * resolved: every machine must see the folder at this path), so submitting
 * the same folder twice names the same job and BullMQ keeps one.
 */
export function caseJobId(caseDir: string): string {
  const digest = createHash('sha256').update(resolve(caseDir)).digest('hex');
  return `case-${digest.slice(0, 32)}`;
}
