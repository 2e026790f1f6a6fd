// A real Redis Sentinel deployment on loopback: one master, N replicas and M sentinels, each its own
// redis-server process, configured the way a production deployment is (auth everywhere, replicas
// read-only, Sentinel owning and rewriting its config). Used by `sentinel-watch local`, the
// integration tests and the demo. Everything that signals a process does it by recorded PID, after
// checking that the PID still belongs to a redis-server started from our config file.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { ConfigError, TopologyError } from '../../lambdas/core/errors';
import { parseInfo } from '../../lambdas/core/parse-info';
import { toFieldMap } from '../../lambdas/core/parse-sentinel';
import type { Address } from '../../lambdas/core/types';
import { ensureRedisServer } from './redis-server-binary';

export const DEFAULT_BASE_PORT = 6400;
/** Sentinel i listens on basePort + SENTINEL_PORT_OFFSET + i (6400 -> 26400, the usual 26379 habit). */
export const SENTINEL_PORT_OFFSET = 20_000;
export const DEFAULT_MASTER_NAME = 'mymaster';
/** A well-known password for a throwaway loopback demo. Never use it for anything else. */
export const DEFAULT_LOCAL_PASSWORD = 'sentinel-watch-local';
/**
 * Measured on a 2-core machine with Redis 7.0.15 (kill -9 of the master, counting distinct
 * `+switch-master` over 10 s): 1000 ms gave a spurious second failover in 2 of 15 kills (one of them
 * promoted the restarted, empty old master); 1500 ms gave none in 24 kills, with `+switch-master`
 * ~2.75 s after the kill, and 12 of 12 `SENTINEL FAILOVER`s issued right after `up` stuck.
 */
export const DEFAULT_DOWN_AFTER_MS = 1500;
export const DEFAULT_FAILOVER_TIMEOUT_MS = 5000;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
const LOOPBACK = '127.0.0.1';
const STOP_GRACE_MS = 3000;

export interface LocalTopologyOptions {
  /** Data nodes listen on basePort, basePort+1, ...; sentinels on basePort+20000, +20001, ... */
  readonly basePort?: number;
  readonly masterName?: string;
  /** requirepass and masterauth of the data nodes, auth-pass of the sentinels. */
  readonly password?: string;
  /** requirepass of the sentinels (clients and sentinels then authenticate to sentinels). */
  readonly sentinelPassword?: string;
  readonly downAfterMs?: number;
  readonly failoverTimeoutMs?: number;
  readonly quorum?: number;
  /** State directory: configs, logs, data dirs, state.json. */
  readonly dir?: string;
  readonly replicas?: number;
  readonly sentinels?: number;
  /** redis-server binary; default: ensureRedisServer({ install: false }). */
  readonly redisServer?: string;
  /** How long `up` waits for the topology to be ready. */
  readonly readyTimeoutMs?: number;
}

export interface ResolvedTopologyOptions {
  readonly basePort: number;
  readonly masterName: string;
  readonly password: string;
  readonly sentinelPassword?: string;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  readonly quorum: number;
  readonly dir: string;
  readonly replicas: number;
  readonly sentinels: number;
}

export type ProcessKind = 'data' | 'sentinel';

export interface ProcessRecord {
  readonly kind: ProcessKind;
  readonly port: number;
  readonly pid: number;
  /** Absolute path of the config file (Sentinel and CONFIG REWRITE modify it in place). */
  readonly config: string;
  readonly log: string;
  /** The process's working directory (`dir`). */
  readonly dataDir: string;
}

interface StateFile {
  readonly version: 1;
  readonly redisServer: string;
  readonly options: ResolvedTopologyOptions;
  readonly processes: readonly ProcessRecord[];
}

export type ServerRole = 'master' | 'replica' | 'sentinel' | 'unknown';

