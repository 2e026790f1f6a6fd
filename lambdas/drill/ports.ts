// What the drill needs from outside (ports), how it can be tuned (options), and its fixed limits.

import type { EventSubscription, SubscribeOptions } from '../adapters/sentinel-events';
import type { RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import { drillLockKey } from '../core/drill-context';
import type { Clock } from '../core/ports';
import type { LockResult } from '../core/store-ports';
import type { Address, Snapshot } from '../core/types';
import type { WriterFactory } from './writers';

export interface LockRequest {
  readonly owner: string;
  readonly ttlMs: number;
  /** The master at preflight: where a lock kept in Redis lives. */
  readonly master: Address;
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
}

export interface DrillDeps {
  readonly runBatch: RunBatch;
  /** One poll of the deployment; default: pollDeployment with `runBatch` and `now`. */
  readonly poll?: (deployment: DeploymentConfig, credentials: Credentials) => Promise<Snapshot>;
  readonly subscribe: (options: SubscribeOptions) => Promise<EventSubscription>;
  readonly writers: WriterFactory;
  readonly now: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly lock: DrillLock;
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
  /** Lock expiry; default: the drill's longest possible duration plus a minute. */
  readonly lockTtlMs?: number;
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
} as const;

export const drillKeyPrefix = (id: string): string => `sentinel-watch:drill:${id}`;
export const lockKey = drillLockKey;
