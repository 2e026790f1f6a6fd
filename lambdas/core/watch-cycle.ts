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
const TIMELINE_MAX_ENTRIES = 60;
/** Bookkeeping between sentinels, left out of a timeline a person reads. */
export const TIMELINE_NOISE: readonly string[] = [
  '+new-epoch',
  '+vote-for-leader',
  '+slave',
  '+sentinel',
  '-dup-sentinel',
];
/** What starts a failover story: the master seen down, or a failover attempt (SENTINEL FAILOVER). */
const isFailoverStart = (e: SentinelEvent): boolean =>
  ((e.type === '+sdown' || e.type === '+odown') && e.instance?.role === 'master') ||
  e.type === '+try-failover' ||
  LEADER_EVENTS.includes(e.type);

/**
 * The sentinels' events of the latest failover, from the master being seen down (or the failover
 * being tried) to the end: earlier, unrelated events (a replica that blinked minutes ago) stay out.
 */
export function buildTimeline(events: readonly SentinelEvent[]): FailoverTimeline {
  const byTime = [...events].sort((a, b) => a.at - b.at);
  const end = byTime.find((e) => e.type === '+switch-master')?.at ?? byTime.at(-1)?.at ?? 0;
  const window = byTime.filter((e) => e.at >= end - TIMELINE_LOOKBACK_MS);
  const start = window.find((e) => isFailoverStart(e) && e.at <= end)?.at ?? window[0]?.at ?? 0;
  const story = window
    .filter((e) => e.at >= start && !TIMELINE_NOISE.includes(e.type))
    .slice(0, TIMELINE_MAX_ENTRIES);
  const first = story[0]?.at ?? 0;
  const switchEvent = story.find((e) => e.type === '+switch-master');
  const abort = story.find((e) => e.type.startsWith('-failover-abort'));
  return {
    entries: story.map((e) => ({
      at: new Date(e.at).toISOString(),
      offsetMs: e.at - first,
      sentinel: e.sentinel,
      type: e.type,
      detail: e.payload,
    })),
    leader: window.find((e) => LEADER_EVENTS.includes(e.type))?.sentinel ?? null,
    switchSeenAt: switchEvent ? new Date(switchEvent.at).toISOString() : null,
    aborted: abort ? abort.type : null,
  };
}