export interface ProcessStatus {
  readonly kind: ProcessKind;
  readonly port: number;
  readonly pid: number;
  /** The recorded PID is still a redis-server started from this topology's config. */
  readonly alive: boolean;
  /** Stopped with SIGSTOP (see `freeze`). */
  readonly frozen: boolean;
  /** As the server reports it now (ROLE); 'unknown' when it could not be asked. */
  readonly role: ServerRole;
  /** Replicas: the port of the master they replicate from. Sentinels: the port they name as master. */
  readonly masterPort?: number;
  /** Replicas: `master_link_status:up`. */
  readonly linkUp?: boolean;
  /** Why the server could not be asked. */
  readonly error?: string;
}

export interface TopologyStatus {
  readonly dir: string;
  readonly masterName: string;
  readonly processes: readonly ProcessStatus[];
}

export interface SentinelView {
  readonly port: number;
  /** The master address this sentinel names, or undefined if it could not be asked. */
  readonly master?: Address;
  readonly error?: string;
}

// ---------------------------------------------------------------------------------------------
// Options and config text (pure)

export function defaultDir(basePort: number): string {
  return path.join(os.tmpdir(), `sentinel-watch-local-${basePort}`);
}

export function stateFilePath(dir: string): string {
  return path.join(dir, 'state.json');
}

