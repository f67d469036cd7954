import { execFileSync } from 'node:child_process';

/** The processor's model as `lscpu` names it, printed by every benchmark (machines differ). */
export function cpuModel(): string {
  return (
    /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1] ?? 'unknown'
  );
}
