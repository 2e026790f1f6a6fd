// One poller invocation, with every outside thing injected: for each configured deployment, in
// parallel, poll -> detect -> advance incidents -> store -> publish through the outbox (state.ts).
// With `pollEverySeconds` it keeps polling within the scheduled minute and, between polls, listens to
// the sentinels' pub/sub so that a failover is polled at once instead of at the next tick. It stops
// early enough to save and publish before the next scheduled invocation and before its own timeout.

import { renderAlert } from '../core/alert-text';
import type { BatchTarget, RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig, WatchConfig } from '../core/config';
import { detect, detectionSettings } from '../core/detect';
import { drillContext, drillLockFromSnapshot } from '../core/drill-context';
import { ConfigError, SentinelWatchError } from '../core/errors';
import { advanceIncidents, type Notification } from '../core/incidents';
import type { Presentation } from '../core/notify/presentation';
import type { AlertPublisher, Clock, SecretSource } from '../core/ports';
import { type SentinelEvent, TRIGGER_EVENTS } from '../core/sentinel-event';
import { maxLagBytes, toSnapshotRecord } from '../core/snapshot-record';
import type { LockReader, SnapshotStore, StateStore } from '../core/store-ports';
import type { Snapshot } from '../core/types';
import { buildTimeline, TIMELINE_NOISE } from '../core/watch-cycle';
import { pollDeployment } from '../probe/poll-deployment';
import {
  claim,
  compactSnapshot,
  enqueue,
  loadPollerState,
  type OutboxEntry,
  type PollerState,
  type PublishOutcome,
  pendingCount,
  settle,
} from './state';
import { fitPollerState } from './state-budget';

/** Structured log sink (the handler passes Powertools' logger). Data must never carry a secret. */
export interface PollerLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export type Probe = (deployment: DeploymentConfig, credentials: Credentials) => Promise<Snapshot>;

/** Sleeps `ms`; resolves early (never rejects) when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface SubscribeRequest {
  readonly deployment: string;
  readonly masterName: string;
  readonly sentinels: readonly BatchTarget[];
  readonly timeoutMs: number;
  readonly onEvent: (event: SentinelEvent) => void;
}

export type Subscribe = (request: SubscribeRequest) => Promise<{ close(): Promise<void> }>;

/** What one poll of one deployment measured: the handler turns it into metrics. */
export interface PollReport {
  readonly deployment: string;
  readonly takenAt: string;
  readonly pollDurationMs: number;
  readonly reachableNodes: number;
  readonly reachableSentinels: number;
  readonly maxReplicaLagBytes: number | null;
  readonly maxReplicaLagSeconds: number | null;
  readonly openIncidents: number;
  readonly findings: number;
  readonly notifications: number;
  readonly published: number;
  /** Alerts still waiting after this poll (publish failed or time ran out). */
  readonly pending: number;
  readonly dropped: number;
}

export interface PollerDeps {
  readonly probe: Probe;
  readonly store: SnapshotStore & StateStore & LockReader;
  readonly publisher: AlertPublisher;
  readonly secrets: SecretSource;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Environment for `passwordEnv` (local runs). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Sentinel pub/sub between polls (only with pollEverySeconds); none: wait for the next tick only. */
  readonly subscribe?: Subscribe;
  readonly log?: PollerLog;
  readonly onPoll?: (report: PollReport) => void;
  /** [0, 1) for backoff jitter; default Math.random. */
  readonly random?: () => number;
  /** Runbook and dashboard links, and the time zone, of the alert text; none by default. */
  readonly presentation?: Presentation;
}

export interface PublishRetry {
  /** Tries per alert within one poll (default 4). */
  readonly attempts: number;
  /** First backoff; doubles per try, with jitter (default 200 ms). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RunOptions {
  /** Unique per invocation (request id + random): it owns the outbox entries it claims. */
  readonly owner: string;
  /** The Lambda's `context.getRemainingTimeInMillis`. */
  readonly remainingMs: () => number;
  /** The schedule period: no poll starts so late that it would overlap the next invocation (60 s). */
  readonly windowMs?: number;
  /** Kept free at the end for saving and publishing after the last poll (default 5 s). */
  readonly reserveMs?: number;
  readonly publish?: Partial<PublishRetry>;
  /** Event-triggered polls wait this long for the rest of a burst (default 300 ms)... */
  readonly debounceMs?: number;
  /** ...and never start less than this after the previous poll (default 1 s). */
  readonly minGapMs?: number;
}

