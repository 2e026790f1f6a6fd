// One step of watching a deployment, pure: a new snapshot (plus the sentinel events heard since the
// last step) in; findings, notifications and the state for the next step out. `watch`, the poller and
// the benchmarks all advance the same way.

import {
  type DetectContext,
  type DetectionSettings,
  type DetectionState,
  detect,
  emptyDetectionState,
} from './detect';
import { advanceIncidents, emptyIncidentState, type IncidentState, type Notification } from './incidents';
import type { SentinelEvent } from './sentinel-event';
import type { Finding, Snapshot } from './types';

export interface WatchState {
  readonly previous: Snapshot | null;
  readonly detection: DetectionState;
  readonly incidents: IncidentState;
  /** Sentinel events not yet attached to a switch, oldest first (bounded). */
  readonly events: readonly SentinelEvent[];
}

export const emptyWatchState = (): WatchState => ({
  previous: null,
  detection: emptyDetectionState(),
  incidents: emptyIncidentState(),
  events: [],
});

/** One entry of a failover timeline, relative times in ms from its first event. */
export interface TimelineEntry {
  readonly at: string;
  readonly offsetMs: number;
  readonly sentinel: string;
  readonly type: string;
  readonly detail: string;
}

export interface FailoverTimeline {
  readonly entries: readonly TimelineEntry[];
  /** The sentinel that led the failover (published `+elected-leader` / `+failover-state-select-slave`). */
  readonly leader: string | null;
  /** ISO time of the first `+switch-master` heard. */
  readonly switchSeenAt: string | null;
  /** Why Sentinel gave up, e.g. `-failover-abort-no-good-slave`. */
  readonly aborted: string | null;
}

export interface WatchStepInput {
  readonly state: WatchState;
  readonly snapshot: Snapshot;
  readonly settings: DetectionSettings;
  readonly reminderMinutes: number;
  /** Epoch ms of this step (the poll's time). */
  readonly now: number;
  readonly events?: readonly SentinelEvent[];
  readonly context?: DetectContext;
}

export interface WatchStepResult {
  readonly state: WatchState;
  readonly findings: readonly Finding[];
  readonly notifications: readonly Notification[];
}

/** Events kept for the next timeline: enough for a failover with its retries, never unbounded. */
const MAX_EVENTS = 200;
const EVENT_MAX_AGE_MS = 10 * 60_000;

export function advanceWatch(input: WatchStepInput): WatchStepResult {
  const { state, snapshot, now } = input;
  const heard = [...state.events, ...(input.events ?? [])]
    .filter((e) => now - e.at <= EVENT_MAX_AGE_MS)
    .slice(-MAX_EVENTS);
  const detected = detect({
    current: snapshot,
    previous: state.previous,
    state: state.detection,
    settings: input.settings,
    now,
    ...(input.context ? { context: input.context } : {}),
  });
  const advanced = advanceIncidents({
    incidents: state.incidents,
    findings: detected.findings,
    deployment: snapshot.deployment,
    now,
    reminderMinutes: input.reminderMinutes,
  });
  const switched = advanced.notifications.some((n) => n.code === 'MASTER_CHANGED');
  const timeline = switched ? buildTimeline(heard) : null;
  const notifications = advanced.notifications.map((n) =>
    n.code === 'MASTER_CHANGED' && timeline ? { ...n, details: { ...n.details, timeline } } : n,
  );
  return {
    // A switch consumes the events that explain it; otherwise they wait for the switch they may precede.
    state: {
      previous: snapshot,
      detection: detected.state,
      incidents: advanced.incidents,
      events: switched ? [] : heard,
    },
    findings: detected.findings,
    notifications,
  };
}

const LEADER_EVENTS = ['+elected-leader', '+failover-state-select-slave'];
/** How far before the switch a timeline reaches: down-after-milliseconds plus the election, generously. */
const TIMELINE_LOOKBACK_MS = 120_000;

export function buildTimeline(events: readonly SentinelEvent[]): FailoverTimeline {
  const byTime = [...events].sort((a, b) => a.at - b.at);
  const end = byTime.find((e) => e.type === '+switch-master')?.at ?? byTime.at(-1)?.at ?? 0;
  const sorted = byTime.filter((e) => e.at >= end - TIMELINE_LOOKBACK_MS);
  const first = sorted[0]?.at ?? 0;
  const switchEvent = sorted.find((e) => e.type === '+switch-master');
  const abort = sorted.find((e) => e.type.startsWith('-failover-abort'));
  return {
    entries: sorted.map((e) => ({
      at: new Date(e.at).toISOString(),
      offsetMs: e.at - first,
      sentinel: e.sentinel,
      type: e.type,
      detail: e.payload,
    })),
    leader: sorted.find((e) => LEADER_EVENTS.includes(e.type))?.sentinel ?? null,
    switchSeenAt: switchEvent ? new Date(switchEvent.at).toISOString() : null,
    aborted: abort ? abort.type : null,
  };
}
