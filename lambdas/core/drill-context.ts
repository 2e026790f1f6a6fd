// Which drill, if any, a poll's changes belong to. A drill holds a signed lock on the master while it
// runs (drill-lock.ts); a watcher reads it with every poll. A switch is reported as the drill's own
// (info) only when the lock is trusted (signed with the watcher's drill key, this deployment, its
// heartbeat fresh) AND the switch is what the drill asked for (`drillOwnsSwitch`): from the master the
// drill fails over, after it sent SENTINEL FAILOVER, inside its window, with no `+odown` of that master
// and the old master still answering. Anything else is a failure, and is paged.

import type { DetectContext, DrillContext } from './detect';
import { DRILL_CLOCK_SKEW_MS, type DrillLockVerdict, type RawDrillLock, verifyDrillLock } from './drill-lock';
import type { SentinelEvent } from './sentinel-event';
import { type Address, formatAddress, type Snapshot, sameAddress } from './types';

/** The key a drill holds on the master while it runs; its value is a signed lock (drill-lock.ts). */
export const drillLockKey = (deployment: string): string => `sentinel-watch:drill-lock:${deployment}`;

/** What the watcher remembers of the trusted drill it saw at the last poll. Times epoch ms. */
export interface RememberedDrill {
  readonly id: string;
  readonly startedAt: number;
  readonly from?: Address;
  readonly failoverAt?: number | null;
  readonly windowEndsAt?: number;
}

/** A remembered drill as stored (e.g. in the poller's state item); null when it is not one. */
export function loadRememberedDrill(raw: unknown): RememberedDrill | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || typeof r.startedAt !== 'number') return null;
  const from = r.from as Partial<Address> | undefined;
  return {
    id: r.id,
    startedAt: r.startedAt,
    ...(typeof from?.host === 'string' && typeof from.port === 'number'
      ? { from: { host: from.host, port: from.port } }
      : {}),
    ...(typeof r.failoverAt === 'number' || r.failoverAt === null ? { failoverAt: r.failoverAt } : {}),
    ...(typeof r.windowEndsAt === 'number' ? { windowEndsAt: r.windowEndsAt } : {}),
  };
}

/** The drill lock key as the data nodes report it (the master's, else a replica's copy). */
export function drillLockFromSnapshot(snapshot: Snapshot): RawDrillLock | null {
  const onMaster = snapshot.nodes.find((n) => sameAddress(n, snapshot.master));
  const held = onMaster?.drillLock ?? snapshot.nodes.find((n) => n.drillLock)?.drillLock ?? null;
  return held ? { value: held.owner, ttlMs: held.ttlMs } : null;
}

/**
 * The drill context for detection, and what to remember for the next poll. `verdict`: the lock read
 * by this poll, judged by `verifyDrillLock` (null: no lock). `events`: the sentinel events heard
 * around this poll, for `drillOwnsSwitch`.
 */
export function drillContext(
  verdict: DrillLockVerdict | null,
  remembered: RememberedDrill | null,
  now: number,
  events: readonly SentinelEvent[] = [],
): { context: DetectContext | null; remember: RememberedDrill | null } {
  const withEvents = (drill: DrillContext): DetectContext => ({
    drill: events.length > 0 ? { ...drill, events } : drill,
  });
  if (verdict?.trusted) {
    const { id, startedAt, from, failoverAt, windowEndsAt } = verdict.claims;
    const drill = { id, startedAt, from, failoverAt, windowEndsAt };
    return { context: withEvents({ ...drill, endedAt: null, verified: true }), remember: drill };
  }
  if (verdict) {
    // Present but not trusted: forged, unsigned, or left by a drill that died. Shown in the page.
    return {
      context: withEvents({
        id: verdict.id,
        startedAt: verdict.claims?.startedAt ?? now,
        endedAt: null,
        verified: false,
        untrustedReason: verdict.reason,
      }),
      remember: null,
    };
  }
  // The trusted lock is gone since the last poll: the drill released it in between, and its switch
  // may be this poll's. `drillOwnsSwitch` still requires the switch to match it.
  if (remembered)
    return { context: withEvents({ ...remembered, endedAt: now, verified: true }), remember: null };
  return { context: null, remember: null };
}

/** `drillContext` for a poll: the lock it read, verified with the watcher's drill key. */
export function drillContextOf(
  snapshot: Snapshot,
  options: {
    readonly deployment: string;
    readonly key: string | null;
    readonly now: number;
    readonly remembered: RememberedDrill | null;
    readonly events?: readonly SentinelEvent[];
  },
): { context: DetectContext | null; remember: RememberedDrill | null } {
  const raw = drillLockFromSnapshot(snapshot);
  const verdict = raw ? verifyDrillLock(raw, options) : null;
  return drillContext(verdict, options.remembered, options.now, options.events);
}

/** A change of master as one poll saw it. */
export interface SwitchSeen {
  readonly from: Address;
  readonly to: Address;
  /** Epoch ms: when the switch was seen (the poll's time). */
  readonly at: number;
  /** Whether the old master answered this poll; null when it was not asked. */
  readonly oldMasterAnswering: boolean | null;
}

export type Ownership = { readonly owned: true } | { readonly owned: false; readonly reason: string };

/**
 * Is this switch the drill's own? Only a verified drill can own one, and only the switch it asked
 * for: from its `from` master, seen after its SENTINEL FAILOVER and inside its window, not started by
 * `+odown` (Sentinel saw the master fail), and with the old master still answering (a crash during a
 * drill is still a crash). `events`: the sentinel events heard around the switch.
 */
export function drillOwnsSwitch(
  drill: DrillContext,
  sw: SwitchSeen,
  events: readonly SentinelEvent[] = drill.events ?? [],
): Ownership {
  const not = (reason: string): Ownership => ({ owned: false, reason });
  const from = formatAddress(sw.from);
  if (drill.verified !== true) return not(drill.untrustedReason ?? 'the drill lock is not verified');
  if (!drill.from) return not(`drill ${drill.id} does not say which master it fails over`);
  if (!sameAddress(drill.from, sw.from)) {
    return not(
      `drill ${drill.id} fails over ${formatAddress(drill.from)}, but the master switched from ${from}`,
    );
  }
  if (drill.failoverAt === undefined || drill.failoverAt === null) {
    return not(`drill ${drill.id} had not sent SENTINEL FAILOVER when the master switched`);
  }
  if (sw.at < drill.failoverAt - DRILL_CLOCK_SKEW_MS) {
    return not(`the master switched before drill ${drill.id} sent SENTINEL FAILOVER`);
  }
  if (drill.windowEndsAt !== undefined && sw.at > drill.windowEndsAt + DRILL_CLOCK_SKEW_MS) {
    return not(`the master switched after drill ${drill.id}'s window`);
  }
  const odown = events.find(
    (e) =>
      e.type === '+odown' &&
      e.instance?.role === 'master' &&
      sameAddress(e.instance, sw.from) &&
      e.at >= drill.startedAt - DRILL_CLOCK_SKEW_MS,
  );
  if (odown) {
    return not(
      `Sentinel saw ${from} objectively down (+odown from ${odown.sentinel} at ${new Date(odown.at).toISOString()}): a failure, not the drill's SENTINEL FAILOVER`,
    );
  }
  if (sw.oldMasterAnswering !== true) {
    return not(`${from} does not answer: it failed, whatever drill ${drill.id} asked for`);
  }
  return { owned: true };
}