export const RUN_DEFAULTS = {
  windowMs: 60_000,
  reserveMs: 5_000,
  debounceMs: 300,
  minGapMs: 1_000,
  publish: { attempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 } satisfies PublishRetry,
} as const;

/** Events remembered for a failover timeline. */
const TIMELINE_WINDOW_MS = 10 * 60_000;
/** Codes whose alert carries the sentinels' recent events. */
const TIMELINE_CODES: readonly string[] = ['MASTER_CHANGED', 'FAILOVER_IN_PROGRESS'];
const MARK_ATTEMPTS = 5;

export interface DeploymentSummary {
  readonly deployment: string;
  readonly polls: number;
  readonly published: number;
  /** Alerts left pending for the next poll or invocation. */
  readonly pending: number;
  /** `conflict`: another invocation saved this deployment's state first and carries on with it. */
  readonly stopped: 'done' | 'conflict' | 'error';
  readonly error?: string;
}

export interface RunSummary {
  readonly deployments: readonly DeploymentSummary[];
}

/** Some deployments could not be polled or their state not saved; the others were. */
export class PollerError extends SentinelWatchError {
  constructor(
    readonly failures: readonly { readonly deployment: string; readonly error: string }[],
    options?: { cause?: unknown },
  ) {
    super(
      `poll failed for ${failures.length} deployment${failures.length === 1 ? '' : 's'}: ${failures
        .map((f) => `${f.deployment}: ${f.error}`)
        .join('; ')}`,
      options,
    );
  }
}

/** The probe over a batch runner: what the handler and the integration tests use. */
export const probeWith =
  (runBatch: RunBatch, now: Clock): Probe =>
  (deployment, credentials) =>
    pollDeployment(deployment, credentials, { runBatch, now });

/** The default Sleep: a timer that an abort signal cuts short. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Passwords for one deployment: Secrets Manager (`passwordSecretArn`) or, for local runs, an
 * environment variable (`passwordEnv`). A variable the config names must be set.
 */
export async function resolveCredentials(
  d: DeploymentConfig,
  index: number,
  secrets: SecretSource,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Credentials> {
  const fromEnv = (name: string | null, key: string): string | undefined => {
    if (name === null) return undefined;
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ConfigError(`deployments[${index}].${key}`, `environment variable ${name} is not set`);
    }
    return value;
  };
  const [password, sentinelPassword] = await Promise.all([
    d.passwordSecretArn ? secrets.getSecret(d.passwordSecretArn) : fromEnv(d.passwordEnv, 'passwordEnv'),
    d.sentinelPasswordSecretArn
      ? secrets.getSecret(d.sentinelPasswordSecretArn)
      : fromEnv(d.sentinelPasswordEnv, 'sentinelPasswordEnv'),
  ]);
  return {
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(d.username ? { username: d.username } : {}),
    ...(d.sentinelUsername ? { sentinelUsername: d.sentinelUsername } : {}),
  };
}

/**
 * One invocation. Resolves with a summary when every deployment was handled (a lost race to another
 * invocation included); rejects with PollerError, after the others are done, when some could not be.
 */
export async function runPoller(
  config: WatchConfig,
  deps: PollerDeps,
  options: RunOptions,
): Promise<RunSummary> {
  const startedAt = deps.clock();
  const remaining = Math.max(0, options.remainingMs());
  const budget = {
    startedAt,
    hardEnd: startedAt + remaining,
    stopAt: startedAt + Math.min(options.windowMs ?? RUN_DEFAULTS.windowMs, remaining),
    reserveMs: options.reserveMs ?? RUN_DEFAULTS.reserveMs,
  };
  const summaries = await Promise.all(
    config.deployments.map((d, i) => watchDeployment(config, d, i, deps, options, budget)),
  );
  const failures = summaries
    .filter((s) => s.stopped === 'error')
    .map((s) => ({ deployment: s.deployment, error: s.error ?? 'unknown error' }));
  if (failures.length > 0) throw new PollerError(failures);
  return { deployments: summaries };
}

