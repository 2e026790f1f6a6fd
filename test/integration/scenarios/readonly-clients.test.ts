// Scenario: a client that did not follow a failover keeps writing to a replica (the READONLY pitfall).
// Needs INFO errorstats (Redis 6.2+); on older servers the check is listed as unavailable instead.

import type Redis from 'ioredis';
import { admin, hasFinding, healthy, lastFindings, pollUntil, summary, useTopology } from './harness';

const scenario = useTopology('it-readonly-clients', { basePort: 7800 });

afterEach(async () => {
  await healthy(scenario());
}, 90_000);

describe('Scenario family: clients writing to a replica', () => {
  it('names the replica, the rate and the client; gone a minute after the writes stop', async () => {
    // Prepare: the watcher sees the replica once before the writes start
    const s = scenario();
    const master = (await s.topo.currentMaster())!.port;
    const replica = s.topo.dataPorts.find((p) => p !== master)!;
    const w = s.watcher();
    const first = await w.pollOnce();
    const errorstats = first.snapshot.nodes.every((n) => n.stats?.errorCounts !== null);
    if (!errorstats) {
      // A server without INFO errorstats: the check must say it is unavailable, not stay silent.
      expect(first.snapshot.unavailable?.map((u) => u.check)).toContain('clients-writing-to-replicas');
      return;
    }
    const legacy: Redis = await admin(replica, s.topo.password);
    await legacy.call('CLIENT', 'SETNAME', 'legacy-app');
    let writing = true;
    const writes = (async () => {
      while (writing) {
        await legacy.set('orders:last', String(Date.now())).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      // Act
      const steps = await pollUntil(w, hasFinding('CLIENTS_WRITING_TO_REPLICA'), 20_000, 1000);

      // Assess
      const found = lastFindings(steps);
      expect(summary(found)).toEqual([`CLIENTS_WRITING_TO_REPLICA warning node 127.0.0.1:${replica}`]);
      expect(found[0].message).toMatch(/\d+ READONLY error\(s\) in .* \(about \d+ a minute\)/);
      expect(found[0].message).toContain('(legacy-app) set');
      expect(found[0].message).toContain('asking Sentinel for the master');
      expect(found[0].details?.perMinute as number).toBeGreaterThan(60);
    } finally {
      writing = false;
      await writes;
      legacy.disconnect();
    }

    // Undo: the condition holds for a minute after the last READONLY error, then clears
    await pollUntil(w, (all) => !hasFinding('CLIENTS_WRITING_TO_REPLICA')(all), 90_000, 2000);
  }, 150_000);
});
