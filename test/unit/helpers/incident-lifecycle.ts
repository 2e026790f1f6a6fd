// Drives the incident lifecycle the way the poller does, for the incidents tests.
import {
  advanceIncidents,
  emptyIncidentState,
  type IncidentState,
  type Notification,
} from '../../../lambdas/core/incidents';
import type { Finding } from '../../../lambdas/core/types';
import { MINUTE, NOW } from './snapshot-factory';

export const lagging: Finding = {
  code: 'REPLICA_LAGGING',
  severity: 'warning',
  subject: 'node 10.0.1.62:6379',
  message: 'Replica 10.0.1.62:6379 is lagging.',
  details: { lagBytes: 5_000_000, lagSeconds: 0 },
};

/** Runs the lifecycle over a series of polls, one per minute, with a JSON round trip between them. */
export class Lifecycle {
  state: IncidentState = emptyIncidentState();
  readonly sent: Notification[] = [];

  constructor(
    readonly reminderMinutes = 60,
    readonly graceMs?: (f: Finding) => number,
  ) {}

  poll(findings: readonly Finding[], now: number): Notification[] {
    const result = advanceIncidents({
      incidents: this.state,
      findings,
      deployment: 'prod-cache',
      now,
      reminderMinutes: this.reminderMinutes,
      ...(this.graceMs ? { graceMs: this.graceMs } : {}),
    });
    this.state = JSON.parse(JSON.stringify(result.incidents));
    this.sent.push(...result.notifications);
    return result.notifications;
  }
}

export const at = (minutes: number): number => NOW + minutes * MINUTE;
