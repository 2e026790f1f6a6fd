// One simulated deployment (simulated-fleet.ts: real Redis 7 replies) polled by the real probe and
// runPoller into a given store, one poll per invocation: the realistic poller state that the STATE
// item's bench (bench/state-item.ts) and its size tests measure. With `faults`, the sentinels fail
// over before the third invocation and the old master goes down before the fourth.

import { runBatch } from '../../lambdas/adapters/redis-batch';
import { parseWatchConfig } from '../../lambdas/core/config';
import type { SnapshotStore, StateStore } from '../../lambdas/core/store-ports';
import { probeWith, runPoller } from '../../lambdas/poller/run';
import { SimulatedFleet } from './simulated-fleet';

const PASSWORD = 'simulated-state-password';

/** Polls a fresh simulated deployment `invocations` times; resolves with its name. */
export async function pollSimulatedDeployment(
  store: StateStore & SnapshotStore,
  options: { readonly invocations: number; readonly faults?: boolean; readonly namePrefix?: string },
): Promise<string> {
  const fleet = new SimulatedFleet(PASSWORD);
  try {
    const [sim] = await fleet.start(1, options.namePrefix ?? 'sim');
    const config = parseWatchConfig({
      deployments: [
        {
          name: sim.name,
          masterName: sim.masterName,
          sentinels: sim.sentinels.map((p) => `127.0.0.1:${p}`),
          passwordEnv: 'SIM_PASSWORD',
          expectedReplicas: 2,
          expectedSentinels: 3,
        },
      ],
    });
    for (let i = 0; i < options.invocations; i++) {
      if (options.faults && i === 2) fleet.failover(0);
      if (options.faults && i === 3) fleet.kill(0, 'node', 0);
      await runPoller(
        config,
        {
          probe: probeWith(runBatch, Date.now),
          store,
          publisher: { publish: async () => undefined },
          secrets: { getSecret: async () => 'unused' },
          env: { SIM_PASSWORD: PASSWORD },
          clock: Date.now,
          sleep: async () => undefined,
        },
        { owner: `invocation-${i}`, remainingMs: () => 60_000 },
      );
    }
    return sim.name;
  } finally {
    await fleet.stop();
  }
}
