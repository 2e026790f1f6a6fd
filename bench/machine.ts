// The machine a bench run measured on, and the other redis-server processes sharing it: both go
// into bench/results/latest.json and the table's heading, so figures can be compared between runs.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly redis: string;
  readonly os: string;
  readonly loadAverage: readonly number[];
  readonly date: string;
  readonly commit: string | null;
}

/**
 * redis-server processes that are not the bench's (others' tests share this machine): a run while
 * they are busy is slower and its figures are flagged. Linux only (procfs); elsewhere 0.
 */
export function otherRedisServers(): number {
  let n = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (/redis-server/.test(cmd) && !/127\.0\.0\.1:2?74\d\d\b/.test(cmd)) n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
}

/** `root`: the repository, for the commit measured. */
export function machineInfo(redisServer: string | null, root: string): Machine {
  const cpus = os.cpus();
  let redis = 'not found';
  if (redisServer) {
    const text = execFileSync(redisServer, ['--version'], { encoding: 'utf8' });
    redis = /v=(\S+)/.exec(text)?.[1] ?? text.trim();
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    commit = null;
  }
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    redis,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
    commit,
  };
}