interface Budget {
  readonly startedAt: number;
  /** The Lambda is killed here. */
  readonly hardEnd: number;
  /** End of the scheduled window (or of the remaining time, if sooner). */
  readonly stopAt: number;
  readonly reserveMs: number;
}

async function watchDeployment(
  config: WatchConfig,
  d: DeploymentConfig,
  index: number,
  deps: PollerDeps,
  options: RunOptions,
  budget: Budget,
): Promise<DeploymentSummary> {
  const log = deps.log ?? silentLog;
  const everyMs = config.pollEverySeconds === null ? null : config.pollEverySeconds * 1000;
  const debounceMs = options.debounceMs ?? RUN_DEFAULTS.debounceMs;
  const minGapMs = options.minGapMs ?? RUN_DEFAULTS.minGapMs;
  const events: SentinelEvent[] = [];
  let wake: AbortController | null = null;
  let triggered = false;
  let polls = 0;
  let published = 0;
  let pending = 0;
  let subscription: Promise<{ close(): Promise<void> } | null> | null = null;

  const onEvent = (event: SentinelEvent): void => {
    if (event.type.startsWith('__')) return; // hello messages between sentinels
    if (!TIMELINE_NOISE.includes(event.type)) events.push(event);
    const cutoff = deps.clock() - TIMELINE_WINDOW_MS;
    while (events.length > 0 && (events[0].at < cutoff || events.length > 100)) events.shift();
    if (TRIGGER_EVENTS.includes(event.type)) {
      triggered = true;
      wake?.abort();
    }
  };
  // A poll may start only if it can finish, and leave the reserve, before the window closes.
  const latestStart = budget.stopAt - d.pollTimeoutMs - budget.reserveMs;

  try {
    const credentials = await resolveCredentials(d, index, deps.secrets, deps.env ?? {});
    for (;;) {
      // This poll sees whatever the events so far announced; only later ones call for another.
      triggered = false;
      const pollStartedAt = deps.clock();
      const result = await pollOnce(config, d, credentials, deps, options, budget, events);
      // The next switch's timeline starts after this one's.
      if (result.switched) events.length = 0;
      polls++;
      published += result.published;
      pending = result.pending;
      if (result.status === 'conflict') {
        log.info('another invocation saved this deployment first: it sends the alerts; stopping here', {
          deployment: d.name,
        });
        return { deployment: d.name, polls, published, pending, stopped: 'conflict' };
      }
      if (everyMs === null) break;
      if (subscription === null && deps.subscribe) {
        subscription = deps
          .subscribe({
            deployment: d.name,
            masterName: d.masterName,
            sentinels: d.sentinels.map((a) => ({
              ...a,
              tls: d.tls,
              ...(credentials.sentinelPassword ? { password: credentials.sentinelPassword } : {}),
              ...(credentials.sentinelUsername ? { username: credentials.sentinelUsername } : {}),
            })),
            timeoutMs: d.timeoutMs,
            onEvent,
          })
          .catch((error: unknown) => {
            log.warn('could not listen to sentinel events; polling on the clock only', {
              deployment: d.name,
              error: errorText(error),
            });
            return null;
          });
      }
      // Wait for the next tick, or for a sentinel event (then a short debounce for the rest of the
      // burst). Near the end of the window, only an event can still start a poll.
      const nextTick = pollStartedAt + everyMs;
      if (!triggered) {
        const now = deps.clock();
        if (now >= latestStart) break;
        const until = Math.min(nextTick, latestStart);
        wake = new AbortController();
        await deps.sleep(until - now, wake.signal);
        wake = null;
        if (!triggered && until < nextTick) break;
      }
      if (triggered) {
        await deps.sleep(Math.max(debounceMs, pollStartedAt + minGapMs - deps.clock()));
      }
      if (deps.clock() > latestStart) break;
    }
    return { deployment: d.name, polls, published, pending, stopped: 'done' };
  } catch (error) {
    log.error('poll failed', { deployment: d.name, error: errorText(error) });
    return { deployment: d.name, polls, published, pending, stopped: 'error', error: errorText(error) };
  } finally {
    const sub = await subscription;
    await sub?.close().catch(() => undefined);
  }
}

