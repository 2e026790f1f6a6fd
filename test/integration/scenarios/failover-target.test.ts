// Scenarios: whether Sentinel could promote anyone right now, and what happens when it cannot. Real
// replica-priority, replicas killed and re-pointed, a master killed with nothing to promote.

import { waitFor } from '../../../cli/local/topology';
import {
  hasFinding,
  healthy,
  lastFindings,
  noFinding,
  pollUntil,
  type Scenario,
  summary,
  useTopology,
} from './harness';

const scenario = useTopology('it-failover-target', { basePort: 7600 });

afterEach(async () => {
  await healthy(scenario());
}, 90_000);

async function replicas(s: Scenario): Promise<{ master: number; replicas: number[] }> {
  const master = (await s.topo.currentMaster())!.port;
  return { master, replicas: s.topo.dataPorts.filter((p) => p !== master) };
}

const priority = (s: Scenario, port: number, value: number) =>
  s.topo.withClient(port, (c) => c.call('CONFIG', 'SET', 'replica-priority', String(value)));

describe('Scenario family: no failover target', () => {
  it('one replica with priority 0 and the other down: critical, naming each reason; gone once one is fixed', async () => {
    // Prepare
    const s = scenario();
    const {
      replicas: [a, b],
    } = await replicas(s);

    // Act
    await priority(s, a, 0);
    await s.topo.kill(b);
    try {
      const steps = await pollUntil(s.watcher(), hasFinding('NO_FAILOVER_TARGET'), 20_000);

      // Assess: the critical one, plus the dead replica's own warning; nothing else
      expect(summary(lastFindings(steps)).sort()).toEqual(
        [`NO_FAILOVER_TARGET critical deployment`, `REPLICA_UNREACHABLE warning node 127.0.0.1:${b}`].sort(),
      );
      const found = lastFindings(steps).find((f) => f.code === 'NO_FAILOVER_TARGET')!;
      expect(found.message).toContain('Automatic failover is impossible now');
      expect(found.message).toContain(`127.0.0.1:${a}: replica-priority 0`);
      expect(found.message).toContain(`127.0.0.1:${b}: down`);
      expect(found.message).toContain('CONFIG SET replica-priority 100');
    } finally {
      await priority(s, a, 100);
      await s.topo.restart(b);
    }
    await pollUntil(s.watcher(), noFinding('NO_FAILOVER_TARGET'), 20_000);
  }, 60_000);

  it('every replica with priority 0: critical, and a healthy deployment otherwise', async () => {
    // Prepare
    const s = scenario();
    const { replicas: all } = await replicas(s);

    // Act
    for (const p of all) await priority(s, p, 0);
    try {
      const steps = await pollUntil(s.watcher(), hasFinding('NO_FAILOVER_TARGET'), 20_000);

      // Assess
      expect(summary(lastFindings(steps))).toEqual(['NO_FAILOVER_TARGET critical deployment']);
    } finally {
      for (const p of all) await priority(s, p, 100);
    }
  }, 60_000);

  it('a replica re-pointed at a node that does not exist, the other down: the follower is named, the phantom is not "a target fewer"', async () => {
    // Prepare
    const s = scenario();
    const {
      master,
      replicas: [a, b],
    } = await replicas(s);

    // Act: a misconfigured replica follows a port where nothing listens
    await s.topo.withClient(a, (c) => c.call('REPLICAOF', '127.0.0.1', '7699'));
    await s.topo.kill(b);
    try {
      const steps = await pollUntil(s.watcher(), hasFinding('NO_FAILOVER_TARGET'), 20_000);

      // Assess
      const found = lastFindings(steps);
      expect(found.find((f) => f.code === 'NO_FAILOVER_TARGET')?.message).toContain(
        `127.0.0.1:${a}: follows 127.0.0.1:7699, not the master`,
      );
      expect(found.find((f) => f.subject === `node 127.0.0.1:${a}`)?.code).toBe('REPLICA_LINK_DOWN');
      // The node it follows is nobody's replica: no "one failover target fewer" about it.
      expect(found.filter((f) => f.subject === 'node 127.0.0.1:7699')).toEqual([]);
    } finally {
      await s.topo.withClient(a, (c) => c.call('REPLICAOF', '127.0.0.1', String(master)));
      await s.topo.restart(b);
    }
  }, 60_000);

  it('the master dies with nothing to promote: the aborted failovers are told in the critical, without events', async () => {
    // Prepare: no replica may be promoted; the watcher polls only (no pub/sub), as the poller
    // without pollEverySeconds does
    const s = scenario();
    const { master, replicas: all } = await replicas(s);
    for (const p of all) await priority(s, p, 0);
    const w = s.watcher();
    await w.pollOnce();

    // Act
    await s.topo.kill(master);
    try {
      const steps = await pollUntil(
        w,
        (all2) => all2.some((st) => st.findings.some((f) => f.details?.abortedFailovers)),
        40_000,
        1000,
      );

      // Assess: the master down and nothing to promote; the attempts are known from the elections
      const codes = lastFindings(steps).map((f) => `${f.code} ${f.severity}`);
      expect(codes).toEqual(
        expect.arrayContaining(['MASTER_UNREACHABLE critical', 'NO_FAILOVER_TARGET critical']),
      );
      expect(steps.flatMap((st) => st.notifications).filter((n) => n.code === 'FAILOVER_ABORTED')).toEqual(
        [],
      );
      const target = steps.flatMap((st) => st.findings).find((f) => f.details?.abortedFailovers)!;
      expect(target.code).toBe('NO_FAILOVER_TARGET');
      expect(target.message).toContain('Sentinel has tried to fail over and aborted');
    } finally {
      await s.topo.restart(master);
      for (const p of all) await priority(s, p, 100);
      await waitFor(async () => (await s.topo.currentMaster())?.port === master, 20_000, 'the master back');
    }
  }, 90_000);
});
