// What silences do to one step's notifications, pure: `watch` (through watch-cycle.ts) and the poller
// both call applySilences after the incident lifecycle, so detection, incidents, snapshots and history
// are exactly what they would be without the silence; only who is told changes.
//
// The rules, chosen so that a silence can never hide a problem past its end:
//   - `opened` and `reminder` of a covered incident are held back, and the incident is remembered as
//     `held` (whether its opening was held back, or only reminders after an opening that went out).
//   - `event`s (MASTER_CHANGED, NODE_RESTARTED, FAILOVER_ABORTED) that are covered are held back for
//     good: they happened during the planned work and stay in the snapshots and `history`.
//   - `resolved` of a held incident whose opening was held back is dropped too (nobody was told it
//     opened). Any other `resolved` goes out, silence or not: a receiver that was paged (a PagerDuty
//     incident, a Slack thread) must learn that it is over.
//   - When the silence ends (it expires, or `silence remove` ends it early) and a held incident is
//     still open, it is announced at once: `opened` if nobody was told yet, else a `reminder`, both
//     saying the silence ended. A held incident that resolved meanwhile is forgotten quietly.
//   - Overlapping silences: an incident stays held while any silence covers it.

import { formatDuration, maxSeverity } from './detect/text';
import { type IncidentState, incidentKey, type Notification } from './incidents';
import { coveringSilence, describeScope, readSilences, type Silence, silenceStatus } from './silence';
import type { SnapshotRecord } from './snapshot-record';

export interface HeldIncident {
  readonly incidentId: string;
  readonly code: string;
  readonly subject: string;
  /** The silence that held it back last (what it was: `SilenceState.about`). */
  readonly silenceId: string;
  /** Epoch ms of the first notification held back. */
  readonly since: number;
  /** Its `opened` was held back: nobody outside knows it exists. */
  readonly openingHeld: boolean;
  readonly held: number;
}

export interface SilenceState {
  readonly version: 1;
  /** Keyed by incidentKey(code, subject). */
  readonly held: Readonly<Record<string, HeldIncident>>;
  /**
   * The deployment's silences as last read (in force or scheduled): used when the next read fails, so
   * that a DynamoDB hiccup in the middle of planned work does not page everyone.
   */
  readonly known: readonly Silence[];
  /**
   * What each silence that holds something back was (scope in words, reason), kept until what it held
   * is told: once a silence ends it is no longer among those read, and its end must still be explained.
   */
  readonly about: Readonly<Record<string, SilenceAbout>>;
}

export interface SilenceAbout {
  readonly scope: string;
  readonly reason: string;
}

export const emptySilenceState = (): SilenceState => ({ version: 1, held: {}, known: [], about: {} });

/**
 * Bounds that keep the silence part of the poller's STATE item small (it must fit 200 KB with the
 * rest, lambdas/poller/state-budget.ts): about 100 × 0.3 KB held plus 20 × 1 KB silences at worst.
 * Held incidents beyond the bound are forgotten oldest first (they then page when they change).
 */
const MAX_HELD = 100;
const MAX_KNOWN = 20;
const ABOUT_REASON_CHARS = 200;

/** A notification a silence held back, for logs and `watch --verbose`. */
export interface SilencedNotification {
  readonly notification: Notification;
  readonly silenceId: string;
}

export interface ApplySilencesInput {
  readonly deployment: string;
  readonly notifications: readonly Notification[];
  /** The incident state after this step (advanceIncidents' output). */
  readonly incidents: IncidentState;
  /** This deployment's silences (others are ignored); null: the read failed, use the known ones. */
  readonly silences: readonly Silence[] | null;
  readonly state: SilenceState | undefined;
  /** Epoch ms of this step. */
  readonly now: number;
}

export interface ApplySilencesResult {
  /** What to send: the notifications no silence covers, then announcements of silences that ended. */
  readonly notifications: Notification[];
  readonly silenced: SilencedNotification[];
  readonly state: SilenceState;
  /** The incident state to keep: an announcement at a silence's end counts as a page (reminder clock). */
  readonly incidents: IncidentState;
  /** The silences in force at this step. */
  readonly active: Silence[];
}