interface PollResult {
  readonly status: 'ok' | 'conflict';
  /** A MASTER_CHANGED was queued. */
  readonly switched?: boolean;
  readonly published: number;
  readonly pending: number;
}

async function pollOnce(
  config: WatchConfig,
  d: DeploymentConfig,
  credentials: Credentials,
  deps: PollerDeps,
  options: RunOptions,
  budget: Budget,
  events: readonly SentinelEvent[],
): Promise<PollResult> {
  const log = deps.log ?? silentLog;
  const [loaded, lock] = await Promise.all([
    deps.store.loadState<unknown>(d.name),
    deps.store.currentLock(d.name),
  ]);
  const state = loadPollerState(loaded?.state);

  const now = deps.clock();
  const snapshot = await deps.probe(d, credentials);
  // The DynamoDB lock (drill Lambda), else the key on the master (any drill, the CLI's too).
  const drill = drillContext(lock ?? drillLockFromSnapshot(snapshot), state.drill, now);
  const detection = detect({
    current: snapshot,
    previous: state.lastSnapshot,
    state: state.detection,
    settings: detectionSettings(d),
    now,
    events,
    ...(drill.context ? { context: drill.context } : {}),
  });
  const polled: Snapshot = { ...snapshot, findings: detection.findings };
  const advanced = advanceIncidents({
    incidents: state.incidents,
    findings: detection.findings,
    deployment: d.name,
    now,
    reminderMinutes: d.reminderMinutes,
  });
  const notifications = advanced.notifications.map((n) => withTimeline(n, events, now));

  // Step 2 of the outbox: queue, claim, and save conditionally. Losing this race means another
  // invocation polled this deployment from the same state: its notifications stand, ours are dropped.
  const queued = enqueue(state.outbox, notifications, now);
  if (queued.dropped.length > 0) {
    log.error('outbox full: oldest pending alerts dropped', {
      deployment: d.name,
      dropped: queued.dropped.map((e) => e.key),
    });
  }
  const leaseUntil = budget.hardEnd + 5_000;
  const claimed = claim(queued.outbox, options.owner, leaseUntil, now);
  const next: PollerState = fitPollerState({
    version: 1,
    detection: detection.state,
    incidents: advanced.incidents,
    outbox: claimed.outbox,
    lastSnapshot: compactSnapshot(polled),
    drill: drill.remember,
  });
  const saved = await deps.store.saveState(d.name, next, loaded?.version ?? null);
  if (saved === 'conflict') return { status: 'conflict', published: 0, pending: 0 };
  const version = (loaded?.version ?? 0) + 1;

  const record = toSnapshotRecord(polled, { retentionDays: config.retentionDays });
  const [outcomes] = await Promise.all([
    publishClaimed(claimed.claimed, deps, options, budget, d.name),
    deps.store.putSnapshot(record).catch((error: unknown) => {
      // History is nice to have; alerts are not: a failed snapshot write does not stop publishing.
      log.warn('could not store the snapshot', { deployment: d.name, error: errorText(error) });
    }),
  ]);
  const finalOutbox =
    claimed.claimed.length > 0
      ? await recordOutcomes(d.name, next, version, outcomes, deps, options)
      : next.outbox;

  const sent = outcomes.filter((o) => o.sent).length;
  const report: PollReport = {
    deployment: d.name,
    takenAt: polled.takenAt,
    pollDurationMs: polled.durationMs,
    reachableNodes: polled.nodes.filter((n) => n.reachable).length,
    reachableSentinels: polled.sentinels.filter((s) => s.reachable).length,
    maxReplicaLagBytes: maxLagBytes(record),
    maxReplicaLagSeconds: maxOf(record.nodes.map((n) => n.ackAgeSeconds)),
    openIncidents: Object.values(advanced.incidents.incidents).filter((i) => i.status === 'open').length,
    findings: polled.findings.length,
    notifications: notifications.length,
    published: sent,
    pending: pendingCount(finalOutbox),
    dropped: queued.dropped.length,
  };
  log.info('polled', {
    deployment: d.name,
    master: record.master,
    durationMs: polled.durationMs,
    findings: polled.findings.map((f) => `${f.severity} ${f.code} ${f.subject}`),
    notifications: notifications.map((n) => `${n.type} ${n.code} ${n.subject}`),
    published: sent,
    pending: report.pending,
    drill: drill.context?.drill?.id ?? null,
  });
  deps.onPoll?.(report);
  return {
    status: 'ok',
    published: sent,
    pending: report.pending,
    switched: notifications.some((n) => n.code === 'MASTER_CHANGED'),
  };
}

