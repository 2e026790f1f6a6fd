// Processes of the local topology: start one detached from its config file, tell whether a recorded
// PID is still ours (checked before any signal, so a recycled PID is never signalled), stop them.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { TopologyError } from '../../lambdas/core/errors';
import {
  dataPortsOf,
  LOOPBACK,
  type ProcessKind,
  type ProcessRecord,
  type ResolvedTopologyOptions,
  sentinelPortsOf,
  stateFilePath,
} from './topology-options';
import { readState } from './topology-state';
import { sleep } from './wait';

const STOP_GRACE_MS = 3000;

export type Ownership = 'ours' | 'frozen' | 'gone' | 'other';

/**
 * Whether `pid` is (still) a live redis-server started from `configPath`. Redis 6.2+ shows the config
 * path in its process title (proc-title-template); Redis 5.0 has no such setting and its title is
 * `redis-server 127.0.0.1:6400`, so there the process must also run in `dataDir`, the working
 * directory each process is started in and its config's `dir`.
 */
export function processOwnership(pid: number, configPath: string, dataDir?: string): Ownership {
  if (!Number.isInteger(pid) || pid <= 0) return 'gone';
  if (existsSync('/proc/self/stat')) {
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return 'gone';
    }
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return 'gone';
    if (!cmdline.includes(configPath) && !runsIn(pid, dataDir, () => readlinkSync(`/proc/${pid}/cwd`))) {
      return 'other';
    }
    return state === 'T' ? 'frozen' : 'ours';
  }
  // No procfs (macOS): ps shows the process title redis-server sets, lsof the working directory.
  try {
    const out = execFileSync('ps', ['-o', 'stat=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    if (out === '' || out.startsWith('Z')) return 'gone';
    if (!out.includes(configPath) && !runsIn(pid, dataDir, () => lsofCwd(pid))) return 'other';
    return out.startsWith('T') ? 'frozen' : 'ours';
  } catch {
    return 'gone';
  }
}

/** The process's working directory is `dataDir` (compared after resolving symlinks such as /tmp). */
function runsIn(pid: number, dataDir: string | undefined, cwdOf: () => string): boolean {
  if (dataDir === undefined || pid === process.pid) return false;
  try {
    const cwd = cwdOf();
    return cwd === dataDir || cwd === realpathSync(dataDir);
  } catch {
    return false;
  }
}

function lsofCwd(pid: number): string {
  const out = execFileSync('lsof', ['-a', '-p', String(pid), '-d', 'cwd', '-Fn'], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.startsWith('n'));
  if (line === undefined) throw new Error('no cwd');
  return line.slice(1);
}

export function isOurs(rec: ProcessRecord): boolean {
  const o = processOwnership(rec.pid, rec.config, rec.dataDir);
  return o === 'ours' || o === 'frozen';
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** True when nothing listens on 127.0.0.1:port any more (the connection is refused). */
export function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, LOOPBACK);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * Waits until the process has exited (zombie or reaped): an exiting process loses its command line
 * (exit_mm) before it is a zombie, so "no longer looks like ours" would return too early.
 */
export async function waitGone(rec: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (processOwnership(rec.pid, rec.config, rec.dataDir) === 'gone') return true;
    if (Date.now() >= deadline) return !isOurs(rec);
    await sleep(10);
  }
}

/** SIGCONT (a stopped process ignores SIGTERM until continued), SIGTERM, SIGKILL after the grace. */
export async function stopProcesses(records: readonly ProcessRecord[]): Promise<void> {
  const running = records.filter(isOurs);
  for (const rec of running) signal(rec.pid, 'SIGCONT');
  for (const rec of running) signal(rec.pid, 'SIGTERM');
  await Promise.all(
    running.map(async (rec) => {
      if (await waitGone(rec, STOP_GRACE_MS)) return;
      if (isOurs(rec)) signal(rec.pid, 'SIGKILL');
      if (!(await waitGone(rec, 2000))) {
        throw new TopologyError(`pid ${rec.pid} (port ${rec.port}) did not exit after SIGKILL`);
      }
    }),
  );
}

export interface Started {
  readonly child: ChildProcess;
  exit?: string;
}

export function startProcess(
  redisServer: string,
  rec: Omit<ProcessRecord, 'pid'>,
  extraArgs: string[] = [],
): Started {
  const fd = openSync(rec.log, 'a', 0o600);
  try {
    const args = [rec.config, ...(rec.kind === 'sentinel' ? ['--sentinel'] : []), ...extraArgs];
    // Detached with stdio in the log file: the processes outlive `sentinel-watch local up`.
    const child = spawn(redisServer, args, { detached: true, stdio: ['ignore', fd, fd], cwd: rec.dataDir });
    const started: Started = { child };
    child.on('error', (err) => {
      started.exit = `could not start ${redisServer}: ${err.message}`;
    });
    child.on('exit', (code, sig) => {
      started.exit = sig === null ? `exited with code ${code}` : `killed by ${sig}`;
    });
    child.unref();
    if (child.pid === undefined) throw new TopologyError(`could not start ${redisServer} ${args.join(' ')}`);
    return started;
  } finally {
    closeSync(fd);
  }
}

/** Which of the processes `up` started have exited, each with its log's last lines; undefined if none. */
export function exitedDetail(started: ReadonlyMap<number, Started>, dir: string): string | undefined {
  const dead = [...started].filter(([, s]) => s.exit !== undefined);
  if (dead.length === 0) return undefined;
  return dead
    .map(
      ([port, s]) => `port ${port} ${s.exit}; log ${logPath(dir, port)}:\n    ${logTail(logPath(dir, port))}`,
    )
    .join('\n  ');
}

export function logTail(file: string, lines = 5): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n    ');
  } catch {
    return '(no log)';
  }
}

export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function logPath(dir: string, port: number): string {
  return path.join(dir, `${port}.log`);
}

export async function prepare(
  dir: string,
  kind: ProcessKind,
  port: number,
): Promise<Omit<ProcessRecord, 'pid'>> {
  const dataDir = path.join(dir, `data-${port}`);
  // A fresh topology starts empty: replicas save the RDB they sync, and a stale one (an old drill's
  // lock key, say) would come back on the next `up`.
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const config = path.join(dir, `${kind === 'data' ? 'redis' : 'sentinel'}-${port}.conf`);
  return { kind, port, config, log: logPath(dir, port), dataDir };
}

/** Refuses to start when `o.dir` holds a running topology or one of its ports is in use. */
export async function assertCanStart(o: ResolvedTopologyOptions): Promise<void> {
  if (existsSync(stateFilePath(o.dir))) {
    const previous = await readState(o.dir).catch(() => undefined);
    const running = previous?.processes.filter(isOurs) ?? [];
    if (running.length > 0) {
      throw new TopologyError(
        `${o.dir} holds a running local topology (pids ${running.map((r) => r.pid).join(', ')}). ` +
          `Stop it first: sentinel-watch local down --dir ${o.dir}`,
      );
    }
  }
  const ports = [...dataPortsOf(o), ...sentinelPortsOf(o)];
  const busy: number[] = [];
  for (const port of ports) if (!(await isPortFree(port))) busy.push(port);
  if (busy.length > 0) {
    throw new TopologyError(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on ${LOOPBACK} already in use: stop what ` +
        'listens there or choose another base port',
    );
  }
}