export function applySilences(input: ApplySilencesInput): ApplySilencesResult {
  const { deployment, now } = input;
  const state = loadSilenceState(input.state);
  const source = input.silences ?? state.known;
  const mine = source.filter((s) => s.deployment === deployment && silenceStatus(s, now) !== 'ended');
  const held: Record<string, HeldIncident> = { ...state.held };
  const about: Record<string, SilenceAbout> = { ...state.about };
  const remember = (x: Silence): void => {
    about[x.id] = { scope: describeScope(x), reason: x.reason.slice(0, ABOUT_REASON_CHARS) };
  };
  const out: Notification[] = [];
  const silenced: SilencedNotification[] = [];
  const incidents = { ...input.incidents.incidents };

  for (const n of input.notifications) {
    const key = incidentKey(n.code, n.subject);
    const silence = coveringSilence(mine, n, now);
    const previous = held[key]?.incidentId === n.incidentId ? held[key] : undefined;
    if (n.type === 'resolved') {
      if (previous?.openingHeld) {
        // Kept (not deleted): should it come back within its cool-down, its return is still news.
        silenced.push({ notification: n, silenceId: previous.silenceId });
      } else {
        delete held[key];
        out.push(n);
      }
      continue;
    }
    if (!silence) {
      if (!previous) {
        out.push(n);
        continue;
      }
      // The silence ended in the same step as a reminder fell due: one message, saying both.
      delete held[key];
      out.push({
        ...n,
        type: previous.openingHeld ? 'opened' : n.type,
        message: `${endedText(previous, about)}; still open: ${n.message}`,
        details: { ...n.details, ...endedDetails(previous) },
      });
      continue;
    }
    silenced.push({ notification: n, silenceId: silence.id });
    if (n.type === 'event') continue;
    remember(silence);
    held[key] = {
      incidentId: n.incidentId,
      code: n.code,
      subject: n.subject,
      silenceId: silence.id,
      since: previous?.since ?? now,
      openingHeld: previous?.openingHeld === true || n.type === 'opened',
      held: (previous?.held ?? 0) + 1,
    };
  }

  // Held incidents no silence covers any more: announce those still open, forget the rest.
  for (const [key, h] of Object.entries(held)) {
    const incident = input.incidents.incidents[key];
    const still = coveringSilence(mine, { deployment, code: h.code, subject: h.subject }, now);
    if (!incident || incident.id !== h.incidentId || (incident.status !== 'open' && !still)) {
      delete held[key];
      continue;
    }
    if (still) {
      held[key] = { ...h, silenceId: still.id };
      remember(still);
      continue;
    }
    delete held[key];
    incidents[key] = {
      ...incident,
      lastPagedAt: now,
      notifiedSeverity: maxSeverity(incident.notifiedSeverity, incident.severity),
    };
    out.push({
      type: h.openingHeld ? 'opened' : 'reminder',
      code: incident.code,
      severity: incident.severity,
      subject: incident.subject,
      message: `${endedText(h, about)}; still open after ${formatDuration(now - incident.openedAt)}: ${incident.message}`,
      deployment,
      at: iso(now),
      incidentId: incident.id,
      openedAt: iso(incident.openedAt),
      durationMs: now - incident.openedAt,
      details: { ...incident.details, ...endedDetails(h) },
    });
  }

  const kept = Object.entries(held)
    .sort(([, a], [, b]) => b.since - a.since)
    .slice(0, MAX_HELD);
  return {
    notifications: out,
    silenced,
    state: {
      version: 1,
      held: Object.fromEntries(kept),
      known: mine.slice(0, MAX_KNOWN),
      about: Object.fromEntries(
        Object.entries(about).filter(([id]) => kept.some(([, h]) => h.silenceId === id)),
      ),
    },
    incidents: { ...input.incidents, incidents },
    active: mine.filter((s) => silenceStatus(s, now) === 'active'),
  };
}

/** A poll's record with each finding that a silence in force covered marked with the silence's id. */
export function markSilenced(
  record: SnapshotRecord,
  active: readonly Silence[],
  now: number,
): SnapshotRecord {
  if (active.length === 0) return record;
  return {
    ...record,
    findings: record.findings.map((f) => {
      const s = coveringSilence(
        active,
        { deployment: record.deployment, code: f.code, subject: f.subject },
        now,
      );
      return s ? { ...f, silencedBy: s.id } : f;
    }),
  };
}

/** A stored silence state read back; anything unreadable starts empty (held incidents then page). */
export function loadSilenceState(raw: unknown): SilenceState {
  if (typeof raw !== 'object' || raw === null) return emptySilenceState();
  const s = raw as Partial<SilenceState>;
  if (s.version !== 1 || typeof s.held !== 'object' || s.held === null || !Array.isArray(s.known)) {
    return emptySilenceState();
  }
  const about = typeof s.about === 'object' && s.about !== null ? s.about : {};
  return { version: 1, held: s.held, known: readSilences(s.known).silences, about };
}

/** Told from what was remembered: an ended silence is no longer among those read. */
function endedText(h: HeldIncident, about: Readonly<Record<string, SilenceAbout>>): string {
  const a = about[h.silenceId];
  const what = a ? ` (${a.scope}: "${a.reason}")` : '';
  const count = `${h.held} alert${h.held === 1 ? '' : 's'} held back`;
  return `Silence ${h.silenceId}${what} ended (${count})`;
}

const endedDetails = (h: HeldIncident) => ({
  silenceId: h.silenceId,
  silenceEnded: true,
  heldAlerts: h.held,
});

const iso = (ms: number): string => new Date(ms).toISOString();
