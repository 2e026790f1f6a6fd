// A notice as a PagerDuty Events API v2 event (POST https://events.pagerduty.com/v2/enqueue). Pure.
//
// - An incident's `opened` and `reminder` are `trigger`s with dedup_key = the incident id, so PagerDuty
//   keeps one incident (a reminder updates it, and re-opens it if someone resolved it by hand while the
//   problem lasts); its `resolved` is a `resolve` with the same key.
// - Events (MASTER_CHANGED, NODE_RESTARTED, FAILOVER_ABORTED) and drill reports are triggers with their
//   own key each: their own incidents, which a person resolves.
// - A watcher alarm triggers on ALARM and resolves on OK, keyed by the alarm's ARN.
//
// Field rules from PagerDuty's Events API v2 reference: routing_key (the integration key, 32
// characters), event_action trigger | acknowledge | resolve, dedup_key at most 255 characters; for a
// trigger, payload.summary (at most 1024), payload.source and payload.severity (critical | error |
// warning | info) are required, and timestamp, component, group, class and custom_details optional;
// links [{href, text}] and images are top-level. A whole event may be at most 512 KB.

import { formatDuration } from '../detect/text';
import { formatWhen } from './local-time';
import type { Notice } from './notice';
import { timelineLine } from './timeline-text';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255, eventBytes: 512 * 1024 } as const;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger' | 'acknowledge' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp?: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details?: Readonly<Record<string, unknown>>;
  };
  readonly links?: readonly { readonly href: string; readonly text: string }[];
  readonly client?: string;
  readonly client_url?: string;
}

/** Timeline lines carried in custom_details. */
const MAX_TIMELINE_LINES = 60;

export function pagerDutyEvent(notice: Notice, routingKey: string, timeZone: string | null): PagerDutyEvent {
  const dedupKey = fitDedupKey(notice.incidentKey);
  if (notice.status === 'resolved') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  const links = [
    notice.links.runbook ? { href: notice.links.runbook, text: `Runbook: ${notice.code}` } : null,
    notice.links.dashboard ? { href: notice.links.dashboard, text: 'sentinel-watch dashboard' } : null,
    notice.links.alarm ? { href: notice.links.alarm, text: 'The alarm in CloudWatch' } : null,
  ].filter((l) => l !== null);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: clip(`${notice.title}: ${notice.message}`, PAGERDUTY_LIMITS.summary),
      source: sourceOf(notice),
      severity: severityOf(notice),
      timestamp: notice.at,
      component: notice.subject ?? undefined,
      group: notice.deployment ?? undefined,
      class: notice.code,
      custom_details: customDetails(notice, timeZone),
    },
    ...(links.length > 0 ? { links } : {}),
    client: 'sentinel-watch',
    ...(notice.links.dashboard ? { client_url: notice.links.dashboard } : {}),
  };
}

/** The watcher's own alarms are `error`: the tool is broken, not (yet known to be) Redis. */
function severityOf(n: Notice): PagerDutySeverity {
  return n.kind === 'watcher-alarm' && n.alarm?.state === 'ALARM' ? 'error' : n.severity;
}

/** The affected system: the node or sentinel address, else the deployment. */
function sourceOf(n: Notice): string {
  const address = n.subject?.match(/^(?:node|sentinel) (.+)$/)?.[1];
  return address ?? n.deployment ?? (n.alarm ? `CloudWatch alarm ${n.alarm.name}` : 'sentinel-watch');
}

function customDetails(n: Notice, timeZone: string | null): Record<string, unknown> {
  const when = (iso: string | null) => (iso ? formatWhen(iso, timeZone) : undefined);
  const details: Record<string, unknown> = {
    message: n.message,
    deployment: n.deployment ?? undefined,
    subject: n.subject ?? undefined,
    code: n.code,
    notification: n.type,
    incident: `${n.ref} (${n.incidentKey})`,
    when: when(n.at),
    opened: n.openedAt && n.openedAt !== n.at ? when(n.openedAt) : undefined,
    open_for: n.type === 'reminder' && n.durationMs !== null ? formatDuration(n.durationMs) : undefined,
    escalated_from: n.escalatedFrom ?? undefined,
    old_master: n.master?.previous,
    new_master: n.master?.current,
    drill_id: n.drillId ?? undefined,
    failover_leader: n.timeline?.leader ?? undefined,
    failover_timeline: n.timeline
      ? [
          ...n.timeline.entries.slice(0, MAX_TIMELINE_LINES).map(timelineLine),
          ...(n.timeline.entries.length > MAX_TIMELINE_LINES || n.timeline.omitted > 0 ? ['...'] : []),
        ]
      : undefined,
    alarm_reason: n.alarm?.reason,
    alarm_state: n.alarm ? `${n.alarm.previousState ?? '?'} → ${n.alarm.state}` : undefined,
    alarm_metric: n.alarm?.metric ?? undefined,
    details: Object.keys(n.details).length > 0 ? n.details : undefined,
  };
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

/** At most 255 characters; a longer key keeps its start and gets a hash of the whole, so it stays unique. */
export function fitDedupKey(key: string): string {
  if (key.length <= PAGERDUTY_LIMITS.dedupKey) return key;
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${key.slice(0, PAGERDUTY_LIMITS.dedupKey - 9)}#${hash.toString(16).padStart(8, '0')}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
