// Scenarios: the advice about sentinels and quorum must fit the cause, and never make things worse.
// One sentinel address configured (as the README allows), quorum set too high, sentinels stopped.

import { waitFor } from '../../../cli/local/topology';
import { hasFinding, healthy, lastFindings, onSentinels, pollUntil, summary, useTopology } from './harness';

const scenario = useTopology('it-quorum', { basePort: 7700 });

afterEach(async () => {
  await healthy(scenario());
}, 90_000);

describe('Scenario family: quorum and sentinel counts', () => {
  it('a healthy deployment watched through one sentinel address, with min-replicas-to-write set, has no finding', async () => {
    // Prepare
    const s = scenario();
    const master = (await s.topo.currentMaster())!.port;
    await s.topo.withClient(master, (c) => c.call('CONFIG', 'SET', 'min-replicas-to-write', '1'));
    try {
      const w = s.watcher();

      // Act
      const findings = [];
      for (let i = 0; i < 8; i++) findings.push(...(await w.pollOnce()).findings);

      // Assess: no SENTINEL_COUNT_MISMATCH, no "set quorum 1" advice
      expect(summary(findings)).toEqual([]);
    } finally {
      await s.topo.withClient(master, (c) => c.call('CONFIG', 'SET', 'min-replicas-to-write', '0'));
    }
  }, 60_000);

  it('a quorum above the number of sentinels: NO_QUORUM says so and gives a majority, not "bring sentinels back"', async () => {
    // Prepare
    const s = scenario();

    // Act
    await onSentinels(s, (c) => c.call('SENTINEL', 'SET', s.topo.masterName, 'quorum', '4'));
    try {
      const steps = await pollUntil(s.watcher(), hasFinding('NO_QUORUM'), 15_000);

      // Assess: one finding (CONFIG_RISK would say the same), advice never below a majority
      const found = lastFindings(steps);
      expect(summary(found)).toEqual(['NO_QUORUM critical deployment']);
      expect(found[0].message).toContain('the quorum is 4 but the sentinels know only 3 sentinels');
      expect(found[0].message).toContain(`SENTINEL SET ${s.topo.masterName} quorum 2`);
      expect(found[0].message).not.toContain('bring the stopped sentinels back');
      expect(found[0].message).not.toMatch(/quorum 1\b/);
      expect(found[0].details).toMatchObject({ cause: 'quorum-too-high' });
    } finally {
      await onSentinels(s, (c) => c.call('SENTINEL', 'SET', s.topo.masterName, 'quorum', '2'));
    }
  }, 60_000);

  it('the master down while two of three sentinels are down: no failover will come, and how to act by hand', async () => {
    // Prepare
    const s = scenario();
    const master = (await s.topo.currentMaster())!.port;
    const [, a, b] = s.topo.sentinelPorts;

    // Act
    await s.topo.kill(a);
    await s.topo.kill(b);
    await s.topo.kill(master);
    try {
      const steps = await pollUntil(
        s.watcher(),
        (all) => hasFinding('NO_QUORUM')(all) && hasFinding('MASTER_UNREACHABLE')(all),
        20_000,
      );

      // Assess
      const found = lastFindings(steps);
      const unreachable = found.find((f) => f.code === 'MASTER_UNREACHABLE')!;
      expect(unreachable.message).toContain('No failover will come');
      expect(unreachable.message).toContain(`SENTINEL FAILOVER ${s.topo.masterName}`);
      expect(unreachable.message).not.toContain('a failover should follow');
      const quorum = found.find((f) => f.code === 'NO_QUORUM')!;
      expect(quorum.message).toContain('bring the stopped sentinels back');
      expect(quorum.details).toMatchObject({ cause: 'sentinels-down' });
    } finally {
      await s.topo.restart(master);
      await s.topo.restart(a);
      await s.topo.restart(b);
      await waitFor(
        async () => (await s.topo.status()).processes.every((p) => p.alive),
        10_000,
        'all processes',
      );
    }
  }, 90_000);
});
