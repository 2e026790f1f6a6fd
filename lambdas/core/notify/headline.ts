// The one line that names a notification: what happened, where, and for how long. The email subject,
// the Slack first line, the PagerDuty summary and the webhook `title` are all built from it. Pure.

import type { Notification } from '../incidents';

export interface Headline {
  /** `CRITICAL`, `WARNING`, `INFO`, `RESOLVED` or `REMINDER`. */
  readonly tag: string;
  readonly deployment: string;
  /** `master switched A → B`, `REPLICA_LAGGING node 10.0.1.62:6379`, `NO_QUORUM`. */
  readonly what: string;
  /** ` (lasted 12m)`, ` (open 2h)`, ` (was warning)` or empty. */
  readonly suffix: string;
}

export interface Switch {
  readonly from: string;
  readonly to: string;
}

const TAGS = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' } as const;

export function headline(n: Notification): Headline {
  const switched = masterSwitch(n);
  const escalatedFrom = escalatedFromOf(n);
  const tag =
    n.type === 'resolved'
      ? 'RESOLVED'
      : n.type === 'reminder' && escalatedFrom === null
        ? 'REMINDER'
        : TAGS[n.severity];
  const what = switched
    ? `master switched ${switched.from} → ${switched.to}${drillIdOf(n) ? ' (drill)' : ''}`
    : n.subject === 'deployment'
      ? n.code
      : `${n.code} ${n.subject}`;
  const suffix =
    n.type === 'resolved' && n.durationMs !== undefined
      ? ` (lasted ${compactDuration(n.durationMs)})`
      : n.type === 'reminder' && escalatedFrom !== null
        ? ` (was ${escalatedFrom})`
        : n.type === 'reminder' && n.durationMs !== undefined
          ? ` (open ${compactDuration(n.durationMs)})`
          : '';
  return { tag, deployment: oneLine(n.deployment), what: oneLine(what), suffix };
}

/** `prod-cache: master switched A → B`: the headline without its tag. */
export const headlineText = (h: Headline): string => `${h.deployment}: ${h.what}${h.suffix}`;

export function masterSwitch(n: Notification): Switch | null {
  if (n.code !== 'MASTER_CHANGED') return null;
  const from = address(n.details?.previous);
  const to = address(n.details?.current);
  return from && to ? { from, to } : null;
}

function address(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const { host, port } = value as { host?: unknown; port?: unknown };
  if (typeof host !== 'string' || typeof port !== 'number') return null;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const drillIdOf = (n: Notification): string | null =>
  typeof n.details?.drillId === 'string' ? n.details.drillId : null;

export const escalatedFromOf = (n: Notification): string | null =>
  typeof n.details?.escalatedFrom === 'string' ? n.details.escalatedFrom : null;

/** `45s`, `12m`, `2h5m`, `3d4h`: short enough for a subject line. */
export function compactDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min}m`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h}h` : `${h}h${min % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
export const oneLine = (text: string): string => text.replace(/[\x00-\x1f\x7f]+/g, ' ');