/** The drill to attribute this poll's changes to, and what to remember of it for the next poll. */

/** Adds the sentinels' recent events to the alerts of a switch or a failover. */
function withTimeline(n: Notification, events: readonly SentinelEvent[], now: number): Notification {
  if (!TIMELINE_CODES.includes(n.code) || n.type === 'resolved') return n;
  const recent = events.filter((e) => now - e.at <= TIMELINE_WINDOW_MS);
  if (recent.length === 0) return n;
  return { ...n, details: { ...n.details, timeline: buildTimeline(recent) } };
}

/** Step 3: publish the claimed entries, oldest first; stop at the first one that keeps failing. */
async function publishClaimed(
  entries: readonly OutboxEntry[],
  deps: PollerDeps,
  options: RunOptions,
  budget: Budget,
  deployment: string,
): Promise<PublishOutcome[]> {
  const log = deps.log ?? silentLog;
  const retry: PublishRetry = { ...RUN_DEFAULTS.publish, ...options.publish };
  const random = deps.random ?? Math.random;
  // Publishing must end in time to record the outcome before the Lambda is stopped.
  const deadline = budget.hardEnd - Math.min(2_000, budget.reserveMs);
  const outcomes: PublishOutcome[] = [];
  for (const entry of [...entries].sort((a, b) => a.queuedAt - b.queuedAt)) {
    let attempts = 0;
    let lastError: string | null = null;
    let sent = false;
    while (attempts < retry.attempts && deps.clock() < deadline) {
      attempts++;
      try {
        await deps.publisher.publish(renderAlert(entry.notification, deps.presentation));
        sent = true;
        break;
      } catch (error) {
        lastError = (error as Error | undefined)?.name ?? 'Error';
        const retryable = (error as { retryable?: unknown } | undefined)?.retryable !== false;
        log.warn('publish failed', {
          deployment,
          alert: entry.key,
          attempt: attempts,
          error: errorText(error),
          retryable,
        });
        if (!retryable || attempts >= retry.attempts) break;
        const delay =
          Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempts - 1)) * (0.5 + random() / 2);
        if (deps.clock() + delay >= deadline) break;
        await deps.sleep(delay);
      }
    }
    if (sent) {
      outcomes.push({ key: entry.key, sent: true, attempts, at: deps.clock() });
      log.info('alert published', {
        deployment,
        alert: entry.key,
        code: entry.notification.code,
        type: entry.notification.type,
        severity: entry.notification.severity,
        attempts,
      });
      continue;
    }
    outcomes.push({ key: entry.key, sent: false, attempts, error: lastError });
    // The rest stay queued in order: an `opened` must not arrive after its `resolved`.
    break;
  }
  return outcomes;
}

/** Step 4: record what was sent; on a conflict re-read and re-apply our own outcomes only. */
async function recordOutcomes(
  deployment: string,
  saved: PollerState,
  savedVersion: number,
  outcomes: readonly PublishOutcome[],
  deps: PollerDeps,
  options: RunOptions,
): Promise<readonly OutboxEntry[]> {
  const log = deps.log ?? silentLog;
  let base = saved;
  let version = savedVersion;
  for (let attempt = 1; attempt <= MARK_ATTEMPTS; attempt++) {
    const outbox = settle(base.outbox, options.owner, outcomes);
    const result = await deps.store.saveState(deployment, { ...base, outbox }, version);
    if (result === 'saved') return outbox;
    const reloaded = await deps.store.loadState<unknown>(deployment);
    if (!reloaded) break;
    base = loadPollerState(reloaded.state);
    version = reloaded.version;
  }
  // Sent alerts stay claimed by us until the lease ends, then are sent again: say so loudly.
  log.error('could not record which alerts were sent; they may be sent again after the lease', {
    deployment,
    alerts: outcomes.filter((o) => o.sent).map((o) => o.key),
  });
  return saved.outbox;
}

const maxOf = (values: readonly (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
};

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';

const silentLog: PollerLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export { drillContext };
