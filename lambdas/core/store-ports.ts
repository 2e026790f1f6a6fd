// What the poller, the drill and the CLI need of persistent storage, as narrow interfaces. The
// DynamoDB adapter (lambdas/adapters/dynamo-store.ts) implements all of them; callers depend only on
// the one they use, and unit tests can hand them a few lines of in-memory fake.

import type { Silence } from './silence';
import type { SnapshotRecord } from './snapshot-record';

/** An inclusive time range of ISO-8601 instants. */
export interface TimeRange {
  readonly from: string;
  readonly to: string;
}

export interface HistoryOptions {
  /**
   * Which end of the range to keep when `limit` cuts it short: `oldest` (default) returns the first
   * `limit` records of the range, `newest` the last `limit`. Either way the result is oldest first.
   */
  readonly keep?: 'oldest' | 'newest';
}

export interface SnapshotStore {
  putSnapshot(record: SnapshotRecord): Promise<void>;
  /** A deployment's records in `range`, oldest first, at most `limit` of them. */
  history(
    deployment: string,
    range: TimeRange,
    limit?: number,
    options?: HistoryOptions,
  ): Promise<SnapshotRecord[]>;
}

export interface StoredState<T> {
  /** Incremented by every successful save; the first save writes version 1. */
  readonly version: number;
  readonly state: T;
}

/**
 * `conflict`: another writer saved since `expectedVersion` was read (or created the state first).
 * The caller must not act on its own view: reload and start over, or stop.
 */
export type SaveResult = 'saved' | 'conflict';

export interface StateStore {
  /**
   * The stored state, null before the first save. An item that is there but cannot be read (damaged)
   * is an error with `unreadableVersion` (see unreadableStateVersion): reading again gives the same.
   */
  loadState<T>(deployment: string): Promise<StoredState<T> | null>;
  /**
   * Saves `state` as version `expectedVersion + 1` only if the stored version is still
   * `expectedVersion` (null: only if there is no state yet). Optimistic locking: of two invocations
   * that read the same version, exactly one saves.
   */
  saveState<T>(deployment: string, state: T, expectedVersion: number | null): Promise<SaveResult>;
}

/**
 * The version of a stored state that loadState found but could not read, from its error; null for any
 * other error. A caller may start over at that version: its next conditional save replaces the item.
 */
export function unreadableStateVersion(error: unknown): number | null {
  const version = (error as { unreadableVersion?: unknown } | null | undefined)?.unreadableVersion;
  return typeof version === 'number' && Number.isInteger(version) ? version : null;
}

export interface LockRequest {
  /** Who holds the lock: an invocation's request id, a host and pid. */
  readonly owner: string;
  /** How long the lock holds unless released; a crashed holder's lock frees itself after this. */
  readonly ttlMs: number;
  /** Epoch milliseconds. */
  readonly now: number;
}

export type LockResult =
  | { readonly acquired: true }
  | {
      readonly acquired: false;
      readonly heldBy: string /** Epoch milliseconds. */;
      readonly expiresAt: number;
    };

export interface LockStore {
  /** Takes the deployment's drill lock if it is free, expired, or already held by `owner` (renewal). */
  acquireLock(deployment: string, request: LockRequest): Promise<LockResult>;
  /** Releases the lock if `owner` holds it. False when it does not (someone else's lock is left alone). */
  releaseLock(deployment: string, owner: string): Promise<boolean>;
}

/** The drill lock as stored: who holds it, since when, until when. */
export interface LockInfo {
  readonly owner: string;
  /** Epoch milliseconds. */
  readonly acquiredAt: number;
  /** Epoch milliseconds; a lock past this is free (its holder crashed or overran). */
  readonly expiresAt: number;
}

/**
 * Reads the drill lock without taking it: the poller asks whether a drill runs, so that the drill's
 * own failover is reported as planned. Kept apart from LockStore so that fakes of the drill's port
 * need not implement it.
 */
export interface LockReader {
  /** The deployment's lock item, expired or not; null when there is none. */
  currentLock(deployment: string): Promise<LockInfo | null>;
}

export interface DrillReportStore {
  putDrillReport(deployment: string, report: object, startedAt: string, retentionDays: number): Promise<void>;
}

/** What the poller and `watch` read of silences (silence.ts): the ones a step must honour. */
export interface SilenceReader {
  /** The deployment's silences that have not ended by `now` (in force or scheduled). */
  silencesFor(deployment: string, now: number): Promise<Silence[]>;
}

/** What `sentinel-watch silence` writes: the DynamoDB table, or the CLI's local file. */
export interface SilenceStore extends SilenceReader {
  /** Stores a new silence; its id must be new (a collision is an error, never an overwrite). */
  putSilence(silence: Silence): Promise<void>;
  /** Every deployment's silences (or one's), ended ones only when asked; oldest start first. */
  listSilences(
    options: { readonly deployment?: string; readonly includeEnded?: boolean },
    now: number,
  ): Promise<Silence[]>;
  /**
   * Ends a silence now (its `endsAt` becomes `now`, `endedBy` is recorded): the watchers announce what
   * it held at their next poll. Null when there is no such silence or it had already ended.
   */
  endSilence(id: string, endedBy: string, now: number): Promise<Silence | null>;
}

/** A shard's run mark (lambdas/poller/handover.ts): which run listens to all the shard's deployments. */
export interface ShardRunMark {
  readonly startedAt: number;
  readonly owner: string;
  /** Epoch ms when that run had subscribed to every deployment's sentinels. */
  readonly listeningAt: number;
  /** Epoch ms of that run's latest heartbeat: a run that crashed stops renewing it. */
  readonly aliveAt: number;
}

export interface ShardRunStore {
  /**
   * Records `mark` for `shard` unless a later run's mark is there already (later start; ties: larger
   * owner); the same run may record it again (its heartbeat). Returns whether it was recorded.
   */
  markListening(shard: string, mark: ShardRunMark): Promise<boolean>;
  /** The shard's run mark, or null when there is none (or it is damaged). */
  loadListening(shard: string): Promise<ShardRunMark | null>;
}
