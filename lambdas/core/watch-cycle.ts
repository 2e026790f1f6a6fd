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
import { releaseDetails } from './server-version';
import type { Silence } from './silence';
import { applySilences, type SilencedNotification, type SilenceState } from './silence-policy';
import { buildTimeline } from './timeline';
import type { Finding, Snapshot } from './types';

export { buildTimeline, type FailoverTimeline, TIMELINE_NOISE, type TimelineEntry } from './timeline';

export interface WatchState {
  readonly previous: Snapshot | null;
  readonly detection: DetectionState;
  readonly incidents: IncidentState;
  /** Sentinel events not yet attached to a switch, oldest first (bounded). */
  readonly events: readonly SentinelEvent[];
  /** Incidents a silence holds back (silence-policy.ts); absent in states made before silences. */
  readonly silence?: SilenceState;
}

export const emptyWatchState = (): WatchState => ({
  previous: null,
  detection: emptyDetectionState(),
  incidents: emptyIncidentState(),
  events: [],
});

export interface WatchStepInput {
  readonly state: WatchState;
  readonly snapshot: Snapshot;
  readonly settings: DetectionSettings;
  readonly reminderMinutes: number;
  /** Epoch ms of this step (the poll's time). */
  readonly now: number;
  readonly events?: readonly SentinelEvent[];
  readonly context?: DetectContext;
  /** The deployment's silences; null: they could not be read (the last ones read still hold). */
  readonly silences?: readonly Silence[] | null;
}

export interface WatchStepResult {
  readonly state: WatchState;
  readonly findings: readonly Finding[];
  readonly notifications: readonly Notification[];
  /** Notifications a silence held back (the findings are in `findings` all the same). */
  readonly silenced?: readonly SilencedNotification[];
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
    events: heard,
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
  // Alerts name the server they are about (its release), and a switch carries its timeline.
  const timed = advanced.notifications.map((n) => ({
    ...n,
    details: {
      ...n.details,
      ...releaseDetails(n.subject, snapshot, state.previous),
      ...(n.code === 'MASTER_CHANGED' && timeline ? { timeline } : {}),
    },
  }));
  const quiet = applySilences({
    deployment: snapshot.deployment,
    notifications: timed,
    incidents: advanced.incidents,
    silences: input.silences === undefined ? [] : input.silences,
    state: state.silence,
    now,
  });
  return {
    // A switch consumes the events that explain it; otherwise they wait for the switch they may precede.
    state: {
      previous: snapshot,
      detection: detected.state,
      incidents: quiet.incidents,
      events: switched ? [] : heard,
      silence: quiet.state,
    },
    findings: detected.findings,
    notifications: quiet.notifications,
    silenced: quiet.silenced,
  };
}
