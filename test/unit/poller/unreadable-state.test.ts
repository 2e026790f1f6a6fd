// A STATE item the store cannot read (a damaged blob: state-codec.ts) must not stop the deployment's
// polls for good: the poller logs it, starts over from an empty state at the item's version, and the
// next save replaces it. Any other load error still fails the poll, as before.

import type { StoredState } from '../../../lambdas/core/store-ports';
import { type PollerDeps, runPoller } from '../../../lambdas/poller/run';
import { MemoryStore } from '../helpers/memory-store';
import { fakePollerDeps, type LoggedError, PROD_CACHE_CONFIG } from '../helpers/poller-states';
import { NOW } from '../helpers/snapshot-factory';

/** A store whose next load fails with `error`, as DynamoStore's does for an item it cannot read. */
class FailingLoadStore extends MemoryStore {
  constructor(private failure: Error | null) {
    super();
  }
  override async loadState<T>(deployment: string): Promise<StoredState<T> | null> {
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
    return super.loadState<T>(deployment);
  }
}

const unreadable = (version: number) =>
  Object.assign(new Error('DynamoDB Get (loadState) on table "t" failed: the stored state ...'), {
    name: 'UnreadableStateError',
    unreadableVersion: version,
    retryable: false,
  });

let errors: LoggedError[];

const deps = (store: MemoryStore): PollerDeps => fakePollerDeps(store, { now: NOW }, { errors });

beforeEach(() => {
  errors = [];
});

describe('Function: runPoller, when the stored state cannot be read', () => {
  it('starts over from an empty state at the stored version, so that the save replaces the item', async () => {
    // Prepare: the damaged item is at version 4
    const store = new FailingLoadStore(unreadable(4));
    store.states.set('prod-cache', { version: 4, state: 'damaged' });

    // Act
    const summary = await runPoller(PROD_CACHE_CONFIG, deps(store), {
      owner: 'inv-1',
      remainingMs: () => 60_000,
    });

    // Assess
    expect(summary.deployments[0]).toMatchObject({ polls: 1, stopped: 'done' });
    expect(store.states.get('prod-cache')?.version).toBe(5);
    expect(store.state().lastSnapshot?.takenAt).toBe(new Date(NOW).toISOString());
    expect(errors).toEqual([
      {
        message: 'the stored state cannot be read: detection starts over from an empty state',
        data: { deployment: 'prod-cache', version: 4, error: expect.stringContaining('the stored state') },
      },
    ]);
  });

  it('still fails the poll on any other load error (throttling, permissions)', async () => {
    // Prepare
    const store = new FailingLoadStore(
      Object.assign(new Error('DynamoDB Get (loadState) failed: ThrottlingException'), { retryable: true }),
    );

    // Act
    const run = runPoller(PROD_CACHE_CONFIG, deps(store), { owner: 'inv-1', remainingMs: () => 60_000 });

    // Assess
    await expect(run).rejects.toThrow('poll failed for 1 deployment: prod-cache: DynamoDB Get (loadState)');
    expect(store.states.size).toBe(0);
    expect(errors.map((e) => e.message)).toEqual(['poll failed']);
  });
});
