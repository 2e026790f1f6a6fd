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
//
// The shard's run mark (shard-handover.ts) makes the handover quick and quiet: the next run subscribes
// to every deployment's sentinels, then records in the table that it listens; the previous run reads
// that mark once a second near its end and stops every deployment that has no poll in flight or
// asked for. And clock polls are spread over the tick (phaseMs): deployment i of n polls at
// i/n of `pollEverySeconds` past each multiple of it, on the epoch clock, so both runs agree on when a
// deployment's turn is, a shard never polls all its deployments at the same moment, and a switch at a
// run's boundary meets runs with CPU and store calls to spare. A run with no live predecessor (the
// first after a deploy, a gap, or a predecessor whose heartbeat on the mark stopped: it crashed)
// polls everything at once first.

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
  /** How often a run near its end reads the shard's run mark to see whether the next run listens. */
  checkEveryMs: 1_000,
  /** A run starts reading the shard's run mark this far into its period (0.75: 45 s of a minute). */
  checkFromFraction: 0.75,
  /** How often a listening run renews its mark (`aliveAt`)... */
  heartbeatMs: 15_000,
  /** ...and how old a mark's heartbeat may be for its run to count as a live predecessor. */
  aliveWithinMs: 40_000,
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

/** A shard's run mark: the latest run that listens to all the shard's deployments, since when. */
export interface ListeningMark extends RunMark {
  readonly listeningAt: number;
  /** The run's latest heartbeat (HANDOVER.heartbeatMs). */
  readonly aliveAt: number;
}

/** Where deployment `index` of `count` polls within each tick of `everyMs`: spread evenly. */
export function phaseMs(index: number, count: number, everyMs: number): number {
  return count <= 1 ? 0 : Math.floor((index * everyMs) / count);
}

/** The first clock tick of a deployment with this phase at or after `from` (epoch ms). */
export function nextTickAt(from: number, phase: number, everyMs: number): number {
  return phase + Math.ceil((from - phase) / everyMs) * everyMs;
}

/**
 * Whether `mark` (read at this run's start) is a predecessor still watching: an earlier run whose
 * window (its period plus the overlap) has not ended and whose heartbeat is recent (a run that
 * crashed or timed out stops renewing it). Then this run need not poll everything at once: the
 * predecessor polled each deployment within the last tick and keeps listening until this one does.
 */
export function predecessorListening(
  mark: ListeningMark | null,
  me: RunMark,
  periodMs: number,
  overlapMs: number,
): boolean {
  if (mark === null || mark.owner === me.owner || isSupersededBy(mark, me)) return false;
  return (
    me.startedAt - mark.startedAt < periodMs + overlapMs &&
    me.startedAt - mark.aliveAt < HANDOVER.aliveWithinMs
  );
}
