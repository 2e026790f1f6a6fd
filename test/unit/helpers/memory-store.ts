// An in-memory SnapshotStore + StateStore + LockReader with DynamoDB's conditional-save semantics, for
// runs of the poller loop without a table (unit tests on a fake clock, scenario suites on real servers).

import type { SnapshotRecord } from '../../../lambdas/core/snapshot-record';
import type {
  LockInfo,
  LockReader,
  SaveResult,
  ShardRunMark,
  ShardRunStore,
  SnapshotStore,
  StateStore,
  StoredState,
} from '../../../lambdas/core/store-ports';
import { isSupersededBy } from '../../../lambdas/poller/handover';
import type { PollerState } from '../../../lambdas/poller/state';

export class MemoryStore implements SnapshotStore, StateStore, LockReader {
  readonly states = new Map<string, StoredState<unknown>>();
  readonly snapshots: SnapshotRecord[] = [];
  lock: LockInfo | null = null;
  /** Runs once, just before the next saveState: a concurrent writer. */
  beforeSave: (() => void) | null = null;

  async putSnapshot(record: SnapshotRecord): Promise<void> {
    this.snapshots.push(record);
  }
  async history(): Promise<SnapshotRecord[]> {
    return this.snapshots;
  }
  async loadState<T>(deployment: string): Promise<StoredState<T> | null> {
    const s = this.states.get(deployment);
    return s ? (structuredClone(s) as StoredState<T>) : null;
  }
  async saveState<T>(deployment: string, state: T, expectedVersion: number | null): Promise<SaveResult> {
    const hook = this.beforeSave;
    this.beforeSave = null;
    hook?.();
    const current = this.states.get(deployment)?.version ?? null;
    if (current !== expectedVersion) return 'conflict';
    this.states.set(deployment, { version: (current ?? 0) + 1, state: structuredClone(state) });
    return 'saved';
  }
  async currentLock(): Promise<LockInfo | null> {
    return this.lock;
  }
  state(deployment = 'prod-cache'): PollerState {
    return this.states.get(deployment)?.state as PollerState;
  }
}

/** An in-memory ShardRunStore with the adapter's rule: a later run's mark is never replaced. */
export class MemoryShardRuns implements ShardRunStore {
  readonly marks = new Map<string, ShardRunMark>();
  /** Set to make the next calls fail, as a throttled or unreachable table would. */
  failing: Error | null = null;

  async markListening(shard: string, mark: ShardRunMark): Promise<boolean> {
    if (this.failing) throw this.failing;
    const held = this.marks.get(shard);
    if (held && isSupersededBy(held, mark)) return false;
    this.marks.set(shard, { ...mark });
    return true;
  }
  async loadListening(shard: string): Promise<ShardRunMark | null> {
    if (this.failing) throw this.failing;
    return this.marks.get(shard) ?? null;
  }
}
