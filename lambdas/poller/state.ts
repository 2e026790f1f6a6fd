// What the poller keeps per deployment between polls (the STATE item), and the outbox rules. Pure
// functions over plain JSON, so the whole "nothing lost, nothing twice" protocol is testable without
// DynamoDB or SNS.
//
// The outbox protocol, per poll of one deployment (run.ts drives it):
//   1. load STATE (version v); probe; detect; advance incidents -> new notifications
//   2. enqueue them as `pending`, and claim every pending entry nobody else holds (ours until the
//      lease ends); conditional save as v+1. `conflict`: another invocation saved since we read, its
//      view wins and we send nothing; we stop polling this deployment, unless the winner is an earlier
//      run in its handover seconds (handover.ts), which leaves it to us.
//   3. publish the claimed entries, oldest first, with retries and backoff; an entry SNS rejects for
//      good (the message itself is invalid) is marked `failed` and the next one is tried, while one
//      that keeps failing for another reason stops publishing, so that the rest keep their order
//   4. record the outcome (sent / failed / still pending, claim released) with a conditional save,
//      retrying transient errors; on conflict reload and re-apply *only our own entries' outcome*, so
//      a concurrent writer's changes are kept.
// An entry is published only by the holder of a live claim, and a claim is only taken in a save that
// succeeded, so two invocations never publish the same entry. A crash between publishing and step 4
// leaves the entry claimed until the lease ends (after the crashed invocation's own timeout); it is
// then published again: the one duplicate case, which the alert's dedupeKey lets a receiver spot.

import { dedupeKey } from '../core/alert-text';
import { type DetectionState, emptyDetectionState, loadDetectionState } from '../core/detect';
import { loadRememberedDrill, type RememberedDrill } from '../core/drill-context';
import { emptyIncidentState, type IncidentState, type Notification } from '../core/incidents';
import { MAX_NODES, MAX_SENTINELS } from '../core/limits';
import { boundNode, boundSentinel, cut } from '../core/server-bounds';
import { emptySilenceState, loadSilenceState, type SilenceState } from '../core/silence-policy';
import type { ProbeError, Snapshot } from '../core/types';
import { loadRunMark, type RunMark } from './handover';

export interface OutboxEntry {
  /** The alert's dedupeKey: one incident transition. */
  readonly key: string;
  readonly notification: Notification;
  /** `failed`: SNS rejected this message for good; kept (like `sent`) only to refuse it again. */
  readonly status: 'pending' | 'sent' | 'failed';
  /** Epoch ms (all times below too). */
  readonly queuedAt: number;
  /** Publish attempts so far, over all invocations. */
  readonly attempts: number;
  /** The invocation that may publish it now; null when nobody holds it. */
  readonly claimedBy: string | null;
  readonly claimedUntil: number | null;
  readonly sentAt: number | null;
  /** When SNS rejected it (status `failed`); absent in entries stored before failures were kept. */
  readonly failedAt?: number | null;
  /** The last publish error's name (never a message body). */
  readonly lastError: string | null;
}

export type { RememberedDrill } from '../core/drill-context';

export interface PollerState {
  readonly version: 1;
  readonly detection: DetectionState;
  readonly incidents: IncidentState;
  /** Pending alerts, oldest first, then recently sent ones (kept to refuse duplicates). */
  readonly outbox: readonly OutboxEntry[];
  /** The previous poll, compacted to what detection compares with (see compactSnapshot). */
  readonly lastSnapshot: Snapshot | null;
  /** The drill the last poll saw holding the lock: the poll after it ends still attributes its switch. */
  readonly drill: RememberedDrill | null;
  /** The run that saved this state (handover.ts: a later run takes over, an earlier one stops). */
  readonly run?: RunMark | null;
  /** Incidents a silence holds back, and the silences last read (silence-policy.ts). */
  readonly silence?: SilenceState;
}

/** Sent (and failed) entries are remembered this long, to refuse a second send of the same key. */
export const SENT_KEPT_MS = 3600_000;
const SENT_KEPT_MAX = 50;
/**
 * Pending entries beyond this are dropped, least severe first (overflowVictims). Their size is
 * state-budget.ts's business: it fits the whole STATE item under DynamoDB's limit before each save
 * without dropping a pending alert.
 */
