// The failover drill, with every piece of I/O injected: preflight -> lock -> canary -> SENTINEL
// FAILOVER while two writers measure the outage and the split brain -> verification with a deadline
// -> optional failback -> final poll -> lock release -> report.
//
// A drill must never leave the operator without a master unnoticed: whatever happens (a refusal, an
// abort, a deadline, an exception), it ends with a poll that states who is master, in the report.
// `runDrill` does not throw for anything the deployment does; an unexpected error ends the drill
// early and is reported in `error`.

import { randomBytes } from 'node:crypto';
import type { EventSubscription, SubscribeOptions } from '../adapters/sentinel-events';
import type { BatchOutcome, BatchTarget, RedisCommand, RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import {
  abortReasonFromEvents,
  abortReasonFromReply,
  buildDrillReport,
  type CheckResult,
  type DrillCheck,
  DrillError,
  type DrillPhase,
  type DrillReport,
  type FailoverLeg,
  type FinalState,
  isTimelineEvent,
  type NewMasterProbe,
  preflight,
  summarizeClientWrites,
  summarizeSplitBrain,
  type TimelineEntry,
  timelineEntry,
  verifyFailover,
} from '../core/drill';
import { drillLockKey } from '../core/drill-context';
import type { Clock } from '../core/ports';
import { isFailoverAbort, type SentinelEvent } from '../core/sentinel-event';
import type { LockResult, LockStore } from '../core/store-ports';
import { type Address, formatAddress, type Snapshot, sameAddress } from '../core/types';
import { pollDeployment } from '../probe/poll-deployment';
import type { ContinuousWriter, WriterFactory } from './writers';

// ---------------------------------------------------------------------------------------------
// Ports

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

const newDrillId = (now: number): string =>
  `drill-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${randomBytes(3).toString('hex')}`;

const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);

const replyError = (outcome: BatchOutcome, index: number): string | null => {
  const reply = outcome.replies[index];
  if (reply && !reply.ok) return reply.error.message;
  if (!reply) return outcome.error?.message ?? 'no reply';
  return null;
};

// ---------------------------------------------------------------------------------------------
// Locks

/**
 * The lock as a key on the master: `SET <key> <owner> NX PX <ttl>`, released only by its owner with a
 * compare-and-delete script on whoever is master at the end (the key replicates with the data).
 */
export function redisKeyLock(props: {
  readonly runBatch: RunBatch;
  readonly deployment: DeploymentConfig;
  readonly credentials: Credentials;
  readonly now: Clock;
}): DrillLock {
  const key = lockKey(props.deployment.name);
  const timeout = props.deployment.timeoutMs;
  const target = (a: Address) => nodeTarget(a, props.deployment, props.credentials);
  const read = async (master: Address, first: readonly RedisCommand[]): Promise<BatchOutcome> => {
    const outcome = await props.runBatch(target(master), [...first, ['GET', key], ['PTTL', key]], timeout);
    const failed = first.length > 0 ? replyError(outcome, 0) : (outcome.error?.message ?? null);
    if (failed !== null || outcome.replies.length < first.length + 2) {
      throw new DrillError(
        `lock ${key} on ${formatAddress(master)}: ${failed ?? outcome.error?.message ?? 'no reply'}`,
      );
    }
    return outcome;
  };
  const held = (outcome: BatchOutcome, offset: number, owner: string): LockResult => {
    const holder = outcome.replies[offset];
    const pttl = outcome.replies[offset + 1];
    const value = holder?.ok ? holder.value : null;
    if (value === null || value === undefined || value === owner) return { acquired: true };
    const ttl = pttl?.ok ? Number(pttl.value) : -1;
    return { acquired: false, heldBy: String(value), expiresAt: props.now() + Math.max(0, ttl) };
  };
  return {
    where: `key ${key} on the master`,
    acquire: async ({ owner, ttlMs, master }) => {
      const outcome = await read(master, [['SET', key, owner, 'NX', 'PX', String(ttlMs)]]);
      const set = outcome.replies[0];
      return set?.ok && set.value === 'OK' ? { acquired: true } : held(outcome, 1, owner);
    },
    peek: async ({ owner, master }) => held(await read(master, []), 0, owner),
    release: async (owner, masters) => {
      let released = false;
      for (const master of masters) {
        const outcome = await props.runBatch(
          target(master),
          [['EVAL', RELEASE_SCRIPT, '1', key, owner]],
          timeout,
        );
        const reply = outcome.replies[0];
        if (reply?.ok && Number(reply.value) === 1) released = true;
      }
      return released;
    },
  };
}