function positiveInt(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * Printable ASCII without spaces, quotes or backslashes: Sentinel 7.0 writes `sentinel auth-pass` and
 * `sentinel sentinel-pass` back unquoted when it rewrites its config, so any of those characters
 * leaves a config the sentinel cannot restart from ("Unbalanced quotes").
 */
function checkSecret(field: string, value: string): string {
  if (value === '') throw new ConfigError(field, 'must not be empty');
  if (!/^[!#-&(-[\]-~]+$/.test(value)) {
    throw new ConfigError(field, 'use printable ASCII without spaces, quotes or backslashes');
  }
  return value;
}

export function resolveOptions(opts: LocalTopologyOptions = {}): ResolvedTopologyOptions {
  const replicas = positiveInt('replicas', opts.replicas ?? 2, 0, 10);
  const sentinels = positiveInt('sentinels', opts.sentinels ?? 3, 1, 10);
  const basePort = positiveInt(
    'basePort',
    opts.basePort ?? DEFAULT_BASE_PORT,
    1024,
    65535 - SENTINEL_PORT_OFFSET - 10,
  );
  const quorum = positiveInt('quorum', opts.quorum ?? 2, 1, sentinels);
  const masterName = opts.masterName ?? DEFAULT_MASTER_NAME;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(masterName)) {
    throw new ConfigError('masterName', 'use 1-64 letters, digits, dots, dashes or underscores');
  }
  const resolved: ResolvedTopologyOptions = {
    basePort,
    masterName,
    password: checkSecret('password', opts.password ?? DEFAULT_LOCAL_PASSWORD),
    downAfterMs: positiveInt('downAfterMs', opts.downAfterMs ?? DEFAULT_DOWN_AFTER_MS, 100, 600_000),
    failoverTimeoutMs: positiveInt(
      'failoverTimeoutMs',
      opts.failoverTimeoutMs ?? DEFAULT_FAILOVER_TIMEOUT_MS,
      1000,
      3_600_000,
    ),
    quorum,
    dir: path.resolve(opts.dir ?? defaultDir(basePort)),
    replicas,
    sentinels,
  };
  return opts.sentinelPassword === undefined
    ? resolved
    : { ...resolved, sentinelPassword: checkSecret('sentinelPassword', opts.sentinelPassword) };
}

export function dataPortsOf(o: Pick<ResolvedTopologyOptions, 'basePort' | 'replicas'>): number[] {
  return Array.from({ length: o.replicas + 1 }, (_, i) => o.basePort + i);
}

export function sentinelPortsOf(o: Pick<ResolvedTopologyOptions, 'basePort' | 'sentinels'>): number[] {
  return Array.from({ length: o.sentinels }, (_, i) => o.basePort + SENTINEL_PORT_OFFSET + i);
}

/** A redis.conf string argument: always double-quoted, with the escapes sdssplitargs understands. */
export function quoteConfigValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// Puts the config file path into the process title, so /proc/<pid>/cmdline lets `down` and the
// fault helpers check that a recorded PID is still our process before signalling it.
const PROC_TITLE = 'proc-title-template "{title} {listen-addr} {server-mode} {config-file}"';

export interface DataNodeConfigInput {
  readonly port: number;
  readonly password: string;
  /** Master port for a replica; undefined for the master. */
  readonly replicaOf?: number;
  readonly dataDir: string;
  readonly logFile: string;
}

export function dataNodeConfig(input: DataNodeConfigInput): string {
  const lines = [
    '# Generated by sentinel-watch local. Sentinel rewrites replicaof here (CONFIG REWRITE) after a failover.',
    `bind ${LOOPBACK}`,
    `port ${input.port}`,
    'protected-mode yes',
    `requirepass ${quoteConfigValue(input.password)}`,
    `masterauth ${quoteConfigValue(input.password)}`,
    'replica-read-only yes',
    ...(input.replicaOf === undefined ? [] : [`replicaof ${LOOPBACK} ${input.replicaOf}`]),
    '# No persistence: a throwaway local topology.',
    'save ""',
    'appendonly no',
    '# Diskless full syncs start at once (the default waits 5 s for more replicas on every sync).',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    `dir ${quoteConfigValue(input.dataDir)}`,
    `logfile ${quoteConfigValue(input.logFile)}`,
    'daemonize no',
    '# Tests simulate a stuck or lagging node with DEBUG SLEEP; loopback clients only.',
    'enable-debug-command local',
    PROC_TITLE,
  ];
  return `${lines.join('\n')}\n`;
}

export interface SentinelConfigInput {
  readonly port: number;
  readonly masterName: string;
  readonly masterPort: number;
  readonly quorum: number;
  /** The data nodes' password (sentinel auth-pass). */
  readonly password: string;
  readonly sentinelPassword?: string;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  readonly dataDir: string;
  readonly logFile: string;
}

export function sentinelConfig(input: SentinelConfigInput): string {
  const name = input.masterName;
  const auth =
    input.sentinelPassword === undefined
      ? []
      : [
          // Clients and the other sentinels must authenticate; sentinel-pass is what this sentinel
          // sends to its peers (all three share one password).
          `requirepass ${quoteConfigValue(input.sentinelPassword)}`,
          `sentinel sentinel-pass ${quoteConfigValue(input.sentinelPassword)}`,
        ];
  const lines = [
    '# Generated by sentinel-watch local. Sentinel rewrites this file as it learns and fails over.',
    `bind ${LOOPBACK}`,
    `port ${input.port}`,
    `dir ${quoteConfigValue(input.dataDir)}`,
    `logfile ${quoteConfigValue(input.logFile)}`,
    'daemonize no',
    PROC_TITLE,
    ...auth,
    'sentinel resolve-hostnames no',
    `sentinel monitor ${name} ${LOOPBACK} ${input.masterPort} ${input.quorum}`,
    `sentinel auth-pass ${name} ${quoteConfigValue(input.password)}`,
    `sentinel down-after-milliseconds ${name} ${input.downAfterMs}`,
    `sentinel failover-timeout ${name} ${input.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${name} 1`,
  ];
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Processes

type Ownership = 'ours' | 'frozen' | 'gone' | 'other';

/** Whether `pid` is (still) a live redis-server started from `configPath`. */
export function processOwnership(pid: number, configPath: string): Ownership {
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
    if (!cmdline.includes(configPath)) return 'other';
    return state === 'T' ? 'frozen' : 'ours';
  }
  // No procfs (macOS): ps shows the process title redis-server sets.
  try {
    const out = execFileSync('ps', ['-o', 'stat=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    if (out === '' || out.startsWith('Z')) return 'gone';
    if (!out.includes(configPath)) return 'other';
    return out.startsWith('T') ? 'frozen' : 'ours';
  } catch {
    return 'gone';
  }
}

function isOurs(rec: ProcessRecord): boolean {
  const o = processOwnership(rec.pid, rec.config);
  return o === 'ours' || o === 'frozen';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True when nothing listens on 127.0.0.1:port any more (the connection is refused). */
function refusesConnections(port: number): Promise<boolean> {
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
async function waitGone(rec: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (processOwnership(rec.pid, rec.config) === 'gone') return true;
    if (Date.now() >= deadline) return !isOurs(rec);
    await sleep(10);
  }
}

/** SIGCONT (a stopped process ignores SIGTERM until continued), SIGTERM, SIGKILL after the grace. */
async function stopProcesses(records: readonly ProcessRecord[]): Promise<void> {
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

interface Started {
  readonly child: ChildProcess;
  exit?: string;
}

function startProcess(
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

function logTail(file: string, lines = 5): string {
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

// ---------------------------------------------------------------------------------------------
// Admin connections

/** Runs `fn` on a short-lived admin connection to 127.0.0.1:port (one attempt, bounded). */
export async function withRedis<T>(
  port: number,
  password: string | undefined,
  fn: (client: Redis) => Promise<T>,
  timeoutMs = 1000,
): Promise<T> {
  const client = new Redis({
    host: LOOPBACK,
    port,
    password,
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    disableClientInfo: true,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Polls `predicate` until it returns a truthy value; throws TopologyError naming `what` on timeout. */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  what = 'condition',
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = `; last error: ${errorText(err)}`;
    }
    if (Date.now() >= deadline)
      throw new TopologyError(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------

export class LocalTopology {
  private state: StateFile;

  private constructor(state: StateFile) {
    this.state = state;
  }

  get options(): ResolvedTopologyOptions {
    return this.state.options;
  }
  get dir(): string {
    return this.state.options.dir;
  }
  get masterName(): string {
    return this.state.options.masterName;
  }
  get password(): string {
    return this.state.options.password;
  }
  get sentinelPassword(): string | undefined {
    return this.state.options.sentinelPassword;
  }
  /** Data node ports; the first one is the initial master. */
  get dataPorts(): readonly number[] {
    return dataPortsOf(this.state.options);
  }
  get sentinelPorts(): readonly number[] {
    return sentinelPortsOf(this.state.options);
  }
  /** `127.0.0.1:port` of each sentinel. */
  get sentinelAddresses(): readonly string[] {
    return this.sentinelPorts.map((p) => `${LOOPBACK}:${p}`);
  }
  get processes(): readonly ProcessRecord[] {
    return this.state.processes;
  }
  get redisServer(): string {
    return this.state.redisServer;
  }

  /** The recorded PID of the process on `port` (whether or not it is still running). */
  pidOf(port: number): number {
    return this.record(port).pid;
  }

  /**
   * Starts the topology and returns once every data node answers, every replica's link is up and
   * every sentinel knows all the replicas and the other sentinels. Refuses if a port is in use or
   * `dir` holds a running topology; on failure, stops what it started.
   */
  static async up(opts: LocalTopologyOptions = {}): Promise<LocalTopology> {
    const o = resolveOptions(opts);
    const redisServer = opts.redisServer ?? (await ensureRedisServer({ install: false }));
    const readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

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

    await mkdir(o.dir, { recursive: true, mode: 0o700 });
    await chmod(o.dir, 0o700);
    await rm(stateFilePath(o.dir), { force: true });

    const plans: Omit<ProcessRecord, 'pid'>[] = [];
    const [masterPort] = dataPortsOf(o) as [number, ...number[]];
    for (const port of dataPortsOf(o)) {
      const rec = await prepare(o.dir, 'data', port);
      await writeFile(
        rec.config,
        dataNodeConfig({
          port,
          password: o.password,
          replicaOf: port === masterPort ? undefined : masterPort,
          dataDir: rec.dataDir,
          logFile: rec.log,
        }),
        { mode: 0o600 },
      );
      plans.push(rec);
    }
    for (const port of sentinelPortsOf(o)) {
      const rec = await prepare(o.dir, 'sentinel', port);
      await writeFile(
        rec.config,
        sentinelConfig({
          port,
          masterName: o.masterName,
          masterPort,
          quorum: o.quorum,
          password: o.password,
          sentinelPassword: o.sentinelPassword,
          downAfterMs: o.downAfterMs,
          failoverTimeoutMs: o.failoverTimeoutMs,
          dataDir: rec.dataDir,
          logFile: rec.log,
        }),
        { mode: 0o600 },
      );
      plans.push(rec);
    }

    const topology = new LocalTopology({ version: 1, redisServer, options: o, processes: [] });
    const started = new Map<number, Started>();
    const launch = async (kind: ProcessKind): Promise<void> => {
      const records: ProcessRecord[] = [];
      for (const plan of plans.filter((p) => p.kind === kind)) {
        const s = startProcess(redisServer, plan);
        started.set(plan.port, s);
        records.push({ ...plan, pid: s.child.pid! });
      }
      topology.state = { ...topology.state, processes: [...topology.state.processes, ...records] };
      // Written as soon as there are PIDs, so `down` can clean up even if this process dies.
      await writeState(topology.state);
    };
    const deadline = Date.now() + readyTimeoutMs;
    const waitReady = async (check: () => Promise<string[]>): Promise<void> => {
      let problems: string[] = [];
      for (;;) {
        const exited = [...started].filter(([, s]) => s.exit !== undefined);
        if (exited.length > 0) {
          const detail = exited
            .map(
              ([port, s]) =>
                `port ${port} ${s.exit}; log ${logPath(o.dir, port)}:\n    ${logTail(logPath(o.dir, port))}`,
            )
            .join('\n  ');
          throw new TopologyError(`local topology failed to start:\n  ${detail}`);
        }
        problems = await check();
        if (problems.length === 0) return;
        if (Date.now() >= deadline) {
          throw new TopologyError(
            `local topology not ready after ${readyTimeoutMs} ms:\n  ${problems.join('\n  ')}\n` +
              `Logs: ${path.join(o.dir, '*.log')}`,
          );
        }
        await sleep(100);
      }
    };

    try {
      await launch('data');
      // Sentinels learn the replicas from the master's INFO, which they refresh only every 10 s:
      // start them once the replicas are attached so the first INFO already lists them.
      await waitReady(() => topology.dataNodeProblems());
      await launch('sentinel');
      await waitReady(() => topology.readinessProblems());
      return topology;
    } catch (err) {
      await stopProcesses(topology.state.processes).catch(() => undefined);
      await rm(stateFilePath(o.dir), { force: true });
      throw err;
    }
  }

  /** The topology recorded in `dir` (or the default dir of a base port). */
  static async load(dirOrBasePort: string | number = DEFAULT_BASE_PORT): Promise<LocalTopology> {
    const dir = typeof dirOrBasePort === 'number' ? defaultDir(dirOrBasePort) : path.resolve(dirOrBasePort);
    return new LocalTopology(await readState(dir));
  }

  /** Whether `dir` (or a base port's default dir) has a state file. */
  static exists(dirOrBasePort: string | number = DEFAULT_BASE_PORT): boolean {
    const dir = typeof dirOrBasePort === 'number' ? defaultDir(dirOrBasePort) : path.resolve(dirOrBasePort);
    return existsSync(stateFilePath(dir));
  }

  /** Stops exactly the recorded processes that are still ours and removes state.json. Idempotent. */
  async down(): Promise<void> {
    const sentinels = this.state.processes.filter((p) => p.kind === 'sentinel');
    const data = this.state.processes.filter((p) => p.kind === 'data');
    // Sentinels first, so they do not fail over while the data nodes stop.
    await stopProcesses(sentinels);
    await stopProcesses(data);
    await rm(stateFilePath(this.dir), { force: true });
  }

  /** Each process as it reports itself now. */
  async status(): Promise<TopologyStatus> {
    const processes = await Promise.all(this.state.processes.map((rec) => this.processStatus(rec)));
    return { dir: this.dir, masterName: this.masterName, processes };
  }

  /** What each sentinel names as the master. */
  async sentinelViews(timeoutMs = 1000): Promise<SentinelView[]> {
    return Promise.all(
      this.sentinelPorts.map(async (port): Promise<SentinelView> => {
        try {
          const master = await withRedis(
            port,
            this.sentinelPassword,
            (c) => masterAddrByName(c, this.masterName),
            timeoutMs,
          );
          return master === undefined ? { port, error: 'no master known' } : { port, master };
        } catch (err) {
          return { port, error: errorText(err) };
        }
      }),
    );
  }

  /** The master named by a majority of the sentinels, or undefined when there is no majority. */
  async currentMaster(): Promise<Address | undefined> {
    const views = await this.sentinelViews();
    const votes = new Map<string, number>();
    for (const v of views) {
      if (v.master !== undefined) {
        const key = `${v.master.host}:${v.master.port}`;
        votes.set(key, (votes.get(key) ?? 0) + 1);
      }
    }
    for (const [key, n] of votes) {
      if (n > this.sentinelPorts.length / 2) {
        const i = key.lastIndexOf(':');
        return { host: key.slice(0, i), port: Number(key.slice(i + 1)) };
      }
    }
    return undefined;
  }

  /** Sends `sig` to the recorded process on `port` (after checking it is ours); SIGKILL waits for the exit. */
  async kill(port: number, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const rec = this.runningRecord(port);
    signal(rec.pid, sig);
    if (sig === 'SIGKILL' && !(await waitGone(rec, 5000))) {
      throw new TopologyError(`pid ${rec.pid} (port ${port}) did not exit after SIGKILL`);
    }
    // The kernel closes a dead process's listening socket a few ms after it is a zombie (deferred
    // fput); until then connections are accepted and reset. Return once the port really refuses.
    if (sig === 'SIGKILL') await waitFor(() => refusesConnections(port), 2000, `port ${port} to close`, 5);
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing (a hung node). */
  async freeze(port: number): Promise<void> {
    signal(this.runningRecord(port).pid, 'SIGSTOP');
  }

  async thaw(port: number): Promise<void> {
    signal(this.runningRecord(port).pid, 'SIGCONT');
  }

  /**
   * Starts the process on `port` again from its config file, which Sentinel may have rewritten
   * (a replica stays a replica of the new master; a killed old master comes back as a master until
   * Sentinel converts it, ~10 s). Stops it first if it is still running. `replicaOf` starts a data
   * node as a replica of that port instead (`--replicaof`), the way an operator would bring back
   * an old master. Returns the new PID once it answers PING.
   */
  async restart(port: number, opts: { replicaOf?: number; timeoutMs?: number } = {}): Promise<number> {
    const rec = this.record(port);
    if (opts.replicaOf !== undefined && rec.kind !== 'data') {
      throw new TopologyError(`replicaOf applies to data nodes, port ${port} is a sentinel`);
    }
    await stopProcesses([rec]);
    const extra = opts.replicaOf === undefined ? [] : ['--replicaof', LOOPBACK, String(opts.replicaOf)];
    const started = startProcess(this.redisServer, rec, extra);
    const updated: ProcessRecord = { ...rec, pid: started.child.pid! };
    this.state = {
      ...this.state,
      processes: this.state.processes.map((p) => (p.port === port ? updated : p)),
    };
    await writeState(this.state);
    const password = rec.kind === 'data' ? this.password : this.sentinelPassword;
    await waitFor(
      async () => {
        if (started.exit !== undefined) {
          throw new TopologyError(`port ${port} ${started.exit}; log ${rec.log}:\n    ${logTail(rec.log)}`);
        }
        return (await withRedis(port, password, (c) => c.ping(), 500)) === 'PONG';
      },
      opts.timeoutMs ?? 10_000,
      `${LOOPBACK}:${port} to answer PING after restart (log ${rec.log})`,
    ).catch((err) => {
      if (started.exit !== undefined) {
        throw new TopologyError(`port ${port} ${started.exit}; log ${rec.log}:\n    ${logTail(rec.log)}`);
      }
      throw err;
    });
    return updated.pid;
  }

  /** Polls `predicate` until it returns a truthy value (TopologyError on timeout). */
  waitFor<T>(predicate: () => T | Promise<T>, timeoutMs: number, what?: string): Promise<NonNullable<T>> {
    return waitFor(predicate, timeoutMs, what);
  }

  /** Runs `fn` on an authenticated admin connection to the process on `port`. */
  withClient<T>(port: number, fn: (client: Redis) => Promise<T>, timeoutMs = 1000): Promise<T> {
    const rec = this.record(port);
    return withRedis(port, rec.kind === 'data' ? this.password : this.sentinelPassword, fn, timeoutMs);
  }

  // -------------------------------------------------------------------------------------------

  private record(port: number): ProcessRecord {
    const rec = this.state.processes.find((p) => p.port === port);
    if (rec === undefined)
      throw new TopologyError(`port ${port} is not part of the local topology in ${this.dir}`);
    return rec;
  }

  private runningRecord(port: number): ProcessRecord {
    const rec = this.record(port);
    if (!isOurs(rec)) {
      throw new TopologyError(`the process recorded for port ${port} (pid ${rec.pid}) is not running`);
    }
    return rec;
  }

  private async dataNodeProblems(): Promise<string[]> {
    const [masterPort] = this.dataPorts;
    const problems = await Promise.all(
      this.dataPorts.map(async (port): Promise<string | undefined> => {
        const where = `${LOOPBACK}:${port} (data node)`;
        try {
          return await withRedis(port, this.password, async (c) => {
            if ((await c.ping()) !== 'PONG') return `${where}: no PONG`;
            if (port === masterPort) return undefined;
            const info = parseInfo(await c.info('replication'));
            if (info.role !== 'slave') return `${where}: role ${info.role}, expected replica`;
            if (info.master_link_status !== 'up')
              return `${where}: master_link_status ${info.master_link_status}`;
            return undefined;
          });
        } catch (err) {
          return `${where}: ${errorText(err)}`;
        }
      }),
    );
    return problems.filter((p): p is string => p !== undefined);
  }

  private async readinessProblems(): Promise<string[]> {
    const { replicas, sentinels, masterName } = this.options;
    const sentinelProblems = await Promise.all(
      this.sentinelPorts.map(async (port): Promise<string[]> => {
        const where = `${LOOPBACK}:${port} (sentinel)`;
        try {
          return await withRedis(port, this.sentinelPassword, async (c) => {
            const out: string[] = [];
            const master = toFieldMap(await c.call('SENTINEL', 'MASTER', masterName), 'SENTINEL MASTER');
            if (master.flags !== 'master') out.push(`${where}: master flags ${master.flags}`);
            const others = Number(master['num-other-sentinels']);
            if (others !== sentinels - 1)
              out.push(`${where}: knows ${others}/${sentinels - 1} other sentinels`);
            const slaves = Number(master['num-slaves']);
            if (slaves !== replicas) out.push(`${where}: knows ${slaves}/${replicas} replicas`);
            // Links up, not just known: a sentinel that cannot reach a replica or a peer yet would
            // miss (or later undo) a failover announced there.
            const replicaList = (await c.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
            for (const r of replicaList.map((r) => toFieldMap(r, 'SENTINEL REPLICAS'))) {
              if (r.flags !== 'slave' || r['master-link-status'] !== 'ok') {
                out.push(`${where}: replica ${r.name} flags ${r.flags} link ${r['master-link-status']}`);
              }
            }
            const peers = (await c.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
            for (const s of peers.map((p) => toFieldMap(p, 'SENTINEL SENTINELS'))) {
              if (s.flags !== 'sentinel') out.push(`${where}: peer ${s.name} flags ${s.flags}`);
            }
            return out;
          });
        } catch (err) {
          return [`${where}: ${errorText(err)}`];
        }
      }),
    );
    return [...(await this.dataNodeProblems()), ...sentinelProblems.flat()];
  }

  private async processStatus(rec: ProcessRecord): Promise<ProcessStatus> {
    const ownership = processOwnership(rec.pid, rec.config);
    const base = { kind: rec.kind, port: rec.port, pid: rec.pid, frozen: ownership === 'frozen' };
    if (ownership !== 'ours' && ownership !== 'frozen') {
      return { ...base, alive: false, role: 'unknown', error: 'not running' };
    }
    if (ownership === 'frozen') return { ...base, alive: true, role: 'unknown', error: 'frozen (SIGSTOP)' };
    try {
      return await this.withClient(
        rec.port,
        async (c): Promise<ProcessStatus> => {
          const role = (await c.call('ROLE')) as unknown[];
          switch (role[0]) {
            case 'master':
              return { ...base, alive: true, role: 'master' };
            case 'slave': {
              const info = parseInfo(await c.info('replication'));
              return {
                ...base,
                alive: true,
                role: 'replica',
                masterPort: Number(role[2]),
                linkUp: info.master_link_status === 'up',
              };
            }
            case 'sentinel': {
              const master = await masterAddrByName(c, this.masterName);
              return { ...base, alive: true, role: 'sentinel', masterPort: master?.port };
            }
            default:
              return { ...base, alive: true, role: 'unknown', error: `ROLE replied ${String(role[0])}` };
          }
        },
        750,
      );
    } catch (err) {
      return { ...base, alive: true, role: 'unknown', error: errorText(err) };
    }
  }
}

async function masterAddrByName(c: Redis, masterName: string): Promise<Address | undefined> {
  const reply = await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName);
  if (!Array.isArray(reply) || reply.length < 2) return undefined;
  return { host: String(reply[0]), port: Number(reply[1]) };
}

function logPath(dir: string, port: number): string {
  return path.join(dir, `${port}.log`);
}

async function prepare(dir: string, kind: ProcessKind, port: number): Promise<Omit<ProcessRecord, 'pid'>> {
  const dataDir = path.join(dir, `data-${port}`);
  // A fresh topology starts empty: replicas save the RDB they sync, and a stale one (an old drill's
  // lock key, say) would come back on the next `up`.
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const config = path.join(dir, `${kind === 'data' ? 'redis' : 'sentinel'}-${port}.conf`);
  return { kind, port, config, log: logPath(dir, port), dataDir };
}

async function readState(dir: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(stateFilePath(dir), 'utf8');
  } catch {
    throw new TopologyError(
      `no local topology in ${dir} (no state.json): start one with sentinel-watch local up`,
    );
  }
  let state: StateFile;
  try {
    state = JSON.parse(text) as StateFile;
  } catch (err) {
    throw new TopologyError(`${stateFilePath(dir)} is not valid JSON: ${errorText(err)}`);
  }
  if (state.version !== 1 || !Array.isArray(state.processes) || typeof state.options !== 'object') {
    throw new TopologyError(`${stateFilePath(dir)} is not a sentinel-watch local state file`);
  }
  return state;
}

/** state.json holds the local demo password: mode 0600, written atomically. */
async function writeState(state: StateFile): Promise<void> {
  const file = stateFilePath(state.options.dir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
