// Scenario: a replica falls behind between two polls. `watch` samples the master's INFO replication
// every second between its (here 30 s) polls and polls at once when a replica looks behind, so the
// lag is reported in seconds, not at the next interval.

import { waitFor } from '../../../cli/local/topology';
import type { WatchStep } from '../../../lambdas/probe/deployment-watcher';
import { admin, healthy, notifications, useTopology } from './harness';

const scenario = useTopology('it-lag', { basePort: 7850 });

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
      const asleep = sleeper.call('DEBUG', 'SLEEP', '3').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      const startedAt = Date.now();
      const value = 'x'.repeat(100_000);
      const pipeline = writer.pipeline();
      for (let i = 0; i < 40; i++) pipeline.set(`lag:${i}`, value);
      await pipeline.exec();
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
});
