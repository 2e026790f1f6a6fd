// The child a redis-server forked for a background save, found through /proc (Linux): killing it is
// what the OOM killer does to a fork on a memory-starved host, and makes the save fail for real.

import { readdirSync, readFileSync } from 'node:fs';

/** The PID of a child of `parent`, or null when it has none right now. */
export function saveChildOf(parent: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ...", and comm may contain spaces or parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return null;
}
