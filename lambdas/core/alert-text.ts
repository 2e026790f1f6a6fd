// One notification in, one alert message out: the subject an email client shows, a plain-text body a
// person reads on a phone at night, and the attributes SNS subscriptions filter on. Pure.
//
// The text is built only from the notification (code, subject, message, times and a few named
// details): never from config, so no password, secret ARN or other setting can end up in an alert.

import { formatDuration } from './detect/text';
import type { Notification } from './incidents';
import type { AlertMessage } from './ports';

/** SNS: "less than 100 characters", no line breaks or control characters. */
export const MAX_SUBJECT_LENGTH = 99;
/** Timeline lines shown in a body; the rest are counted. */
const MAX_TIMELINE_LINES = 30;

/**
 * What to do, in one or two sentences per code (docs/alert-catalogue.md has the long form). The
 * finding's own message says what is wrong with this deployment; this is the general next step.
 */
const ACTIONS: Readonly<Record<string, string>> = {
  MASTER_CHANGED:
    'Check that clients reconnected to the new master (through Sentinel), find out why the old one failed, and check that it rejoins as a replica.',
  MASTER_UNREACHABLE:
    'Restart the master or let the failover run; if the sentinels still reach it, look at the network between the watcher and the node.',
  NO_QUORUM:
    'No automatic failover is possible: bring stopped sentinels back until SENTINEL CKQUORUM says OK.',
  SENTINELS_DISAGREE:
    'Restore connectivity between the sentinels; SENTINEL RESET the one in the minority, or re-MONITOR it to the right master.',
  SENTINEL_UNREACHABLE:
    'Start the sentinel again; if only its peers still list it, SENTINEL RESET each sentinel, one at a time.',
  SENTINEL_COUNT_MISMATCH:
    'SENTINEL RESET one sentinel at a time, waiting ~30 s for it to rediscover its peers before the next.',
  REPLICA_UNREACHABLE: 'Restart the replica or fix its host; it resyncs by itself.',
  REPLICA_LINK_DOWN:
    "Read the replica's log: wrong masterauth, the master unreachable from it, or a failing full sync.",
  REPLICA_LAGGING:
    "Check the replica's CPU, disk and network, and whether a write burst or a big key is being replicated.",
  REPLICA_COUNT_LOW:
    'Start the missing replica with replicaof <master>, or lower expectedReplicas if the deployment was shrunk on purpose.',
  AUTH_FAILED:
    "If other servers accept the same credentials, fix this server's requirepass/masterauth; otherwise fix the watcher's password secret.",
  MONITORED_MASTER_IS_REPLICA:
    'If a failover just finished, wait seconds; otherwise re-MONITOR the real master on every sentinel.',
  FAILOVER_IN_PROGRESS:
    "Nothing while it is short. If stuck, check that a replica is reachable with replica-priority > 0, and read the leading sentinel's log.",
  NODE_RESTARTED:
    'Check why it restarted (log, OOM killer, deploy) and that it resynced; a master that restarted without a failover may have come back empty.',
  MULTIPLE_MASTERS:
    'Sentinel converts a known old master within ~10 s; if it lasts, run REPLICAOF <master ip> <port> on it.',
  MASTER_FLAPPING:
    "Raise down-after-milliseconds on every sentinel (e.g. 5000) and read the old masters' logs for pauses.",
  SENTINEL_TILT:
    'It leaves TILT 30 s after timing is normal again; if it recurs, check NTP, CPU steal and swap.',
  CONFIG_RISK: "Apply the command each risk's text gives, on every server concerned.",
  TEST_ALERT:
    'Nothing: this tests the alert path (sentinel-watch test-alert). Check that its RESOLVED reaches you too.',
};

const TAGS = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' } as const;

export function renderAlert(n: Notification): AlertMessage {
  const switched = masterSwitch(n);
  return {
    subject: renderSubject(n, switched),
    body: renderBody(n, switched),
    attributes: {
      severity: n.severity,
      code: n.code,
      deployment: n.deployment,
      type: n.type,
      subject: n.subject,
      ...(switched ? { oldMaster: switched.from, newMaster: switched.to } : {}),
      ...(n.type === 'resolved' && n.durationMs !== undefined
        ? { lasted: formatDuration(n.durationMs) }
        : {}),
      ...(drillId(n) ? { drillId: drillId(n) as string } : {}),
      ...(servers(n) ? { server: servers(n) as string } : {}),
    },
    dedupeKey: dedupeKey(n),
  };
}

/** One notification of one incident transition: the same key means the same alert. */
export const dedupeKey = (n: Pick<Notification, 'incidentId' | 'type' | 'at'>): string =>
  `${n.incidentId}|${n.type}|${n.at}`;

function renderSubject(n: Notification, switched: Switch | null): string {
  const escalatedFrom = typeof n.details?.escalatedFrom === 'string' ? n.details.escalatedFrom : null;
  const tag =
    n.type === 'resolved'
      ? 'RESOLVED'
      : n.type === 'reminder' && escalatedFrom === null
        ? 'REMINDER'
        : TAGS[n.severity];
  const what = switched
    ? `master switched ${switched.from} → ${switched.to}${drillId(n) ? ' (drill)' : ''}`
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
  return fitSubject(`[${tag}]`, oneLine(n.deployment), oneLine(what), suffix);
}

