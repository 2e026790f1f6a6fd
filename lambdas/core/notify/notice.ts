// The structured form of every message sentinel-watch sends: one versioned JSON object that the
// notifiers (Slack, PagerDuty, webhook) render from, and that the generic webhook posts as it is.
// Notifiers never parse the email text. docs/webhook.md has its JSON schema; a change that removes or
// retypes a field bumps NOTICE_SCHEMA_VERSION, adding an optional field does not. Pure.
//
// Three sources make notices: the poller's incident notifications (noticeFromNotification, published
// inside the SNS message, see alert-text.ts), the drill's report (the drill handler), and the watcher's
// own CloudWatch alarms, which the notifiers turn into notices themselves (alarm.ts).

import type { Notification } from '../incidents';
import { TEST_ALERT_CODE, TEST_SUBJECT_PREFIX } from '../test-alert';
import type { Severity } from '../types';
import { drillIdOf, escalatedFromOf, headline, headlineText, masterSwitch, oneLine } from './headline';
import { runbookUrl } from './links';
import type { Presentation } from './presentation';
import { type NoticeTimeline, noticeTimeline } from './timeline-text';

export const NOTICE_SCHEMA_VERSION = 1;
export const NOTICE_SOURCE = 'sentinel-watch';

export type NoticeKind = 'alert' | 'drill' | 'watcher-alarm' | 'message';
export type NoticeType = 'opened' | 'reminder' | 'resolved' | 'event' | 'drill' | 'alarm' | 'message';

export interface NoticeLinks {
  /** The code's section of the alert catalogue (or the team's runbook). */
  readonly runbook: string | null;
  readonly dashboard: string | null;
  /** Watcher alarms: the alarm in the CloudWatch console. */
  readonly alarm: string | null;
}

export interface NoticeAlarm {
  readonly name: string;
  readonly state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  readonly previousState: string | null;
  readonly reason: string;
  readonly description: string | null;
  readonly region: string | null;
  readonly account: string | null;
  /** `AWS/Lambda Errors (FunctionName=...)`, or the expression of a metric-math alarm. */
  readonly metric: string | null;
}

export interface Notice {
  readonly schemaVersion: typeof NOTICE_SCHEMA_VERSION;
  readonly source: typeof NOTICE_SOURCE;
  readonly kind: NoticeKind;
  /** Unique per notification and stable across retries: the idempotency key. */
  readonly id: string;
  /** Shared by every notification of one incident (opened, reminders, resolved); PagerDuty's dedup_key. */
  readonly incidentKey: string;
  /** 8 hex characters of incidentKey: matches an opened and its resolved at a glance. */
  readonly ref: string;
  readonly type: NoticeType;
  /** `firing` until the incident (or alarm) is over. */
  readonly status: 'firing' | 'resolved';
  readonly severity: Severity;
  readonly code: string;
  readonly deployment: string | null;
  /** `deployment`, `node 10.0.1.61:6379`, `sentinel 10.0.1.61:26379`. */
  readonly subject: string | null;
  /** The release of the server the alert is about (`valkey 8.0.1`), or the deployment's servers. */
  readonly server: string | null;
  /** One line without the severity: `prod-cache: master switched A → B`. */
  readonly title: string;
  /**
   * `sentinel-watch test-alert`'s notification (core/test-alert.ts): nothing is wrong. The title
   * starts with `[TEST]`, and Slack mentions nobody for it.
   */
  readonly test: boolean;
  /** What is wrong and what to do, as the finding said it. */
  readonly message: string;
  /** ISO time of the poll (or the alarm's state change). */
  readonly at: string;
  readonly openedAt: string | null;
  /** Reminder: open so far. Resolved: how long it lasted. */
  readonly durationMs: number | null;
  /** Reminder after an escalation: the severity it had. */
  readonly escalatedFrom: Severity | null;
  readonly master: { readonly previous: string; readonly current: string } | null;
  readonly drillId: string | null;
  readonly timeline: NoticeTimeline | null;
  readonly alarm: NoticeAlarm | null;
  readonly links: NoticeLinks;
  /** The finding's own machine-readable details (without the timeline), as `watch --json` prints them. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Findings' details larger than this (as JSON) are left out rather than risk SNS's 256 KB limit. */
const MAX_DETAILS_BYTES = 16 * 1024;

/** The notice of one incident notification (what the poller publishes). */
export function noticeFromNotification(n: Notification, presentation: Presentation): Notice {
  const switched = masterSwitch(n);
  const { timeline, escalatedFrom: _e, ...rest } = n.details ?? {};
  const escalatedFrom = escalatedFromOf(n);
  const test = n.code === TEST_ALERT_CODE || n.details?.test === true;
  return {
    schemaVersion: NOTICE_SCHEMA_VERSION,
    source: NOTICE_SOURCE,
    kind: 'alert',
    id: notificationKey(n),
    incidentKey: n.incidentId,
    ref: incidentRef(n.incidentId),
    type: n.type,
    status: n.type === 'resolved' ? 'resolved' : 'firing',
    severity: n.severity,
    code: n.code,
    deployment: n.deployment,
    subject: n.subject,
    server: serverRelease(n),
    title: `${test ? TEST_SUBJECT_PREFIX : ''}${headlineText(headline(n))}`,
    test,
    message: n.message,
    at: n.at,
    openedAt: n.openedAt,
    durationMs: n.durationMs ?? null,
    escalatedFrom: isSeverity(escalatedFrom) ? escalatedFrom : null,
    master: switched ? { previous: switched.from, current: switched.to } : null,
    drillId: drillIdOf(n),
    timeline: noticeTimeline(timeline),
    alarm: null,
    links: {
      runbook: runbookUrl(presentation.runbookBaseUrl, n.code),
      dashboard: presentation.dashboardUrl,
      alarm: null,
    },
    details: boundedDetails(rest),
  };
}

/** `details.serverVersion` of a finding about one server, or `details.serverVersions` (versions.ts). */
export function serverRelease(n: Notification): string | null {
  const value = n.details?.serverVersion ?? n.details?.serverVersions;
  return typeof value === 'string' && value !== '' ? oneLine(value).slice(0, 200) : null;
}

/** One notification of one incident transition: the same key means the same alert. */
export const notificationKey = (n: Pick<Notification, 'incidentId' | 'type' | 'at'>): string =>
  `${n.incidentId}|${n.type}|${n.at}`;

/** FNV-1a, 32 bits, as 8 hex characters: short, stable, and the same in every channel. */
export function incidentRef(key: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export const isSeverity = (value: unknown): value is Severity =>
  value === 'critical' || value === 'warning' || value === 'info';

function boundedDetails(details: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(details);
  if (json === undefined || json.length <= MAX_DETAILS_BYTES) return details;
  return { omitted: `details of ${json.length} bytes left out (limit ${MAX_DETAILS_BYTES})` };
}
