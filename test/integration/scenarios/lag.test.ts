// Scenario: a replica falls behind between two polls. `watch` samples the master's INFO replication
// every second between its (here 30 s) polls and polls at once when a replica looks behind, so the
// lag is reported in seconds, not at the next interval. The poller does the same between its polls
// within the scheduled minute (pollEverySeconds).

import type Redis from 'ioredis';
import { waitFor } from '../../../cli/local/topology';
import { runBatch } from '../../../lambdas/adapters/redis-batch';
import { parseWatchConfig } from '../../../lambdas/core/config';
import type { AlertMessage } from '../../../lambdas/core/ports';
import type { Snapshot } from '../../../lambdas/core/types';
import { lagProbeWith, probeWith, runPoller, sleep } from '../../../lambdas/poller/run';
import type { WatchStep } from '../../../lambdas/probe/deployment-watcher';
import { MemoryStore } from '../../unit/helpers/memory-store';
import { admin, healthy, notifications, useTopology } from './harness';

const scenario = useTopology('it-lag', { basePort: 7850 });

/**
 * Puts the replica to sleep for 3 s (DEBUG SLEEP) and writes 4 MB to the master meanwhile; returns
 * when the writes were acknowledged, with when they started and the sleep's end.
 */
async function stallAndWrite(
  sleeper: Redis,
  writer: Redis,
): Promise<{ startedAt: number; asleep: Promise<unknown> }> {
  const asleep = sleeper.call('DEBUG', 'SLEEP', '3').catch(() => undefined);
  await new Promise((r) => setTimeout(r, 100));
  const startedAt = Date.now();
  const value = 'x'.repeat(100_000);
  const pipeline = writer.pipeline();
  for (let i = 0; i < 40; i++) pipeline.set(`lag:${i}`, value);
  await pipeline.exec();
  return { startedAt, asleep };
}

afterEach(async () => {
  await healthy(scenario());
}, 60_000);

describe('Scenario family: replica lag between polls', () => {
  it('a replica that stops applying writes is reported within seconds, though the next poll is 30 s away', async () => {
    // Prepare: a replica asleep (DEBUG SLEEP) while megabytes are written to the master; the watcher
    // waits up to 4 s for a server so it reads the replica when it wakes, before it catches up
    const s = scenario();
    const master = (await s.topo.currentMaster())!.port;
    const replica = s.topo.dataPorts.find((p) => p !== master)!;
    const w = s.watcher({ maxLagBytes: 200_000, timeoutMs: 4000, pollTimeoutMs: 9000, lagCheckMs: 500 });
    const steps: WatchStep[] = [];
    const running = w.run({ intervalMs: 30_000, onStep: (st) => steps.push(st) });
    const sleeper = await admin(replica, s.topo.password);
    const writer = await admin(master, s.topo.password);
    try {
      await waitFor(() => steps.length > 0, 10_000, 'the first poll');

      // Act
      const { startedAt, asleep } = await stallAndWrite(sleeper, writer);
      const lagging = await waitFor(
        () => steps.find((st) => st.findings.some((f) => f.code === 'REPLICA_LAGGING')),
        15_000,
        'REPLICA_LAGGING',
      );
      await asleep;

      // Assess: found by a lag-triggered poll, seconds after the writes, not at the 30 s interval
      expect(lagging.trigger).toBe('lag');
      expect(Date.parse(lagging.snapshot.takenAt) - startedAt).toBeLessThan(5000);
      expect(notifications(steps).map((n) => `${n.type} ${n.code}`)).toContain('opened REPLICA_LAGGING');
    } finally {
      sleeper.disconnect();
      writer.disconnect();
      w.stop();
      await running;
    }
  }, 60_000);

  it('the poller polls at once between its scheduled polls when a sample shows a replica behind', async () => {
    // Prepare: the poller's loop with its real probe and lag sampler (ticks every 30 s), an in-memory
    // table and publisher; the same sleeping replica and burst of writes
    const s = scenario();
    const master = (await s.topo.currentMaster())!.port;
    const replica = s.topo.dataPorts.find((p) => p !== master)!;
    const config = parseWatchConfig({
      deployments: [
        {
          name: 'it-lag-poller',
          masterName: s.topo.masterName,
          sentinels: [s.topo.sentinelAddresses[0]],
          passwordEnv: 'IT_LAG_PASSWORD',
          maxLagBytes: 200_000,
          timeoutMs: 4000,
          pollTimeoutMs: 9000,
          lagCheckMs: 500,
        },
      ],
      pollEverySeconds: 30,
    });
    const probes: { at: number; snapshot: Snapshot }[] = [];
    const probe = probeWith(runBatch, Date.now);
    const published: AlertMessage[] = [];
    const sleeper = await admin(replica, s.topo.password);
    const writer = await admin(master, s.topo.password);
    const startedAt = Date.now();
    const run = runPoller(
      config,
      {
        probe: async (...args) => {
          const snapshot = await probe(...args);
          probes.push({ at: Date.now(), snapshot });
          return snapshot;
        },
        lag: lagProbeWith(runBatch),
        store: new MemoryStore(),
        publisher: { publish: async (m) => void published.push(m) },
        secrets: { getSecret: async () => 'unused' },
        clock: Date.now,
        sleep,
        env: { IT_LAG_PASSWORD: s.topo.password },
      },
      // The window ends 16 s in (30 s - the 9 s poll deadline - the 5 s reserve): no tick comes
      { owner: 'it-lag', remainingMs: () => 30_000 - (Date.now() - startedAt) },
    );
    try {
      await waitFor(() => probes.length > 0, 10_000, 'the first poll');

      // Act
      const { startedAt: writtenAt, asleep } = await stallAndWrite(sleeper, writer);
      await asleep;
      const summary = await run;

      // Assess: a second poll within seconds of the writes (no tick was due) found the lag and paged
      expect(summary.deployments[0]).toMatchObject({ stopped: 'done' });
      const lagging = probes.find((p) => p.at > writtenAt);
      expect(lagging).toBeDefined();
      expect(lagging!.at - writtenAt).toBeLessThan(5000);
      expect(published.map((m) => m.attributes.code)).toContain('REPLICA_LAGGING');
    } finally {
      sleeper.disconnect();
      writer.disconnect();
      await run.catch(() => undefined);
    }
  }, 60_000);
});
