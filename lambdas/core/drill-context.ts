// Which drill, if any, a poll's changes belong to. A drill holds a lock while it runs: an item in the
// DynamoDB table (the drill Lambda) and a key on the master (every drill, CLI or Lambda). Whoever
// watches reads either, so a drill's own failover is reported as planned (info), not paged.

import type { DetectContext } from './detect';
import type { Snapshot } from './types';

/** The key a drill holds on the master while it runs; its value is the drill id. */
export const drillLockKey = (deployment: string): string => `sentinel-watch:drill-lock:${deployment}`;

/** A held drill lock, wherever it was read. Times in epoch ms. */
export interface DrillLockInfo {
  readonly owner: string;
  readonly acquiredAt: number;
  /** A lock past this is free: its holder crashed or overran. */
  readonly expiresAt: number;
}

/** What the watcher remembers of the drill it saw at the last poll. */
export interface RememberedDrill {
  readonly id: string;
  /** Epoch ms. */
  readonly startedAt: number;
}

/** `drill-20261125T064808Z-7d11b8` → the epoch ms it names; null for ids of another shape. */
export function drillIdStartedAt(id: string): number | null {
  const m = /^drill-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(id);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : null;
}

/** The drill lock key as the data nodes report it (the master's, else a replica's copy). */
export function drillLockFromSnapshot(snapshot: Snapshot): DrillLockInfo | null {
  const polledAt = Date.parse(snapshot.takenAt);
  const onMaster = snapshot.nodes.find(
    (n) => n.host === snapshot.master?.host && n.port === snapshot.master?.port,
  );
  const held = onMaster?.drillLock ?? snapshot.nodes.find((n) => n.drillLock)?.drillLock ?? null;
  if (!held) return null;
  const startedAt = drillIdStartedAt(held.owner) ?? polledAt;
  return { owner: held.owner, acquiredAt: Math.min(startedAt, polledAt), expiresAt: polledAt + held.ttlMs };
}

export function drillContext(
  lock: DrillLockInfo | null,
  remembered: RememberedDrill | null,
  now: number,
): { context: DetectContext | null; remember: RememberedDrill | null } {
  if (lock && lock.expiresAt >= now) {
    const drill = { id: lock.owner, startedAt: lock.acquiredAt };
    return { context: { drill: { ...drill, endedAt: null } }, remember: drill };
  }
  if (lock) {
    // Its holder crashed or overran: it ended when the lock expired.
    return {
      context: { drill: { id: lock.owner, startedAt: lock.acquiredAt, endedAt: lock.expiresAt } },
      remember: null,
    };
  }
  // The lock is gone since the last poll: the drill ended in between, and its switch may be this poll's.
  if (remembered) return { context: { drill: { ...remembered, endedAt: now } }, remember: null };
  return { context: null, remember: null };
}