/**
 * Keeps the tag and the suffix whole; when the whole is too long, shortens what it is about (to no
 * less than 24 characters) and then the deployment name, each marked with "...".
 */
function fitSubject(tag: string, deployment: string, what: string, suffix: string): string {
  const full = `${tag} ${deployment}: ${what}${suffix}`;
  if (full.length <= MAX_SUBJECT_LENGTH) return full;
  const fixed = tag.length + 3 + suffix.length;
  const whatRoom = Math.max(24, MAX_SUBJECT_LENGTH - fixed - deployment.length);
  const shortWhat = what.length > whatRoom ? `${what.slice(0, whatRoom - 3)}...` : what;
  const nameRoom = MAX_SUBJECT_LENGTH - fixed - shortWhat.length;
  const shortName =
    deployment.length > nameRoom ? `${deployment.slice(0, Math.max(1, nameRoom - 3))}...` : deployment;
  return `${tag} ${shortName}: ${shortWhat}${suffix}`.slice(0, MAX_SUBJECT_LENGTH);
}

function renderBody(n: Notification, switched: Switch | null): string {
  const lines: string[] = [n.message, ''];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(13)}${value}`);
  field('Deployment', n.deployment);
  field('About', n.subject);
  const server = servers(n);
  if (server) field(typeof n.details?.serverVersions === 'string' ? 'Servers' : 'Server', server);
  field('Alert', `${n.code} (${n.severity}, ${describeType(n)})`);
  if (switched) {
    field('Old master', switched.from);
    field('New master', switched.to);
  }
  if (n.type === 'event') {
    field('When', n.at);
  } else if (n.type === 'resolved') {
    field('Opened', n.openedAt);
    field('Resolved', n.at);
    if (n.durationMs !== undefined) field('Lasted', formatDuration(n.durationMs));
  } else if (n.type === 'opened') {
    field('Since', n.openedAt);
  } else {
    const open = n.durationMs ?? Date.parse(n.at) - Date.parse(n.openedAt);
    field('Since', Number.isFinite(open) ? `${n.openedAt} (open ${formatDuration(open)})` : n.openedAt);
    field('Checked', n.at);
  }
  const drill = drillId(n);
  if (drill) field('Drill', drill);

  lines.push('', 'What to do:', `  ${whatToDo(n)}`);

  const timeline = timelineLines(n.details?.timeline);
  if (timeline.length > 0) {
    lines.push('', 'Failover timeline (sentinel events, UTC):', ...timeline.map((l) => `  ${l}`));
  }
  lines.push('', `Incident: ${n.incidentId}`, '-- sentinel-watch');
  return lines.join('\n');
}

function describeType(n: Notification): string {
  switch (n.type) {
    case 'opened':
      return 'new problem';
    case 'reminder':
      return typeof n.details?.escalatedFrom === 'string'
        ? `now more severe, was ${n.details.escalatedFrom}`
        : 'still open';
    case 'resolved':
      return 'resolved';
    case 'event':
      return 'event';
  }
}

function whatToDo(n: Notification): string {
  if (n.type === 'resolved') {
    return 'Nothing now. If it keeps coming back, the earlier alerts of this incident say where to look.';
  }
  if (drillId(n) && n.severity === 'info') {
    return 'Nothing: this is the planned failover of a drill (the drill report says whether it passed).';
  }
  return ACTIONS[n.code] ?? 'See docs/alert-catalogue.md for this code.';
}

/** The release of the server a finding is about (`valkey 8.0.1`), or the deployment's (versions.ts). */
function servers(n: Notification): string | null {
  const value = n.details?.serverVersion ?? n.details?.serverVersions;
  return typeof value === 'string' && value !== '' ? oneLine(value).slice(0, 200) : null;
}

interface Switch {
  readonly from: string;
  readonly to: string;
}

function masterSwitch(n: Notification): Switch | null {
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

const drillId = (n: Notification): string | null =>
  typeof n.details?.drillId === 'string' ? n.details.drillId : null;

/**
 * `details.timeline`: a FailoverTimeline (`{ entries: [{ at, sentinel, type, detail }], leader }`), or a
 * bare array of such entries: the sentinels' `+sdown`, `+odown`, `+switch-master` around a failover.
 */
function timelineLines(value: unknown): string[] {
  const list = Array.isArray(value) ? value : (value as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) return [];
  const leader = (value as { leader?: unknown } | null)?.leader;
  const entries = list.filter(
    (e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof e.type === 'string',
  );
  const shown = entries.slice(0, MAX_TIMELINE_LINES).map((e) => {
    const { at, sentinel, type, offsetMs: _offset, ...rest } = e;
    const extra = Object.entries(rest)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => (k === 'detail' ? String(v) : `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`))
      .join(' ');
    const who = typeof sentinel === 'string' ? sentinel : '?';
    return oneLine(`${clockTime(at)}  ${who.padEnd(21)} ${String(type).padEnd(18)} ${extra}`).trimEnd();
  });
  if (entries.length > MAX_TIMELINE_LINES) shown.push(`... ${entries.length - MAX_TIMELINE_LINES} more`);
  if (typeof leader === 'string') shown.unshift(`led by sentinel ${leader}`);
  return shown;
}

function clockTime(at: unknown): string {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(11, 23) : String(at ?? '?');
}

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
const oneLine = (text: string): string => text.replace(/[\x00-\x1f\x7f]+/g, ' ');
