// The incident lifecycle: findings of one poll in, notifications out. Pure and plain JSON, so the
// poller can store the state between runs and the CLI can keep it in memory.
//
// - A condition finding that is new opens an incident: an `opened` notification.
// - While it persists: nothing, except a `reminder` every reminderMinutes, or at once when its
//   severity rises (escalation: the reminder carries the new severity).
// - When it is gone for RESOLVE_AFTER_POLLS consecutive polls: a `resolved` notification with how long
//   it lasted (from opening to the first poll without it).
// - Events (MASTER_CHANGED, NODE_RESTARTED) never open an incident: each one is one `event`
//   notification. NODE_RESTARTED is throttled to one per subject per reminder period (a crash-looping
//   node would otherwise page every poll); MASTER_CHANGED never is, every switch is reported, and
//   repeated switches raise MASTER_FLAPPING, which is a condition like any other.
// - Incidents are keyed by code + subject.
//
// - An event about a server that has an open condition incident (NODE_RESTARTED of a node that was
//   REPLICA_UNREACHABLE) is told in that incident's `resolved`, not paged on its own, unless it is
//   critical (a master back without a failover): one cause, one page.
//
// Flapping (a finding that comes and goes) must not page more than once per reminder period. Design:
//   1. Hysteresis: an incident resolves only after RESOLVE_AFTER_POLLS (2) polls in a row without it,
//      so a single poll that misses it (a timeout, a read cut short) neither resolves nor reopens.
//   2. Cool-down: a resolved incident is kept for one reminder period. If the finding comes back in
//      that time the same incident reopens silently at first, and is announced again (a `reminder`,
//      "back again") once it has lasted its confirmation time (incident-policy.ts: its grace period,
//      at least 20 s and two polls): a blip that resolved never hides a real problem that follows it.
//      A return that clears before that stays silent, so a fast flap still pages at most once.
//   3. Hold-down: an incident that has reopened once is flapping; it then resolves only after being
//      absent for a whole reminder period, so a flapping problem is not "resolved" every cycle.
// Chosen over "absent for N polls" alone, because a flap slower than N polls would still page every
// cycle, and over a cool-down alone, because it would announce `resolved` every cycle. The cost: the
// first `resolved` of a problem that later flaps is followed by at most one silent reminder period.

import { isEventCode } from './detect/codes';
import { formatDuration, maxSeverity, severityRank } from './detect/text';
import { confirmReturnMs, defaultGraceMs, foldsInto } from './incident-policy';
import type { Finding, Severity } from './types';

export { defaultGraceMs, GRACE_MS } from './incident-policy';

export const RESOLVE_AFTER_POLLS = 2;
const FORGET_EVENTS_AFTER_MS = 24 * 3600 * 1000;

export type NotificationType = 'opened' | 'reminder' | 'resolved' | 'event';

