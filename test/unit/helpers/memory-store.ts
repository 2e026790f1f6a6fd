// An in-memory SnapshotStore + StateStore + LockReader with DynamoDB's conditional-save semantics, for
// runs of the poller loop without a table (unit tests on a fake clock, scenario suites on real servers).

import type { SnapshotRecord } from '../../../lambdas/core/snapshot-record';
import type {
  LockInfo,
  LockReader,
  SaveResult,
  SnapshotStore,
  StateStore,
  StoredState,
} from '../../../lambdas/core/store-ports';
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
