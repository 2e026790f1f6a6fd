// Options of the local topology: defaults, validation (a bad value names its field), the ports and
// directory derived from them, and the records kept per process. Pure.

import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../lambdas/core/errors';

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
export const LOOPBACK = '127.0.0.1';

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
  /** redis-server (or valkey-server) binary; default: ensureRedisServer({ install: false }). */
  readonly redisServer?: string;
  /** The sentinels' binary when it differs (sentinels on another version); default redisServer. */
  readonly sentinelServer?: string;
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
  /** The binary it runs when not the topology's own (restarted on another version). */
  readonly binary?: string;
}

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