export const MAX_PENDING = 50;

export const emptyPollerState = (): PollerState => ({
  version: 1,
  detection: emptyDetectionState(),
  incidents: emptyIncidentState(),
  outbox: [],
  lastSnapshot: null,
  drill: null,
  run: null,
  silence: emptySilenceState(),
});

/**
 * Reads a stored state back. A first run or a damaged item gives an empty state (detection starts
 * over) but keeps whatever outbox entries are readable: pending alerts are never silently forgotten.
 */
export function loadPollerState(raw: unknown): PollerState {
  if (typeof raw !== 'object' || raw === null) return emptyPollerState();
  const s = raw as Partial<PollerState>;
  const incidents = s.incidents as IncidentState | undefined;
  return {
    version: 1,
    detection: loadDetectionState(s.detection),
    incidents:
      incidents?.version === 1 &&
      typeof incidents.incidents === 'object' &&
      typeof incidents.events === 'object'
        ? incidents
        : emptyIncidentState(),
    outbox: Array.isArray(s.outbox) ? s.outbox.filter(isEntry) : [],
    lastSnapshot:
      typeof s.lastSnapshot === 'object' && s.lastSnapshot !== null && Array.isArray(s.lastSnapshot.nodes)
        ? s.lastSnapshot
        : null,
    drill: loadRememberedDrill(s.drill),
    run: loadRunMark(s.run),
    silence: loadSilenceState(s.silence),
  };
}

const isEntry = (e: unknown): e is OutboxEntry =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as OutboxEntry).key === 'string' &&
  typeof (e as OutboxEntry).notification === 'object' &&
  ['pending', 'sent', 'failed'].includes((e as OutboxEntry).status);

/**
 * The previous poll as stored: everything detection reads of it (master, consensus, each server's
 * role, identity and reachability, the sentinels' master views with their config epoch), without the
 * bulky parts it does not (each sentinel's replica and peer lists, CONFIG values, ROLE replies, the
 * master's per-replica list, the clients writing to a replica, error messages beyond their start). About a third of the full snapshot,
 * and bounded whatever the servers reported: at most MAX_SENTINELS + MAX_NODES servers, each cut by
 * server-bounds.ts (a few hundred bytes each).
 */
export function compactSnapshot(s: Snapshot): Snapshot {
  const error = (e: ProbeError | null): ProbeError | null => e && { ...e, message: cut(e.message, 120) };
  return {
    ...s,
    findings: [],
    consensus: {
      ...s.consensus,
      votes: s.consensus.votes.slice(0, MAX_SENTINELS).map((v) => ({
        address: { host: cut(v.address.host), port: v.address.port },
        sentinels: v.sentinels.slice(0, MAX_SENTINELS).map((x) => cut(x)),
      })),
    },
    nodes: s.nodes.slice(0, MAX_NODES).map((n) => {
      // The drill lock is read from each fresh poll, never from the stored one (and a signed lock is long).
      const b = boundNode({ ...n, roleReply: null, config: null, writingClients: null, drillLock: null });
      return {
        ...b,
        error: error(b.error),
        replication: b.replication && { ...b.replication, replicas: [] },
      };
    }),
    sentinels: s.sentinels.slice(0, MAX_SENTINELS).map((x) => {
      const b = boundSentinel({ ...x, replicas: [], sentinels: [] });
      return { ...b, error: error(b.error) };
    }),
    ...(s.unprobed
      ? { unprobed: { ...s.unprobed, examples: s.unprobed.examples.slice(0, 5).map((e) => cut(e)) } }
      : {}),
  };
}

export interface EnqueueResult {
  readonly outbox: OutboxEntry[];
  /** Pending entries that did not fit (see overflowVictims): lost, to be logged loudly. */
  readonly dropped: OutboxEntry[];
  /** Notifications refused because their key was already queued or sent. */
  readonly duplicates: Notification[];
}

