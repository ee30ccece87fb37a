import { readFileSync } from 'node:fs';

/**
 * Whether a process is gone: no such pid, or only its zombie. Test hosts share this
 * machine's process table, and orphans may wait a while to be reaped here, so a zombie
 * counts as gone.
 */
export function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