export interface Notification {
  readonly type: NotificationType;
  readonly code: string;
  readonly severity: Severity;
  readonly subject: string;
  readonly message: string;
  readonly deployment: string;
  /** ISO-8601 time of the poll that produced it. */
  readonly at: string;
  readonly incidentId: string;
  /** ISO-8601; for an event, the same as `at`. */
  readonly openedAt: string;
  /** Reminder: open so far. Resolved: how long it lasted. */
  readonly durationMs?: number;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Incident {
  readonly id: string;
  readonly code: string;
  readonly subject: string;
  /** Latest severity, message and details of the finding. */
  readonly severity: Severity;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** `pending`: seen, but not yet for its grace period, so nobody has been told (see GRACE_MS). */
  readonly status: 'pending' | 'open' | 'resolved';
  /** Epoch ms (all times below too). For a pending incident: when it was first seen. */
  readonly openedAt: number;
  readonly lastSeenAt: number;
  /** First poll of the current absence; null while the finding is present. */
  readonly absentSince: number | null;
  readonly absentPolls: number;
  /** Last `opened` or `reminder`. */
  readonly lastPagedAt: number;
  /** Highest severity ever notified: escalations compare with it, `resolved` carries it. */
  readonly notifiedSeverity: Severity;
  /** How many times it came back after being resolved: once it has, it is flapping (hold-down). */
  readonly reopens: number;
  /** How many times it came back after missing at least one poll (resolved or not), for the text. */
  readonly returns: number;
  readonly resolvedAt: number | null;
  /** Set when a resolved incident came back and has not been announced again yet: since when, and polls. */
  readonly returnedAt?: number | null;
  /** When the last `resolved` went out: until a page follows it, the user believes it is over. */
  readonly resolvedNoticeAt?: number | null;
  readonly returnPolls?: number;
  /** Events folded into this incident (a restart of its server), told when it resolves. */
  readonly folded?: readonly string[];
}

export interface EventRecord {
  readonly lastAt: number;
  /** Events of this key swallowed by the throttle since `lastAt`. */
  readonly suppressed: number;
}

export interface IncidentState {
  readonly version: 1;
  /** Keyed by `incidentKey(code, subject)`. */
  readonly incidents: Readonly<Record<string, Incident>>;
  readonly events: Readonly<Record<string, EventRecord>>;
}

export const emptyIncidentState = (): IncidentState => ({ version: 1, incidents: {}, events: {} });

export const incidentKey = (code: string, subject: string): string => `${code} ${subject}`;

/** Events reported every time, whatever the throttle. */
const UNTHROTTLED_EVENTS: readonly string[] = ['MASTER_CHANGED'];

export interface AdvanceInput {
  readonly incidents: IncidentState;
  readonly findings: readonly Finding[];
  readonly deployment: string;
  /** Epoch ms of this poll. */
  readonly now: number;
  readonly reminderMinutes: number;
  /** How long a new condition must persist before it pages (default `defaultGraceMs`). */
  readonly graceMs?: (finding: Finding) => number;
}

export function advanceIncidents(input: AdvanceInput): {
  incidents: IncidentState;
  notifications: Notification[];
} {
  const { deployment, now } = input;
  const reminderMs = input.reminderMinutes * 60_000;
  const at = iso(now);
  const incidents: Record<string, Incident> = { ...input.incidents.incidents };
  const events: Record<string, EventRecord> = {};
  for (const [key, e] of Object.entries(input.incidents.events)) {
    // Keep a throttled count until the next event of that key reports it (for a day at most).
    const age = now - e.lastAt;
    if (age < reminderMs || (e.suppressed > 0 && age < FORGET_EVENTS_AFTER_MS)) events[key] = e;
  }
  const notifications: Notification[] = [];

  const notify = (type: NotificationType, inc: Incident, extra: Partial<Notification> = {}): void => {
    notifications.push({
      type,
      code: inc.code,
      severity: inc.severity,
      subject: inc.subject,
      message: inc.message,
      deployment,
      at,
      incidentId: inc.id,
      openedAt: iso(inc.openedAt),
      ...(inc.details ? { details: inc.details } : {}),
      ...extra,
    });
  };

  const present = new Set<string>();
  for (const f of strongestPerKey(input.findings)) {
    const key = incidentKey(f.code, f.subject);
    if (isEventCode(f.code)) {
      const host = foldsInto(f, Object.values(incidents));
      if (host) {
        incidents[incidentKey(host.code, host.subject)] = {
          ...host,
          folded: [...(host.folded ?? []), f.message].slice(-5),
        };
        continue;
      }
      const last = events[key];
      if (last && now - last.lastAt < reminderMs && !UNTHROTTLED_EVENTS.includes(f.code)) {
        events[key] = { ...last, suppressed: last.suppressed + 1 };
        continue;
      }
      events[key] = { lastAt: now, suppressed: 0 };
      const suppressed = last?.suppressed ?? 0;
      notifications.push({
        type: 'event',
        code: f.code,
        severity: f.severity,
        subject: f.subject,
        message: suppressed > 0 ? `${f.message} (${suppressed} more since the last report.)` : f.message,
        deployment,
        at,
        incidentId: `${deployment}:${key}@${at}`,
        openedAt: at,
        ...(f.details || suppressed > 0
          ? { details: { ...f.details, ...(suppressed > 0 ? { suppressed } : {}) } }
          : {}),
      });
      continue;
    }

    present.add(key);
    const old = incidents[key];
    const latest = {
      severity: f.severity,
      message: f.message,
      ...(f.details ? { details: f.details } : {}),
      lastSeenAt: now,
      absentSince: null,
      absentPolls: 0,
    };

    const grace = (input.graceMs ?? defaultGraceMs)(f);
    if (!old || (old.status === 'resolved' && now - (old.resolvedAt ?? 0) >= reminderMs)) {
      const inc: Incident = {
        id: `${deployment}:${key}@${at}`,
        code: f.code,
        subject: f.subject,
        ...latest,
        status: grace > 0 ? 'pending' : 'open',
        openedAt: now,
        lastPagedAt: now,
        notifiedSeverity: f.severity,
        reopens: 0,
        returns: 0,
        resolvedAt: null,
      };
      incidents[key] = inc;
      if (grace <= 0) notify('opened', inc);
      continue;
    }

    if (old.status === 'pending') {
      // Still there: announce it once it has lasted its grace period, as of when it was first seen.
      const due = now - old.openedAt >= grace;
      const inc: Incident = {
        ...old,
        ...latest,
        status: due ? 'open' : 'pending',
        lastPagedAt: now,
        notifiedSeverity: f.severity,
      };
      incidents[key] = inc;
      if (due) notify('opened', inc);
      continue;
    }

    const reopened = old.status === 'resolved';
    const escalated = severityRank(f.severity) > severityRank(old.notifiedSeverity);
    const due = now - old.lastPagedAt >= reminderMs;
    const { details: _previousDetails, ...kept } = old;
    // A return after the user was told `resolved` (and told nothing since) is announced once it has
    // lasted its confirmation time: on the first return, or on a later one during the hold-down.
    // (A state stored before resolvedNoticeAt existed: a resolved incident was announced resolved.)
    const noticeAt = old.resolvedNoticeAt ?? (reopened ? old.resolvedAt : null);
    const unannounced = (noticeAt ?? Number.NEGATIVE_INFINITY) > old.lastPagedAt;
    const returning = (reopened || old.absentPolls > 0) && unannounced;
    const returnedAt = returning ? now : (old.returnedAt ?? null);
    const returnPolls = returning ? 1 : returnedAt !== null ? (old.returnPolls ?? 1) + 1 : 0;
    const confirmed = returnedAt !== null && returnPolls >= 2 && now - returnedAt >= confirmReturnMs(grace);
    const inc: Incident = {
      ...kept,
      ...latest,
      status: 'open',
      resolvedAt: null,
      reopens: old.reopens + (reopened ? 1 : 0),
      returns: old.returns + (old.absentPolls > 0 || reopened ? 1 : 0),
      returnedAt,
      returnPolls,
    };
    if (!escalated && !due && !confirmed) {
      incidents[key] = inc;
      continue;
    }
    const paged: Incident = {
      ...inc,
      lastPagedAt: now,
      notifiedSeverity: maxSeverity(old.notifiedSeverity, f.severity),
      returnedAt: null,
      returnPolls: 0,
    };
    incidents[key] = paged;
    const open = formatDuration(now - inc.openedAt);
    const prefix = escalated
      ? `Now ${f.severity} (was ${old.notifiedSeverity}), open for ${open}`
      : confirmed && !due
        ? `Back again for ${formatDuration(now - (returnedAt ?? now))} after it had cleared${inc.returns > 1 ? ` (came back ${inc.returns} times)` : ''}`
        : reopened || inc.reopens > 0
          ? `Back again, open for ${open} and flapping (came back ${inc.returns} time${inc.returns === 1 ? '' : 's'} after clearing)`
          : `Still open after ${open}`;
    notify('reminder', paged, {
      message: `${prefix}: ${f.message}`,
      durationMs: now - inc.openedAt,
      details: {
        ...f.details,
        returns: inc.returns,
        ...(escalated ? { escalatedFrom: old.notifiedSeverity } : {}),
      },
    });
  }

  for (const [key, inc] of Object.entries(incidents)) {
    if (present.has(key)) continue;
    if (inc.status === 'pending') {
      // Gone within its grace period: it was part of something already reported, or nothing at all.
      delete incidents[key];
      continue;
    }
    if (inc.status === 'resolved') {
      if (now - (inc.resolvedAt ?? now) >= reminderMs) delete incidents[key];
      continue;
    }
    const absentSince = inc.absentSince ?? now;
    const absentPolls = inc.absentPolls + 1;
    const stable =
      absentPolls >= RESOLVE_AFTER_POLLS && (inc.reopens === 0 || now - absentSince >= reminderMs);
    // A return that clears before it is confirmed was a blip: the next return starts over.
    const cleared: Incident = { ...inc, returnedAt: null, returnPolls: 0 };
    if (!stable) {
      incidents[key] = { ...cleared, absentSince, absentPolls };
      continue;
    }
    const resolved: Incident = {
      ...cleared,
      absentSince,
      absentPolls,
      status: 'resolved',
      resolvedAt: now,
      resolvedNoticeAt: now,
      folded: [],
    };
    incidents[key] = resolved;
    const lasted = absentSince - inc.openedAt;
    const flapping =
      inc.reopens > 0
        ? ` It came back ${inc.returns} times after clearing; quiet for ${formatDuration(now - absentSince)} now.`
        : '';
    const also = inc.folded?.length ? ` Meanwhile: ${inc.folded.join(' ')}` : '';
    notify('resolved', resolved, {
      severity: inc.notifiedSeverity,
      message: `Resolved after ${formatDuration(lasted)}: ${inc.code} on ${inc.subject} is no longer reported.${flapping} It was: ${inc.message}${also}`,
      durationMs: lasted,
      details: { ...inc.details, returns: inc.returns, lastSeenAt: iso(inc.lastSeenAt) },
    });
  }

  return { incidents: { version: 1, incidents, events }, notifications };
}

/** One finding per key: a detector bug that reports a key twice must not open two incidents. */
function strongestPerKey(findings: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = incidentKey(f.code, f.subject);
    const seen = byKey.get(key);
    if (!seen || severityRank(f.severity) > severityRank(seen.severity)) byKey.set(key, f);
  }
  return [...byKey.values()];
}

const iso = (ms: number): string => new Date(ms).toISOString();
