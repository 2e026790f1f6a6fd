// Poller states as the poller really saves them: runPoller on a fake clock with MemoryStore, one poll
// per minute, each poll answered by a snapshot the caller builds. For tests (and the bench) of the
// STATE item's encoding and size, which must see the real shape, not a hand-written one.

import { parseWatchConfig, type WatchConfig } from '../../../lambdas/core/config';
import type { SnapshotStore, StateStore } from '../../../lambdas/core/store-ports';
import type { Snapshot } from '../../../lambdas/core/types';
import { type PollerDeps, runPoller } from '../../../lambdas/poller/run';
import type { PollerState } from '../../../lambdas/poller/state';
import { MemoryStore } from './memory-store';
import { fail, healthySnapshot, MINUTE, type MutableSnapshot, NOW } from './snapshot-factory';

const DEPLOYMENT = 'prod-cache';

/** One deployment, prod-cache, on the healthy snapshot's three sentinels. */
export const PROD_CACHE_CONFIG: WatchConfig = parseWatchConfig({
  deployments: [
    {
      name: DEPLOYMENT,
      masterName: 'mymaster',
      sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
    },
  ],
});

export interface LoggedError {
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

/**
 * runPoller's dependencies around `store` on a fake clock (`sleep` moves it): the probe answers with
 * `poll(now)` (by default a healthy snapshot), nothing is published, errors logged go to `errors`.
 */
export function fakePollerDeps(
  store: SnapshotStore & StateStore,
  clock: { now: number },
  options: { poll?: (at: number) => MutableSnapshot; errors?: LoggedError[] } = {},
): PollerDeps {
  const poll = options.poll ?? ((at: number) => healthySnapshot({ at }));
  return {
    probe: async () => poll(clock.now) as Snapshot,
    store,
    publisher: { publish: async () => undefined },
    secrets: { getSecret: async () => 'unused' },
    clock: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    random: () => 0.5,
    log: {
      info: () => undefined,
      warn: () => undefined,
      error: (message, data) => options.errors?.push({ message, data }),
    },
  };
}

/** The state saved after one poll per entry of `polls`, a minute apart from NOW. */
export async function pollerStateAfter(
  polls: readonly ((at: number) => MutableSnapshot)[],
): Promise<PollerState> {
  const store = new MemoryStore();
  const clock = { now: NOW };
  for (const [i, poll] of polls.entries()) {
    await runPoller(PROD_CACHE_CONFIG, fakePollerDeps(store, clock, { poll }), {
      owner: `inv-${i}`,
      remainingMs: () => MINUTE,
    });
    clock.now = NOW + (i + 1) * MINUTE;
  }
  return store.state(DEPLOYMENT);
}

/** A healthy 1 master + 2 replicas + 3 sentinels deployment, polled `polls` times. */
export const healthyPollerState = (polls = 5): Promise<PollerState> =>
  pollerStateAfter(Array.from({ length: polls }, () => (at: number) => healthySnapshot({ at })));

/**
 * A busier state: the master switched (a sent critical in the outbox) and a replica is down since
 * (an open incident, its alert sent too).
 */
export const eventfulPollerState = (): Promise<PollerState> =>
  pollerStateAfter([
    (at) => healthySnapshot({ at }),
    (at) => healthySnapshot({ at }),
    (at) => healthySnapshot({ at, masterIndex: 2, configEpoch: 2 }),
    (at) => {
      const s = healthySnapshot({ at, masterIndex: 2, configEpoch: 2 });
      fail(s.nodes[0], 'refused');
      return s;
    },
    (at) => {
      const s = healthySnapshot({ at, masterIndex: 2, configEpoch: 2 });
      fail(s.nodes[0], 'refused');
      return s;
    },
  ]);
