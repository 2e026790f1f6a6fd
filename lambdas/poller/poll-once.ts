// One poll of one deployment, and its state load-save: load STATE, probe, detect, advance incidents,
// queue and claim their notifications and save STATE conditionally (steps 1-2 of the outbox protocol
// in state.ts); then store the snapshot while deliver.ts publishes (steps 3-4), and report what the
// poll measured.

import type { Credentials, DeploymentConfig, WatchConfig } from '../core/config';
import { detect, detectionSettings } from '../core/detect';
import { drillContextOf, drillLockFromSnapshot } from '../core/drill-context';
import { advanceIncidents, type Notification } from '../core/incidents';
import type { SentinelEvent } from '../core/sentinel-event';
import type { Silence } from '../core/silence';
import { applySilences, markSilenced } from '../core/silence-policy';
import { maxLagBytes, toSnapshotRecord } from '../core/snapshot-record';
import { type StoredState, unreadableStateVersion } from '../core/store-ports';
import type { Address, Snapshot } from '../core/types';
import { buildTimeline } from '../core/watch-cycle';
import { publishClaimed, recordOutcomes } from './deliver';
import { isSupersededBy, type RunMark } from './handover';
import { claim, compactSnapshot, enqueue, loadPollerState, type PollerState, pendingCount } from './state';
import { fitPollerState } from './state-budget';
import {
  type Budget,
  errorText,
  type PollerDeps,
  type PollReport,
  type RunOptions,
  silentLog,
} from './types';

/**
 * The stored state. One that cannot be read (damaged) would fail every poll of the deployment for
 * good: like a damaged state's parts (loadPollerState), it is started over from empty, loudly, at its
 * version, so that this poll's save replaces it.
 */
async function loadStoredState(deps: PollerDeps, deployment: string): Promise<StoredState<unknown> | null> {
  try {
    return await deps.store.loadState<unknown>(deployment);
  } catch (error) {
    const version = unreadableStateVersion(error);
    if (version === null) throw error;
    (deps.log ?? silentLog).error(
      'the stored state cannot be read: detection starts over from an empty state',
      {
        deployment,
        version,
        error: errorText(error),
      },
    );
    return { version, state: null };
  }
}

/** Events remembered for a failover timeline. */
export const TIMELINE_WINDOW_MS = 10 * 60_000;
/** Codes whose alert carries the sentinels' recent events. */
const TIMELINE_CODES: readonly string[] = ['MASTER_CHANGED', 'FAILOVER_IN_PROGRESS'];

export interface PollResult {
  readonly status: 'ok' | 'conflict' | 'superseded';
  /** A MASTER_CHANGED was queued. */
  readonly switched?: boolean;
  readonly published: number;
  readonly pending: number;
  /** The master this poll found (lag samples until the next poll read it); absent on a conflict. */
  readonly master?: Address | null;
}