/** Adds new notifications as pending entries and forgets sent entries that are old enough. */
export function enqueue(
  outbox: readonly OutboxEntry[],
  notifications: readonly Notification[],
  now: number,
): EnqueueResult {
  const known = new Set(outbox.map((e) => e.key));
  const duplicates: Notification[] = [];
  const added: OutboxEntry[] = [];
  for (const notification of notifications) {
    const key = dedupeKey(notification);
    if (known.has(key)) {
      duplicates.push(notification);
      continue;
    }
    known.add(key);
    added.push({
      key,
      notification,
      status: 'pending',
      queuedAt: now,
      attempts: 0,
      claimedBy: null,
      claimedUntil: null,
      sentAt: null,
      lastError: null,
    });
  }
  const pending = [...outbox.filter((e) => e.status === 'pending'), ...added];
  const dropped = overflowVictims(pending, pending.length - MAX_PENDING);
  const kept = pending.filter((e) => !dropped.includes(e));
  const settled = outbox
    .filter((e) => e.status !== 'pending' && now - (e.sentAt ?? e.failedAt ?? 0) < SENT_KEPT_MS)
    .slice(-SENT_KEPT_MAX);
  return { outbox: [...kept, ...settled], dropped, duplicates };
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

/**
 * The `count` pending entries to drop when the outbox overflows: infos before warnings before
 * criticals (a critical is never dropped while a less severe alert is queued); within a severity,
 * reminders first (they repeat what an earlier alert said), then the oldest.
 */
export function overflowVictims(pending: readonly OutboxEntry[], count: number): OutboxEntry[] {
  if (count <= 0) return [];
  const rank = (e: OutboxEntry) => [
    SEVERITY_RANK[e.notification.severity] ?? 0,
    e.notification.type === 'reminder' ? 0 : 1,
    e.queuedAt,
  ];
  return [...pending]
    .sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    })
    .slice(0, count);
}

/** Claims every pending entry that nobody holds (or whose holder's lease ended) for `owner`. */
export function claim(
  outbox: readonly OutboxEntry[],
  owner: string,
  until: number,
  now: number,
): { outbox: OutboxEntry[]; claimed: OutboxEntry[] } {
  const claimed: OutboxEntry[] = [];
  const next = outbox.map((e) => {
    if (e.status !== 'pending') return e;
    const free = e.claimedBy === null || e.claimedBy === owner || (e.claimedUntil ?? 0) < now;
    if (!free) return e;
    const mine = { ...e, claimedBy: owner, claimedUntil: until };
    claimed.push(mine);
    return mine;
  });
  return { outbox: next, claimed };
}

export type PublishOutcome =
  | { readonly key: string; readonly sent: true; readonly attempts: number; readonly at: number }
  | {
      readonly key: string;
      readonly sent: false;
      readonly attempts: number;
      readonly error: string | null;
      /** When SNS rejected the message itself: another try cannot help, the entry is `failed`. */
      readonly rejectedAt?: number;
    };

/**
 * Applies our publish outcomes to a state (possibly re-read after a conflict): only entries we still
 * hold are touched; each is marked sent, failed (rejected by SNS), or released for the next attempt.
 * Claims of ours without an outcome (not tried: time ran out) are released too.
 */
export function settle(
  outbox: readonly OutboxEntry[],
  owner: string,
  outcomes: readonly PublishOutcome[],
): OutboxEntry[] {
  const byKey = new Map(outcomes.map((o) => [o.key, o]));
  return outbox.map((e) => {
    if (e.status !== 'pending' || e.claimedBy !== owner) return e;
    const o = byKey.get(e.key);
    const released = { ...e, claimedBy: null, claimedUntil: null };
    if (!o) return released;
    const attempts = e.attempts + o.attempts;
    if (o.sent) return { ...released, notification: gist(e), status: 'sent', sentAt: o.at, attempts };
    if (o.rejectedAt !== undefined) {
      const failed = { status: 'failed' as const, failedAt: o.rejectedAt };
      return { ...released, ...failed, notification: gist(e), attempts, lastError: o.error ?? e.lastError };
    }
    return { ...released, attempts, lastError: o.error ?? e.lastError };
  });
}

/**
 * What a settled entry keeps of its notification: who and what it was about, not its text or details
 * (a switch's timeline is most of an entry's size). Settled entries only refuse duplicates, by key.
 */
const gist = (e: OutboxEntry): Notification => {
  const { details: _details, ...rest } = e.notification;
  return { ...rest, message: '' };
};

export const pendingCount = (outbox: readonly OutboxEntry[]): number =>
  outbox.filter((e) => e.status === 'pending').length;
