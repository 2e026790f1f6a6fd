// What the drill needs from outside (ports), how it can be tuned (options), and its fixed limits.

import type { EventSubscription, SubscribeOptions } from '../adapters/sentinel-events';
import type { RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import { drillLockKey } from '../core/drill-context';
import { DRILL_HEARTBEAT } from '../core/drill-lock';
import type { Clock } from '../core/ports';
import type { LockResult } from '../core/store-ports';
import type { Address, Snapshot } from '../core/types';
import type { WriterFactory } from './writers';

export interface LockRequest {
  /** The drill id. */
  readonly owner: string;
  readonly ttlMs: number;
  /** Where a lock kept in Redis lives: the master at preflight, later whoever the sentinels name. */
  readonly master: Address;
  /** The value a Redis-kept lock stores: the signed lock (core/drill-lock.ts); default `owner`. */
  readonly value?: string;
  /** Replicas to WAIT for after writing it (the beat right before SENTINEL FAILOVER); default 0. */
  readonly waitReplicas?: number;
}

/** The drill lock: one drill per deployment at a time, expiring so a crashed drill cannot block forever. */
export interface DrillLock {
  /** Where the lock lives, for check details. */
  readonly where: string;
  acquire(request: LockRequest): Promise<LockResult>;
  /** Whether `acquire` would succeed now (dry runs). */
  peek(request: LockRequest): Promise<LockResult>;
  /** Releases the lock if `owner` holds it; `masters` are where a Redis-kept lock may now live. */
  release(owner: string, masters: readonly Address[]): Promise<boolean>;
  /**
   * The heartbeat: writes the lock again with a fresh value and expiry if `owner` holds it or it is
   * gone. False when another drill holds it.
   */
  refresh(request: LockRequest): Promise<boolean>;
}

/** Runs `beat` every `ms` (never two at once) until the returned stop is awaited. */
export type Every = (ms: number, beat: () => Promise<void>) => () => Promise<void>;

export interface DrillDeps {
  readonly runBatch: RunBatch;
  /** One poll of the deployment; default: pollDeployment with `runBatch` and `now`. */
  readonly poll?: (deployment: DeploymentConfig, credentials: Credentials) => Promise<Snapshot>;
  readonly subscribe: (options: SubscribeOptions) => Promise<EventSubscription>;
  readonly writers: WriterFactory;
  readonly now: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly lock: DrillLock;
  /**
   * The drill key (core/drill-lock.ts) that signs the lock: watchers with the same key report this
   * drill's own switch as `info`. None: the lock is unsigned and every watcher pages the switch.
   */
  readonly drillKey?: string | null;
  /** The heartbeat's timer; default real timers. */
  readonly every?: Every;
  /** Drill id (also the lock owner); default `drill-<time>-<random>`. */
  readonly newId?: () => string;
  /** One line per step, for a terminal. */
  readonly progress?: (line: string) => void;
}

export interface DrillOptions {
  readonly dryRun?: boolean;
  readonly failback?: boolean;
  /** Wait for `+switch-master` after SENTINEL FAILOVER; default failover-timeout + 5 s, at most 60 s. */
  readonly switchTimeoutMs?: number;
  /** Wait for every verification check after the switch; default 60 s. */
  readonly verifyTimeoutMs?: number;
  /**
   * After a drill that changed something, how long the final poll waits for a settled deployment (no
   * failover running, one master, every answering node following it, no hung node); default 30 s.
   */
  readonly settleTimeoutMs?: number;
  /** Interval of the writers; default 10 ms. */
  readonly writeIntervalMs?: number;
  /** Interval of verification polls; default 500 ms. */
  readonly pollIntervalMs?: number;
  /** The lock's expiry, renewed by the heartbeat every `heartbeatMs`; default 15 s. */
  readonly lockTtlMs?: number;
  /** How often the heartbeat rewrites the lock; default 5 s. */
  readonly heartbeatMs?: number;
  /** Failovers tried to get the original master back; default 3. */
  readonly maxFailbackAttempts?: number;
}

export const DRILL_DEFAULTS = {
  maxSwitchTimeoutMs: 60_000,
  verifyTimeoutMs: 60_000,
  settleTimeoutMs: 30_000,
  writeIntervalMs: 10,
  pollIntervalMs: 500,
  maxFailbackAttempts: 3,
  /** Keys the drill writes expire after this, whatever happens to the drill. */
  keyTtlMs: 3_600_000,
  /** How long the writers may take to get their first write acknowledged. */
  writerReadyMs: 5000,
  /** How long the sentinels may take to see a changed replica-priority (INFO every 10 s). */
  priorityVisibleMs: 15_000,
  /** A killed drill's lock is gone this long after its last heartbeat. */
  lockTtlMs: DRILL_HEARTBEAT.ttlMs,
  heartbeatMs: DRILL_HEARTBEAT.everyMs,
} as const;

/** Real timers for the heartbeat: one beat at a time, the last one awaited on stop. */
export const realEvery: Every = (ms, beat) => {
  let chain: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    chain = chain.then(beat).catch(() => undefined);
  }, ms);
  return async () => {
    clearInterval(timer);
    await chain;
  };
};

export const drillKeyPrefix = (id: string): string => `sentinel-watch:drill:${id}`;
export const lockKey = drillLockKey;
