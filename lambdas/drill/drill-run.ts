// One drill's state and bookkeeping, shared by the phases (phases/*.ts): the checks and the timeline
// as they are recorded, the failover legs, the undo steps, and the report built from them at the end.

import { randomBytes } from 'node:crypto';
import type { BatchOutcome, BatchTarget, RedisCommand } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import {
  buildDrillReport,
  type CheckResult,
  type DrillCheck,
  type DrillPhase,
  type DrillReport,
  type FailoverLeg,
  type FinalState,
  type TimelineEntry,
} from '../core/drill';
import { encodeDrillLock } from '../core/drill-lock';
import type { SentinelEvent } from '../core/sentinel-event';
import type { Address, Snapshot } from '../core/types';
import { pollDeployment } from '../probe/poll-deployment';
import { nodeTarget, sentinelTarget } from '../probe/targets';
import { DRILL_DEFAULTS, type DrillDeps, type DrillOptions } from './ports';

const newDrillId = (now: number): string =>
  `drill-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${randomBytes(3).toString('hex')}`;

export const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);

/** The error of reply `index` of a batch (or of the batch itself when that reply is missing); null if it succeeded. */
export const replyError = (outcome: BatchOutcome, index: number): string | null => {
  const reply = outcome.replies[index];
  if (reply && !reply.ok) return reply.error.message;
  if (!reply) return outcome.error?.message ?? 'no reply';
  return null;
};

export interface CleanupStep {
  readonly what: string;
  readonly run: () => Promise<void>;
}

export class DrillRun {
  readonly d: DeploymentConfig;
  readonly c: Credentials;
  readonly o: DrillOptions;
  readonly deps: DrillDeps;
  readonly startedAt: number;
  readonly id: string;
  readonly checks: DrillCheck[] = [];
  readonly timeline: TimelineEntry[] = [];
  readonly events: SentinelEvent[] = [];
  readonly legs: FailoverLeg[] = [];
  /** Undo steps, run last-in first-out at the end whatever happened. */
  readonly cleanup: CleanupStep[] = [];
  previousMaster: Address | null = null;
  lastSnapshot: Snapshot | null = null;
  finalState: FinalState | null = null;
  canary: { key: string; value: string } | null = null;
  plan: string[] = [];
  error: string | null = null;
  lockHeld = false;
  finishedAt = 0;
  /** What the signed lock claims (core/drill-lock.ts): the master this leg fails over, ... */
  lockFrom: Address | null = null;
  /** ... when its SENTINEL FAILOVER was sent (null before), and until when the drill may run. */
  failoverAt: number | null = null;
  windowEndsAt = 0;
  /** The heartbeat: stopped just before the lock is released. */
  stopHeartbeat: (() => Promise<void>) | null = null;
  readonly beats = { ok: 0, failed: 0, lastOkAt: 0, longestGapMs: 0 };

  constructor(d: DeploymentConfig, c: Credentials, o: DrillOptions, deps: DrillDeps) {
    this.d = d;
    this.c = c;
    this.o = o;
    this.deps = deps;
    this.startedAt = deps.now();
    this.id = deps.newId?.() ?? newDrillId(this.startedAt);
  }

  elapsed(): number {
    return this.deps.now() - this.startedAt;
  }

  /** A drill action on the timeline (and the progress line). */
  mark(action: string, detail: string): void {
    this.timeline.push({
      atMs: this.elapsed(),
      source: 'drill',
      sentinel: null,
      type: `drill:${action}`,
      detail,
    });
    this.deps.progress?.(`+${this.elapsed()}ms ${action}: ${detail}`);
  }

  /** Records a check; returns whether it passed. */
  check(phase: DrillPhase, result: CheckResult, elapsedMs = this.elapsed()): boolean {
    this.checks.push({ ...result, phase, elapsedMs });
    this.deps.progress?.(
      `+${elapsedMs}ms ${phase} ${result.name}: ${result.passed ? 'ok' : 'FAILED'} (${result.detail})`,
    );
    return result.passed;
  }

  fail(error: unknown): void {
    this.error = messageOf(error);
    this.mark('error', this.error);
  }

  async poll(): Promise<Snapshot> {
    const poll =
      this.deps.poll ??
      ((d, c) => pollDeployment(d, c, { runBatch: this.deps.runBatch, now: this.deps.now }));
    const snapshot = await poll(this.d, this.c);
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  node(a: Address): BatchTarget {
    return nodeTarget(this.d, this.c, a);
  }

  sentinel(a: Address): BatchTarget {
    return sentinelTarget(this.d, this.c, a);
  }

  batch(a: Address, commands: readonly RedisCommand[]): Promise<BatchOutcome> {
    return this.deps.runBatch(this.node(a), commands, this.d.timeoutMs);
  }

  sleepPollInterval(): Promise<void> {
    return this.deps.sleep(this.o.pollIntervalMs ?? DRILL_DEFAULTS.pollIntervalMs);
  }

  /** How long to wait for +switch-master: failover-timeout as the sentinels report it + 5 s, capped. */
  switchTimeout(snapshot: Snapshot | null): number {
    if (this.o.switchTimeoutMs !== undefined) return this.o.switchTimeoutMs;
    const reported = Math.max(0, ...(snapshot?.sentinels ?? []).map((s) => s.master?.failoverTimeoutMs ?? 0));
    return reported > 0
      ? Math.min(reported + 5000, DRILL_DEFAULTS.maxSwitchTimeoutMs)
      : DRILL_DEFAULTS.maxSwitchTimeoutMs;
  }

  lockTtlMs(): number {
    return this.o.lockTtlMs ?? DRILL_DEFAULTS.lockTtlMs;
  }

  /** The lock's value now: the drill's claims, signed with the drill key when there is one. */
  lockValue(): string {
    const from = this.lockFrom ?? this.previousMaster;
    if (!from) return this.id;
    return encodeDrillLock(
      {
        deployment: this.d.name,
        id: this.id,
        from,
        startedAt: this.startedAt,
        windowEndsAt: this.windowEndsAt,
        failoverAt: this.failoverAt,
        beatAt: this.deps.now(),
        ttlMs: this.lockTtlMs(),
      },
      this.deps.drillKey ?? null,
    );
  }

  addLeg(leg: FailoverLeg): FailoverLeg {
    this.legs.push(leg);
    return leg;
  }

  report(): DrillReport {
    return buildDrillReport({
      id: this.id,
      deployment: this.d.name,
      masterName: this.d.masterName,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt || this.deps.now(),
      dryRun: this.o.dryRun === true,
      failbackRequested: this.o.failback === true,
      previousMaster: this.previousMaster,
      checks: this.checks,
      legs: this.legs,
      timeline: this.timeline,
      finalState: this.finalState,
      error: this.error,
      canary: this.canary,
      plan: this.plan,
    });
  }
}