/** Deletes the key only if it still holds our owner string: another drill's lock is left alone. */
export const RELEASE_SCRIPT =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** The lock in the table (the Lambda's): the poller reads it to tell a drill's switch from a real one. */
export function lockStoreLock(store: LockStore, deployment: string, now: Clock): DrillLock {
  return {
    where: 'the DynamoDB drill lock',
    acquire: ({ owner, ttlMs }) => store.acquireLock(deployment, { owner, ttlMs, now: now() }),
    peek: async ({ owner }) => {
      // The store has no read-only check: take a short lock under another owner name and give it back.
      const probe = `${owner}:dry-run`;
      const result = await store.acquireLock(deployment, { owner: probe, ttlMs: 10_000, now: now() });
      if (result.acquired) await store.releaseLock(deployment, probe);
      return result;
    },
    release: (owner) => store.releaseLock(deployment, owner),
  };
}

/** Every lock must be taken; taking stops (and gives back what it took) at the first refusal. */
export function combinedLock(...locks: readonly DrillLock[]): DrillLock {
  return {
    where: locks.map((l) => l.where).join(' and '),
    acquire: async (request) => {
      const taken: DrillLock[] = [];
      for (const lock of locks) {
        let result: LockResult;
        try {
          result = await lock.acquire(request);
        } catch (error) {
          for (const t of taken) await t.release(request.owner, [request.master]).catch(() => false);
          throw error;
        }
        if (!result.acquired) {
          for (const t of taken) await t.release(request.owner, [request.master]).catch(() => false);
          return result;
        }
        taken.push(lock);
      }
      return { acquired: true };
    },
    peek: async (request) => {
      for (const lock of locks) {
        const result = await lock.peek(request);
        if (!result.acquired) return result;
      }
      return { acquired: true };
    },
    release: async (owner, masters) => {
      let all = true;
      for (const lock of locks) all = (await lock.release(owner, masters)) && all;
      return all;
    },
  };
}

// ---------------------------------------------------------------------------------------------

const nodeTarget = (a: Address, d: DeploymentConfig, c: Credentials): BatchTarget => ({
  host: a.host,
  port: a.port,
  tls: d.tls,
  ...(c.password ? { password: c.password } : {}),
  ...(c.username ? { username: c.username } : {}),
});

const sentinelTarget = (a: Address, d: DeploymentConfig, c: Credentials): BatchTarget => ({
  host: a.host,
  port: a.port,
  tls: d.tls,
  ...(c.sentinelPassword ? { password: c.sentinelPassword } : {}),
  ...(c.sentinelUsername ? { username: c.sentinelUsername } : {}),
});

export async function runDrill(
  deployment: DeploymentConfig,
  credentials: Credentials,
  options: DrillOptions,
  deps: DrillDeps,
): Promise<DrillReport> {
  const run = new DrillRun(deployment, credentials, options, deps);
  try {
    await run.execute();
  } catch (error) {
    run.fail(error);
  } finally {
    await run.finish();
  }
  return run.report();
}

class DrillRun {
  readonly #d: DeploymentConfig;
  readonly #c: Credentials;
  readonly #o: DrillOptions;
  readonly #deps: DrillDeps;
  readonly #startedAt: number;
  readonly #id: string;
  readonly #checks: DrillCheck[] = [];
  readonly #timeline: TimelineEntry[] = [];
  readonly #events: SentinelEvent[] = [];
  readonly #legs: FailoverLeg[] = [];
  /** Undo steps, run last-in first-out in `finish` whatever happened. */
  readonly #cleanup: { what: string; run: () => Promise<void> }[] = [];
  #previousMaster: Address | null = null;
  #lastSnapshot: Snapshot | null = null;
  #finalState: FinalState | null = null;
  #canary: { key: string; value: string } | null = null;
  #plan: string[] = [];
  #error: string | null = null;
  #lockHeld = false;
  #finishedAt = 0;

  constructor(d: DeploymentConfig, c: Credentials, o: DrillOptions, deps: DrillDeps) {
    this.#d = d;
    this.#c = c;
    this.#o = o;
    this.#deps = deps;
    this.#startedAt = deps.now();
    this.#id = deps.newId?.() ?? newDrillId(this.#startedAt);
  }

  // -- bookkeeping ------------------------------------------------------------------------------

  #elapsed(): number {
    return this.#deps.now() - this.#startedAt;
  }

  #mark(action: string, detail: string): void {
    this.#timeline.push({
      atMs: this.#elapsed(),
      source: 'drill',
      sentinel: null,
      type: `drill:${action}`,
      detail,
    });
    this.#deps.progress?.(`+${this.#elapsed()}ms ${action}: ${detail}`);
  }

  #check(phase: DrillPhase, result: CheckResult, elapsedMs = this.#elapsed()): boolean {
    this.#checks.push({ ...result, phase, elapsedMs });
    this.#deps.progress?.(
      `+${elapsedMs}ms ${phase} ${result.name}: ${result.passed ? 'ok' : 'FAILED'} (${result.detail})`,
    );
    return result.passed;
  }

  fail(error: unknown): void {
    this.#error = messageOf(error);
    this.#mark('error', this.#error);
  }

  async #poll(): Promise<Snapshot> {
    const poll =
      this.#deps.poll ??
      ((d, c) => pollDeployment(d, c, { runBatch: this.#deps.runBatch, now: this.#deps.now }));
    const snapshot = await poll(this.#d, this.#c);
    this.#lastSnapshot = snapshot;
    return snapshot;
  }

  #node(a: Address): BatchTarget {
    return nodeTarget(a, this.#d, this.#c);
  }

  #batch(a: Address, commands: readonly RedisCommand[]): Promise<BatchOutcome> {
    return this.#deps.runBatch(this.#node(a), commands, this.#d.timeoutMs);
  }

  // -- the drill --------------------------------------------------------------------------------

  async execute(): Promise<void> {
    const snapshot = await this.#poll();
    const pf = preflight(snapshot, this.#d);
    for (const c of pf.checks) this.#check('preflight', c, snapshot.durationMs);
    this.#previousMaster = pf.master ?? snapshot.master;
    const master = pf.master;
    if (!pf.passed || !master) return;

    const ttlMs = this.#o.lockTtlMs ?? this.#lockTtl(snapshot);
    const request = { owner: this.#id, ttlMs, master };
    const lock = this.#o.dryRun
      ? await this.#deps.lock.peek(request)
      : await this.#deps.lock.acquire(request);
    const lockDetail = lock.acquired
      ? `${this.#o.dryRun ? 'free' : 'taken'}: ${this.#deps.lock.where}, expires after ${ttlMs} ms`
      : `another drill holds ${this.#deps.lock.where}: ${lock.heldBy}, until ${new Date(lock.expiresAt).toISOString()}`;
    if (!this.#check('lock', { name: 'no-other-drill', passed: lock.acquired, detail: lockDetail })) return;
    if (this.#o.dryRun) {
      this.#plan = this.#planFor(
        master,
        pf.replicas.filter((r) => r.ready).map((r) => r.address),
        ttlMs,
      );
      return;
    }
    this.#lockHeld = true;

    if (!(await this.#subscribe())) return;
    if (!(await this.#writeCanary(master, pf.replicas.filter((r) => r.ready).length))) return;

    let preferred = false;
    const afterSwitch = this.#o.failback
      ? async () => {
          preferred = await this.#preferOriginal(master);
        }
      : undefined;
    const leg = await this.#failoverLeg('drill', 1, master, { afterSwitch });
    if (!leg?.verified || !leg.to || !this.#o.failback) return;
    await this.#failback(master, leg.to, preferred);
  }

  #lockTtl(snapshot: Snapshot): number {
    const legs =
      1 + (this.#o.failback ? (this.#o.maxFailbackAttempts ?? DRILL_DEFAULTS.maxFailbackAttempts) : 0);
    const perLeg =
      this.#switchTimeout(snapshot) +
      (this.#o.verifyTimeoutMs ?? DRILL_DEFAULTS.verifyTimeoutMs) +
      DRILL_DEFAULTS.writerReadyMs +
      DRILL_DEFAULTS.priorityVisibleMs +
      this.#d.pollTimeoutMs * 2;
    return legs * perLeg + 60_000;
  }

  #switchTimeout(snapshot: Snapshot | null): number {
    if (this.#o.switchTimeoutMs !== undefined) return this.#o.switchTimeoutMs;
    const reported = Math.max(0, ...(snapshot?.sentinels ?? []).map((s) => s.master?.failoverTimeoutMs ?? 0));
    return reported > 0
      ? Math.min(reported + 5000, DRILL_DEFAULTS.maxSwitchTimeoutMs)
      : DRILL_DEFAULTS.maxSwitchTimeoutMs;
  }

  #planFor(master: Address, ready: readonly Address[], ttlMs: number): string[] {
    const keys = drillKeyPrefix('<id>');
    return [
      `take ${this.#deps.lock.where} for at most ${ttlMs} ms`,
      `subscribe to the events of ${this.#d.sentinels.length} sentinel(s)`,
      `write the canary ${keys}:canary to ${formatAddress(master)} and WAIT for ${ready.length} replica(s)`,
      `start a sentinel-aware client and a plain connection to ${formatAddress(master)}, each writing every ${this.#o.writeIntervalMs ?? DRILL_DEFAULTS.writeIntervalMs} ms`,
      `send SENTINEL FAILOVER ${this.#d.masterName} to ${formatAddress(this.#d.sentinels[0])}; Sentinel would promote one of ${ready.map(formatAddress).join(', ') || 'none'}`,
      `wait up to ${this.#switchTimeout(this.#lastSnapshot)} ms for +switch-master, then up to ${this.#o.verifyTimeoutMs ?? DRILL_DEFAULTS.verifyTimeoutMs} ms for every verification check`,
      ...(this.#o.failback
        ? [
            `fail back until ${formatAddress(master)} is master again (at most ${this.#o.maxFailbackAttempts ?? DRILL_DEFAULTS.maxFailbackAttempts} failovers)`,
          ]
        : []),
      'poll once more to report who is master, and release the lock',
    ];
  }

  async #subscribe(): Promise<boolean> {
    const sentinels = this.#d.sentinels.map((a) => sentinelTarget(a, this.#d, this.#c));
    const subscription = await this.#deps.subscribe({
      sentinels,
      masterName: this.#d.masterName,
      timeoutMs: this.#d.timeoutMs,
      now: this.#deps.now,
      onEvent: (e) => {
        if (!isTimelineEvent(e)) return;
        this.#events.push(e);
        this.#timeline.push(timelineEntry(e, this.#startedAt));
      },
    });
    this.#cleanup.push({ what: 'close the event subscriptions', run: () => subscription.close() });
    const n = subscription.subscribed();
    return this.#check('failover', {
      name: 'events-subscribed',
      passed: n > 0,
      detail: `subscribed to ${n}/${sentinels.length} sentinels' events`,
    });
  }

  async #writeCanary(master: Address, replicas: number): Promise<boolean> {
    const key = `${drillKeyPrefix(this.#id)}:canary`;
    const value = `${this.#id}@${new Date(this.#startedAt).toISOString()}`;
    const outcome = await this.#batch(master, [
      ['SET', key, value, 'PX', String(DRILL_DEFAULTS.keyTtlMs)],
      ['WAIT', String(replicas), String(this.#d.timeoutMs)],
    ]);
    const setError = replyError(outcome, 0);
    const waitReply = outcome.replies[1];
    const acks = waitReply?.ok ? Number(waitReply.value) : 0;
    if (setError === null) this.#canary = { key, value };
    const passed = setError === null && acks >= replicas;
    const detail =
      setError !== null
        ? `SET ${key} on ${formatAddress(master)} failed: ${setError}`
        : `${key} written to ${formatAddress(master)}; ${acks}/${replicas} ready replicas acknowledged it within ${this.#d.timeoutMs} ms`;
    this.#mark('canary', detail);
    return this.#check('canary', { name: 'canary-replicated', passed, detail });
  }

  async #failback(original: Address, current: Address, preferred: boolean): Promise<void> {
    const max = this.#o.maxFailbackAttempts ?? DRILL_DEFAULTS.maxFailbackAttempts;
    let master = current;
    for (let attempt = 1; attempt <= max && !sameAddress(master, original); attempt++) {
      const via = preferred ? await this.#waitPriorityVisible(original) : null;
      const leg = await this.#failoverLeg('failback', attempt, master, { via });
      if (!leg?.verified || !leg.to) break;
      master = leg.to;
    }
    const back = sameAddress(master, original);
    this.#check('failback', {
      name: 'failback-complete',
      passed: back,
      detail: back
        ? `${formatAddress(original)} is master again`
        : `${formatAddress(original)} is not master again; master is ${formatAddress(master)}`,
    });
  }

  /**
   * Sentinel picks the replica to promote by priority, offset and run id, not by history, so a plain
   * second failover often promotes the other replica. For a failback the original master is made the
   * preferred candidate (replica-priority 1) right after the drill's switch, while Sentinel converts
   * it anyway; the priority is restored at the end. False when it could not be changed (failback then
   * retries plain failovers).
   */
  async #preferOriginal(original: Address): Promise<boolean> {
    const read = await this.#batch(original, [['CONFIG', 'GET', 'replica-priority']]);
    const reply = read.replies[0];
    const pair = reply?.ok && Array.isArray(reply.value) ? reply.value : null;
    const before = pair ? Number(pair[1]) : Number.NaN;
    if (!Number.isInteger(before) || before <= 1) {
      this.#mark(
        'prefer-original',
        `replica-priority of ${formatAddress(original)} left as is (${pair ? before : (replyError(read, 0) ?? 'unreadable')})`,
      );
      return before === 1;
    }
    const set = await this.#batch(original, [['CONFIG', 'SET', 'replica-priority', '1']]);
    if (replyError(set, 0) !== null) {
      this.#mark('prefer-original', `CONFIG SET replica-priority failed: ${replyError(set, 0)}`);
      return false;
    }
    this.#mark(
      'prefer-original',
      `replica-priority of ${formatAddress(original)} set from ${before} to 1 for the failback`,
    );
    this.#cleanup.push({
      what: `restore replica-priority ${before} on ${formatAddress(original)}`,
      run: async () => {
        // Sentinel rewrote the node's config file while the priority was 1: rewrite it again.
        const restore = await this.#batch(original, [
          ['CONFIG', 'SET', 'replica-priority', String(before)],
          ['CONFIG', 'REWRITE'],
        ]);
        const failed = replyError(restore, 0);
        const rewrite = replyError(restore, 1);
        this.#check('final', {
          name: 'replica-priority-restored',
          passed: failed === null,
          detail:
            failed === null
              ? `replica-priority ${before} restored on ${formatAddress(original)}${rewrite ? ` (CONFIG REWRITE: ${rewrite})` : ''}`
              : `could not restore replica-priority ${before} on ${formatAddress(original)}: ${failed}`,
        });
      },
    });
    return true;
  }

  /**
   * Waits until a sentinel has read replica-priority 1 from the original master (it refreshes INFO
   * every 10 s) and returns it: a forced failover is run by the sentinel that receives it, with its
   * own view of the replicas, so that is the one to ask.
   */
  async #waitPriorityVisible(original: Address): Promise<Address | null> {
    const deadline = this.#deps.now() + DRILL_DEFAULTS.priorityVisibleMs;
    for (;;) {
      const snapshot = await this.#poll();
      const seeing = snapshot.sentinels.find(
        (s) =>
          s.reachable &&
          this.#d.sentinels.some((c) => sameAddress(c, s)) &&
          s.replicas.some((r) => sameAddress(r, original) && r.replicaPriority === 1),
      );
      if (seeing) return { host: seeing.host, port: seeing.port };
      if (this.#deps.now() >= deadline) break;
      await this.#deps.sleep(this.#o.pollIntervalMs ?? DRILL_DEFAULTS.pollIntervalMs);
    }
    this.#mark('prefer-original', 'no sentinel saw replica-priority 1 in time; failing over anyway');
    return null;
  }

  /** One SENTINEL FAILOVER from `from`, measured and verified. Null when it could not be started. */
  async #failoverLeg(
    purpose: 'drill' | 'failback',
    attempt: number,
    from: Address,
    hooks: { readonly afterSwitch?: () => Promise<void>; readonly via?: Address | null } = {},
  ): Promise<FailoverLeg | null> {
    const phase: DrillPhase = purpose === 'drill' ? 'failover' : 'failback';
    const verifyPhase: DrillPhase = purpose === 'drill' ? 'verify' : 'failback';
    const prefix = `${drillKeyPrefix(this.#id)}:${purpose === 'drill' ? 'drill' : `failback-${attempt}`}`;
    const clientKey = `${prefix}:client`;
    const oldKey = `${prefix}:old-master`;
    const ttl = String(DRILL_DEFAULTS.keyTtlMs);
    // Seed both lists with an expiry: the writers only push, and the keys must not outlive the drill.
    const seed = await this.#batch(from, [
      ['RPUSH', clientKey, '0'],
      ['PEXPIRE', clientKey, ttl],
      ['RPUSH', oldKey, '0'],
      ['PEXPIRE', oldKey, ttl],
    ]);
    const seedError = [0, 1, 2, 3].map((i) => replyError(seed, i)).find((e) => e !== null) ?? null;
    if (seedError !== null) {
      this.#check(phase, {
        name: 'writers-ready',
        passed: false,
        detail: `could not write to ${formatAddress(from)}: ${seedError}`,
      });
      return null;
    }

    const interval = this.#o.writeIntervalMs ?? DRILL_DEFAULTS.writeIntervalMs;
    const spec = { intervalMs: interval, timeoutMs: this.#d.timeoutMs, now: this.#deps.now };
    const writers: ContinuousWriter[] = [];
    const stopWriters = async () => {
      await Promise.all(writers.map((w) => w.stop()));
    };
    this.#cleanup.push({ what: 'stop the writers', run: stopWriters });
    const client = this.#deps.writers.sentinelAware({
      ...spec,
      key: clientKey,
      sentinels: this.#d.sentinels.map((a) => sentinelTarget(a, this.#d, this.#c)),
      masterName: this.#d.masterName,
      credentials: this.#c,
      tls: this.#d.tls,
    });
    writers.push(client);
    const plain = this.#deps.writers.plain({ ...spec, key: oldKey, target: this.#node(from) });
    writers.push(plain);
    const ready = await Promise.all([
      client.waitForFirstAck(DRILL_DEFAULTS.writerReadyMs),
      plain.waitForFirstAck(DRILL_DEFAULTS.writerReadyMs),
    ]);
    const readyDetail = `sentinel-aware client ${ready[0] ? 'writing' : 'could not write'}, plain connection to ${formatAddress(from)} ${ready[1] ? 'writing' : 'could not write'} (every ${interval} ms)`;
    if (!this.#check(phase, { name: 'writers-ready', passed: ready[0] && ready[1], detail: readyDetail })) {
      await stopWriters();
      return null;
    }

    // Failover
    const eventsBefore = this.#events.length;
    const sentAt = this.#deps.now();
    const startedAtMs = sentAt - this.#startedAt;
    const reply = await this.#sendFailover(hooks.via ?? null);
    this.#mark(
      'failover',
      `SENTINEL FAILOVER ${this.#d.masterName} -> ${reply.sentinel ?? 'no sentinel answered'}: ${reply.error ?? 'OK'}`,
    );
    const base = { purpose, attempt, from, sentinel: reply.sentinel, startedAtMs };
    // A leg that ended before any switch: nothing to verify, and the old master's writes are all still there.
    const unswitched = (abortReason: string) =>
      this.#addLeg({
        ...base,
        to: null,
        timeToSwitchMs: null,
        timeToVerifiedMs: null,
        verified: false,
        abortReason,
        clientWrites: null,
        oldMasterWrites: null,
      });
    if (reply.error !== null) {
      this.#check(phase, {
        name: 'failover-accepted',
        passed: false,
        detail: `${reply.sentinel ?? 'no sentinel'}: ${reply.error}`,
      });
      await stopWriters();
      const abortReason = reply.sentinel
        ? abortReasonFromReply(reply.sentinel, reply.error)
        : `SENTINEL FAILOVER not sent: ${reply.error}`;
      return unswitched(abortReason);
    }
    this.#check(phase, { name: 'failover-accepted', passed: true, detail: `${reply.sentinel} answered OK` });

    const switched = await this.#waitForSwitch(from, eventsBefore, sentAt);
    const newEvents = this.#events.slice(eventsBefore);
    let abortReason = abortReasonFromEvents(newEvents);
    if (!switched.to) {
      abortReason ??= switched.reason;
      this.#check(phase, { name: 'switch-announced', passed: false, detail: abortReason });
      await stopWriters();
      // Sentinel never switched: what the old master acknowledged is still there, nothing to count.
      return unswitched(abortReason);
    }
    const to = switched.to;
    const timeToSwitchMs = switched.at === null ? null : switched.at - sentAt;
    this.#check(phase, {
      name: 'switch-announced',
      passed: true,
      detail:
        switched.at === null
          ? `no +switch-master event seen, but the sentinels name ${formatAddress(to)}`
          : `+switch-master ${formatAddress(from)} -> ${formatAddress(to)} after ${timeToSwitchMs} ms`,
    });

    await hooks.afterSwitch?.();

    // Verify
    const verification = await this.#verify(from, verifyPhase, sentAt);
    const newMaster = verification.newMaster ?? to;

    // Stop writing, then count what survived on the new master.
    const stoppedAt = this.#deps.now();
    const [clientSamples, plainSamples] = await Promise.all([client.stop(), plain.stop()]);
    const lists = await this.#batch(newMaster, [
      ['LRANGE', clientKey, '0', '-1'],
      ['LRANGE', oldKey, '0', '-1'],
      ['DEL', clientKey, oldKey],
    ]);
    const present = (i: number): Set<number> | null => {
      const r = lists.replies[i];
      return r?.ok && Array.isArray(r.value) ? new Set(r.value.map(Number)) : null;
    };
    const clientWrites = summarizeClientWrites(clientSamples, {
      origin: this.#startedAt,
      present: present(0),
      stoppedAt,
    });
    const oldMasterWrites = summarizeSplitBrain(plainSamples, { switchAt: switched.at, present: present(1) });
    this.#mark(
      'writes',
      `client: ${clientWrites.acknowledged}/${clientWrites.attempted} acknowledged, outage ${clientWrites.outageMs} ms, lost ${clientWrites.lost ?? '?'}; ` +
        `old master: ${oldMasterWrites.acknowledgedAfterSwitch} acknowledged after the switch over ${oldMasterWrites.windowMs} ms, lost ${oldMasterWrites.lost ?? '?'}`,
    );
    return this.#addLeg({
      ...base,
      to: newMaster,
      timeToSwitchMs,
      timeToVerifiedMs: verification.verifiedAt === null ? null : verification.verifiedAt - sentAt,
      verified: verification.verifiedAt !== null,
      abortReason,
      clientWrites,
      oldMasterWrites,
    });
  }

  #addLeg(leg: FailoverLeg): FailoverLeg {
    this.#legs.push(leg);
    return leg;
  }

  /** Sends SENTINEL FAILOVER to `first` (if given), else to the first configured sentinel that answers. */
  async #sendFailover(first: Address | null): Promise<{ sentinel: string | null; error: string | null }> {
    let last = 'no sentinel configured';
    const order = first
      ? [first, ...this.#d.sentinels.filter((a) => !sameAddress(a, first))]
      : this.#d.sentinels;
    for (const address of order) {
      const outcome = await this.#deps.runBatch(
        sentinelTarget(address, this.#d, this.#c),
        [['SENTINEL', 'FAILOVER', this.#d.masterName]],
        this.#d.timeoutMs,
      );
      const reply = outcome.replies[0];
      if (reply) return { sentinel: formatAddress(address), error: reply.ok ? null : reply.error.message };
      last = `${formatAddress(address)}: ${outcome.error?.message ?? 'no reply'}`;
    }
    return { sentinel: null, error: last };
  }

  async #waitForSwitch(
    from: Address,
    eventsBefore: number,
    sentAt: number,
  ): Promise<{ to: Address | null; at: number | null; reason: string }> {
    const timeout = this.#switchTimeout(this.#lastSnapshot);
    const deadline = sentAt + timeout;
    for (;;) {
      const events = this.#events.slice(eventsBefore);
      const sw = events.find(
        (e) => e.type === '+switch-master' && e.switch && sameAddress(e.switch.from, from),
      );
      if (sw?.switch) return { to: sw.switch.to, at: sw.at, reason: '' };
      if (events.some(isFailoverAbort)) break;
      if (this.#deps.now() >= deadline) break;
      await this.#deps.sleep(25);
    }
    // No event: maybe the subscriptions missed it. Ask the sentinels themselves.
    const snapshot = await this.#poll();
    const named = snapshot.master;
    if (named && !sameAddress(named, from) && snapshot.consensus.unanimous)
      return { to: named, at: null, reason: '' };
    return {
      to: null,
      at: null,
      reason: `no +switch-master within ${timeout} ms; the sentinels name ${named ? formatAddress(named) : 'no agreed master'}`,
    };
  }

  async #verify(
    oldMaster: Address,
    phase: DrillPhase,
    sentAt: number,
  ): Promise<{ newMaster: Address | null; verifiedAt: number | null }> {
    const deadline = this.#deps.now() + (this.#o.verifyTimeoutMs ?? DRILL_DEFAULTS.verifyTimeoutMs);
    const since = new Map<string, number | null>();
    const expect = {
      oldMaster,
      sentinels: this.#d.sentinels,
      expectedReplicas: this.#d.expectedReplicas,
      canary: this.#canary,
    };
    let last: { checks: readonly CheckResult[]; newMaster: Address | null } | null = null;
    for (;;) {
      const snapshot = await this.#poll();
      const candidate = snapshot.master && !sameAddress(snapshot.master, oldMaster) ? snapshot.master : null;
      const probe = candidate ? await this.#probe(candidate) : null;
      const v = verifyFailover(snapshot, probe, expect);
      const t = this.#elapsed();
      for (const c of v.checks) {
        if (!c.passed) since.set(c.name, null);
        else if ((since.get(c.name) ?? null) === null) since.set(c.name, t);
      }
      last = v;
      if (v.passed || this.#deps.now() >= deadline) {
        const verifiedAt = v.passed ? this.#deps.now() : null;
        for (const c of v.checks) this.#check(phase, c, c.passed ? (since.get(c.name) ?? t) : t);
        if (v.passed)
          this.#mark('verified', `every check passed ${verifiedAt! - sentAt} ms after SENTINEL FAILOVER`);
        return { newMaster: last.newMaster, verifiedAt };
      }
      await this.#deps.sleep(this.#o.pollIntervalMs ?? DRILL_DEFAULTS.pollIntervalMs);
    }
  }

  async #probe(address: Address): Promise<NewMasterProbe> {
    const outcome = await this.#batch(address, [
      ['SET', `${drillKeyPrefix(this.#id)}:probe`, String(this.#deps.now()), 'PX', '60000'],
      ['GET', this.#canary?.key ?? `${drillKeyPrefix(this.#id)}:canary`],
    ]);
    const write = outcome.replies[0];
    const get = outcome.replies[1];
    return {
      address,
      writeOk: write?.ok === true && write.value === 'OK',
      writeError: replyError(outcome, 0),
      canaryValue: get?.ok && typeof get.value === 'string' ? get.value : null,
    };
  }

  // -- the end, whatever happened ----------------------------------------------------------------

  async finish(): Promise<void> {
    while (this.#cleanup.length > 0) {
      const step = this.#cleanup.pop()!;
      try {
        await step.run();
      } catch (error) {
        this.#mark('cleanup-failed', `${step.what}: ${messageOf(error)}`);
      }
    }
    const finalSnapshot = await this.#finalPoll();
    if (this.#lockHeld) {
      const masters = [
        ...(finalSnapshot?.master ? [finalSnapshot.master] : []),
        ...(finalSnapshot?.nodes.filter((n) => n.role === 'master') ?? []),
        ...(this.#previousMaster ? [this.#previousMaster] : []),
      ]
        .map((a) => ({ host: a.host, port: a.port }))
        .filter((a, i, all) => all.findIndex((b) => sameAddress(a, b)) === i);
      try {
        const released = await this.#deps.lock.release(this.#id, masters);
        this.#check('final', {
          name: 'lock-released',
          passed: released,
          detail: released
            ? `released ${this.#deps.lock.where}`
            : `${this.#deps.lock.where} was no longer ours (expired?)`,
        });
      } catch (error) {
        this.#check('final', {
          name: 'lock-released',
          passed: false,
          detail: `${messageOf(error)}; it expires on its own`,
        });
      }
    }
    this.#finishedAt = this.#deps.now();
  }

  async #finalPoll(): Promise<Snapshot | null> {
    let snapshot: Snapshot | null = null;
    // A dry run or a refusal changed nothing: its preflight poll is the final word.
    const changed = this.#lockHeld && !this.#o.dryRun;
    try {
      snapshot = changed || !this.#lastSnapshot ? await this.#poll() : this.#lastSnapshot;
    } catch (error) {
      this.#finalState = {
        master: null,
        unanimous: false,
        role: null,
        takenAt: new Date(this.#deps.now()).toISOString(),
        detail: `the final poll failed: ${messageOf(error)}`,
      };
      this.#check('final', { name: 'final-master', passed: false, detail: this.#finalState.detail });
      return null;
    }
    const master = snapshot.master;
    const node = master ? snapshot.nodes.find((n) => sameAddress(n, master)) : undefined;
    const role = node?.role ?? null;
    const agree = snapshot.consensus.votes[0]?.sentinels.length ?? 0;
    const answering = snapshot.sentinels.filter((s) => s.masterAddress !== null).length;
    const votes = snapshot.consensus.votes
      .map((v) => `${formatAddress(v.address)} x${v.sentinels.length}`)
      .join(', ');
    const detail = master
      ? `${agree}/${answering} answering sentinels name ${formatAddress(master)}, which reports role:${role ?? `? (${node?.error?.message ?? 'not read'})`}${snapshot.consensus.unanimous ? '' : `; sentinels disagree: ${votes}`}`
      : answering === 0
        ? 'no sentinel named a master'
        : `sentinels disagree: ${votes}`;
    this.#finalState = {
      master,
      unanimous: snapshot.consensus.unanimous,
      role,
      takenAt: snapshot.takenAt,
      detail,
    };
    this.#check('final', {
      name: 'final-master',
      passed: master !== null && snapshot.consensus.unanimous && role === 'master',
      detail,
    });
    return snapshot;
  }

  report(): DrillReport {
    return buildDrillReport({
      id: this.#id,
      deployment: this.#d.name,
      masterName: this.#d.masterName,
      startedAt: this.#startedAt,
      finishedAt: this.#finishedAt || this.#deps.now(),
      dryRun: this.#o.dryRun === true,
      failbackRequested: this.#o.failback === true,
      previousMaster: this.#previousMaster,
      checks: this.#checks,
      legs: this.#legs,
      timeline: this.#timeline,
      finalState: this.#finalState,
      error: this.#error,
      canary: this.#canary,
      plan: this.#plan,
    });
  }
}