export async function pollOnce(
  config: WatchConfig,
  d: DeploymentConfig,
  credentials: Credentials,
  deps: PollerDeps,
  options: RunOptions,
  budget: Budget,
  events: readonly SentinelEvent[],
  me: RunMark,
  drillKey: () => Promise<string | null> = async () => null,
): Promise<PollResult> {
  const log = deps.log ?? silentLog;
  const [loaded, silences] = await Promise.all([loadStoredState(deps, d.name), readSilences(deps, d.name)]);
  const state = loadPollerState(loaded?.state);
  if (isSupersededBy(state.run ?? null, me)) return { status: 'superseded', published: 0, pending: 0 };

  const now = deps.clock();
  // The last poll tells which replicas to ask who is writing to them (CLIENT LIST).
  const snapshot = await deps.probe(d, credentials, state.lastSnapshot);
  // Every drill (CLI or Lambda) holds a signed lock on the master; the DynamoDB lock item only keeps
  // two drill Lambdas apart (it says nothing about which switch is the drill's).
  const drill = drillContextOf(snapshot, {
    deployment: d.name,
    key: drillLockFromSnapshot(snapshot) ? await drillKey() : null,
    now,
    remembered: state.drill,
    events,
  });
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
  // Silences decide who is told, after the lifecycle: incidents and the snapshot stay as they are.
  const quiet = applySilences({
    deployment: d.name,
    notifications: advanced.notifications.map((n) => withTimeline(n, events, now)),
    incidents: advanced.incidents,
    silences,
    state: state.silence,
    now,
  });
  const notifications = quiet.notifications;

  // Step 2 of the outbox: queue, claim, and save conditionally. Losing this race means another
  // invocation polled this deployment from the same state: its notifications stand, ours are dropped.
  const queued = enqueue(state.outbox, notifications, now);
  if (queued.dropped.length > 0) {
    // Lost for good: say which, so the on-call can read them here (AlertsDropped has an alarm).
    log.error('outbox full: alerts dropped, least severe and oldest first', {
      deployment: d.name,
      dropped: queued.dropped.map((e) => ({
        key: e.key,
        severity: e.notification.severity,
        code: e.notification.code,
        type: e.notification.type,
        subject: e.notification.subject,
      })),
    });
  }
  const leaseUntil = budget.hardEnd + 5_000;
  const claimed = claim(queued.outbox, options.owner, leaseUntil, now);
  const next: PollerState = fitPollerState({
    version: 1,
    detection: detection.state,
    incidents: quiet.incidents,
    outbox: claimed.outbox,
    lastSnapshot: compactSnapshot(polled),
    drill: drill.remember,
    silence: quiet.state,
    run: me,
  });
  const saved = await deps.store.saveState(d.name, next, loaded?.version ?? null);
  if (saved === 'conflict') return { status: 'conflict', published: 0, pending: 0 };
  const version = (loaded?.version ?? 0) + 1;

  const record = markSilenced(
    toSnapshotRecord(polled, { retentionDays: config.retentionDays }),
    quiet.active,
    now,
  );
  const [outcomes] = await Promise.all([
    publishClaimed(claimed.claimed, deps, options, budget, d.name),
    deps.store.putSnapshot(record).catch((error: unknown) => {
      // History is nice to have; alerts are not: a failed snapshot write does not stop publishing.
      log.warn('could not store the snapshot', { deployment: d.name, error: errorText(error) });
    }),
  ]);
  const finalOutbox =
    claimed.claimed.length > 0
      ? await recordOutcomes(d.name, next, version, outcomes, deps, options, budget)
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
    rejected: outcomes.filter((o) => !o.sent && o.rejectedAt !== undefined).length,
    failovers: notifications.filter((n) => n.code === 'MASTER_CHANGED').length,
    record,
  };
  log.info('polled', {
    deployment: d.name,
    master: record.master,
    durationMs: polled.durationMs,
    findings: polled.findings.map((f) => `${f.severity} ${f.code} ${f.subject}`),
    notifications: notifications.map((n) => `${n.type} ${n.code} ${n.subject}`),
    silenced: quiet.silenced.map(
      (x) => `${x.notification.type} ${x.notification.code} ${x.notification.subject} (${x.silenceId})`,
    ),
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
    master: polled.master,
  };
}

/**
 * The deployment's silences; null when they cannot be read, so that the ones read last keep holding
 * (a store hiccup in the middle of planned work must not page everyone) while alerts still flow.
 */
async function readSilences(deps: PollerDeps, deployment: string): Promise<Silence[] | null> {
  if (!deps.silences) return [];
  try {
    return await deps.silences.silencesFor(deployment, deps.clock());
  } catch (error) {
    (deps.log ?? silentLog).warn('could not read silences; the last ones read still hold', {
      deployment,
      error: errorText(error),
    });
    return null;
  }
}

/** Adds the sentinels' recent events to the alerts of a switch or a failover. */
function withTimeline(n: Notification, events: readonly SentinelEvent[], now: number): Notification {
  if (!TIMELINE_CODES.includes(n.code) || n.type === 'resolved') return n;
  const recent = events.filter((e) => now - e.at <= TIMELINE_WINDOW_MS);
  if (recent.length === 0) return n;
  return { ...n, details: { ...n.details, timeline: buildTimeline(recent) } };
}

const maxOf = (values: readonly (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
};
