// Detection and the incident lifecycle together, poll by poll, with a JSON round trip of both states
// between polls (as the poller stores them): what an operator would receive.

import type { DetectionSettings, DetectionState } from '../../../lambdas/core/detect';
import { emptyDetectionState } from '../../../lambdas/core/detect';
import {
  advanceIncidents,
  emptyIncidentState,
  type IncidentState,
  type Notification,
} from '../../../lambdas/core/incidents';
import type { SentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Finding } from '../../../lambdas/core/types';
import { type MutableSnapshot, run } from './snapshot-factory';

export interface WatcherOptions {
  readonly settings?: Partial<DetectionSettings>;
  readonly reminderMinutes?: number;
  /** Start from a stored detection state (e.g. one written before a field existed). */
  readonly detection?: DetectionState;
  readonly previous?: MutableSnapshot | null;
}

export class Watcher {
  private detection: DetectionState;
  private incidents: IncidentState = emptyIncidentState();
  private previous: MutableSnapshot | null;
  /** `type CODE subject severity` per notification, in order. */
  readonly log: string[] = [];
  readonly messages: string[] = [];
  readonly sent: Notification[] = [];
  /** The findings of the latest poll. */
  findings: Finding[] = [];

  constructor(private readonly options: WatcherOptions = {}) {
    this.detection = options.detection ?? emptyDetectionState();
    this.previous = options.previous ?? null;
  }

  poll(snapshot: MutableSnapshot, events: readonly SentinelEvent[] = []): Notification[] {
    const now = Date.parse(snapshot.takenAt);
    const detected = run(snapshot, {
      previous: this.previous,
      state: this.detection,
      now,
      events,
      ...(this.options.settings ? { settings: this.options.settings } : {}),
    });
    const advanced = advanceIncidents({
      incidents: this.incidents,
      findings: detected.findings,
      deployment: snapshot.deployment,
      now,
      reminderMinutes: this.options.reminderMinutes ?? 60,
    });
    this.findings = detected.findings;
    this.detection = JSON.parse(JSON.stringify(detected.state));
    this.incidents = JSON.parse(JSON.stringify(advanced.incidents));
    this.previous = snapshot;
    this.log.push(...advanced.notifications.map((n) => `${n.type} ${n.code} ${n.subject} ${n.severity}`));
    this.messages.push(...advanced.notifications.map((n) => n.message));
    this.sent.push(...advanced.notifications);
    return advanced.notifications;
  }
}
