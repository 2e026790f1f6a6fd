// The handover between consecutive poller runs of one shard. With `pollEverySeconds` a run watches
// (polls on the clock, listens to the sentinels' pub/sub) for its scheduled minute, and keeps watching
// into the next minute until it sees the next run has taken over, at most `overlapMs` more. So there
// is no blind gap while the next run is scheduled (EventBridge delivers a few seconds late at times),
// cold-starts in the VPC and subscribes: the old run is still listening.
//
// Two runs watching one deployment is safe because every poll's state is saved with a conditional
// write (state.ts): one save wins, the other's notifications are dropped. Who keeps going is decided
// by the run mark each save leaves in the state:
//   - a run that loads a state saved by a *later* run stops watching that deployment (superseded);
//   - a run that loses a save to an *earlier* run polls again at once from the state that won (the
//     earlier run is in its last seconds and will see our save and stop).
// Duplicate deliveries of one tick (EventBridge delivers at least once) are the same case: the later
// start (ties: the larger owner id) keeps going, the other stops at its next load.

/** Timings of the handover, in ms. */
export const HANDOVER = {
  /** The schedule period when runs overlap (pollEverySeconds needs scheduleMinutes 1). */
  periodMs: 60_000,
  /** How long a run keeps watching past its minute when the next run has not taken over. */
  overlapMs: 25_000,
  /** The least overlap the stack accepts (pollerTimeoutSeconds must leave room for it). */
  minOverlapMs: 10_000,
  /** Kept free at the end of a run to save and publish (RUN_DEFAULTS.reserveMs). */
  reserveMs: 5_000,
} as const;

/** Who saved a deployment's state last: the run's start and its unique owner id. */
export interface RunMark {
  readonly startedAt: number;
  readonly owner: string;
}

/** How long a run may keep polling and listening: its minute, plus the handover when it listens. */
export function runWindowMs(pollEverySeconds: number | null): number {
  return pollEverySeconds === null ? HANDOVER.periodMs : HANDOVER.periodMs + HANDOVER.overlapMs;
}

/** True when `saved` comes from a run that started after `mine` (ties broken by owner id). */
export function isSupersededBy(saved: RunMark | null, mine: RunMark): boolean {
  if (saved === null || saved.owner === mine.owner) return false;
  if (saved.startedAt !== mine.startedAt) return saved.startedAt > mine.startedAt;
  return saved.owner > mine.owner;
}

/** A stored run mark, or null when absent or damaged (states saved before marks existed). */
export function loadRunMark(raw: unknown): RunMark | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { startedAt, owner } = raw as Partial<RunMark>;
  return typeof startedAt === 'number' && Number.isFinite(startedAt) && typeof owner === 'string'
    ? { startedAt, owner }
    : null;
}
