// Poller states as the poller really saves them: runPoller on a fake clock with MemoryStore, one poll
// per minute, each poll answered by a snapshot the caller builds. For tests (and the bench) of the
// STATE item's encoding and size, which must see the real shape, not a hand-written one.

import { parseWatchConfig } from '../../../lambdas/core/config';
import type { Snapshot } from '../../../lambdas/core/types';
import { runPoller } from '../../../lambdas/poller/run';
import type { PollerState } from '../../../lambdas/poller/state';
import { MemoryStore } from './memory-store';
import { fail, healthySnapshot, MINUTE, type MutableSnapshot, NOW } from './snapshot-factory';

const DEPLOYMENT = 'prod-cache';

/** The state saved after one poll per entry of `polls`, a minute apart from NOW. */
export async function pollerStateAfter(
  polls: readonly ((at: number) => MutableSnapshot)[],
): Promise<PollerState> {
  const config = parseWatchConfig({
    deployments: [
      {
        name: DEPLOYMENT,
        masterName: 'mymaster',
        sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
      },
    ],
  });
  const store = new MemoryStore();
  let now = NOW;
  for (const [i, poll] of polls.entries()) {
    await runPoller(
      config,
      {
        probe: async () => poll(now) as Snapshot,
        store,
        publisher: { publish: async () => undefined },
        secrets: { getSecret: async () => 'unused' },
        clock: () => now,
        sleep: async (ms) => {
          now += ms;
        },
        random: () => 0.5,
      },
      { owner: `inv-${i}`, remainingMs: () => MINUTE },
    );
    now = NOW + (i + 1) * MINUTE;
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
