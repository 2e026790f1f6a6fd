// Scenarios: master switches that are not a plain crash: a manual SENTINEL FAILOVER, and an old master
// restarted with its old config that takes writes before Sentinel converts it.

import { waitFor } from '../../../cli/local/topology';
import { admin, healthy, notifications, useTopology, watchUntil } from './harness';

const scenario = useTopology('it-switchover', { basePort: 7650 });

afterEach(async () => {
  await healthy(scenario());
}, 90_000);

describe('Scenario family: switches that are not a crash', () => {
  it('a manual SENTINEL FAILOVER outside a drill is a switchover (warning), not "find out why it failed"', async () => {
    // Prepare
    const s = scenario();
    const old = (await s.topo.currentMaster())!;
    const w = s.watcher({}, { events: true });
    const run = watchUntil(
      w,
      (all) => notifications(all).some((n) => n.code === 'MASTER_CHANGED'),
      30_000,
      2000,
    );
    await new Promise((r) => setTimeout(r, 1500));

    // Act
    await s.topo.withClient(s.topo.sentinelPorts[0], (c) =>
      c.call('SENTINEL', 'FAILOVER', s.topo.masterName),
    );
    const all = await run;

    // Assess
    const changed = notifications(all).find((n) => n.code === 'MASTER_CHANGED')!;
    expect(changed.severity).toBe('warning');
    expect(changed.details).toMatchObject({ cause: 'manual', previous: old });
    expect(changed.message).toContain('manual switchover, not a crash');
    expect(changed.message).toContain(`SENTINEL FAILOVER ${s.topo.masterName}`);
    expect(changed.message).not.toContain('find out why');
    expect(notifications(all).filter((n) => n.severity === 'critical')).toEqual([]);
  }, 90_000);

  it('an old master restarted with its old config that takes writes: critical at once, with how much and since when', async () => {
    // Prepare
    const s = scenario();
    const old = (await s.topo.currentMaster())!;
    const w = s.watcher({}, { events: true });
    const steps: Parameters<Parameters<typeof w.run>[0]['onStep']>[0][] = [];
    const running = w.run({ intervalMs: 500, onStep: (st) => steps.push(st) });
    try {
      await waitFor(() => steps.length > 0, 5000, 'the first poll');

      // Act: kill it, let the sentinels fail over, bring it back as it was (it claims master ~10 s),
      // and have a client that still knows only the old address write to it
      await s.topo.kill(old.port);
      await waitFor(
        () => notifications(steps).some((n) => n.code === 'MASTER_CHANGED'),
        20_000,
        'the failover',
      );
      await s.topo.restart(old.port);
      const stale = await admin(old.port, s.topo.password);
      try {
        for (let i = 0; i < 50; i++) await stale.set(`stale:${i}`, 'lost').catch(() => undefined);
      } finally {
        stale.disconnect();
      }
      const opened = await waitFor(
        () => notifications(steps).find((n) => n.type === 'opened' && n.code === 'MULTIPLE_MASTERS'),
        15_000,
        'MULTIPLE_MASTERS',
      );

      // Assess: paged without the 20 s grace, with the writes counted; the restart is not a page of its own
      expect(opened.severity).toBe('critical');
      expect(opened.subject).toBe(`node ${old.host}:${old.port}`);
      expect(opened.details).toMatchObject({ acceptingWrites: true });
      expect(opened.details?.writesAccepted as number).toBeGreaterThanOrEqual(50);
      expect(opened.message).toMatch(/accepted about \d+ write\(s\)/);
      expect(Date.parse(opened.at) - Date.parse(opened.openedAt)).toBeLessThan(5000);

      // Sentinel converts it; everything opened resolves, and the restart was no page of its own
      await waitFor(
        () => notifications(steps).some((n) => n.type === 'resolved' && n.code === 'MULTIPLE_MASTERS'),
        40_000,
        'MULTIPLE_MASTERS resolved',
      );
      expect(notifications(steps).filter((n) => n.code === 'NODE_RESTARTED')).toEqual([]);
      const changed = notifications(steps).find((n) => n.code === 'MASTER_CHANGED')!;
      expect(changed).toMatchObject({ severity: 'critical', details: { cause: 'crash' } });
    } finally {
      w.stop();
      await running;
    }
  }, 120_000);

  it('a master frozen for 6 s (SIGSTOP): one critical page for the switch; its return as a stale master is not paged', async () => {
    // Prepare
    const s = scenario();
    const old = (await s.topo.currentMaster())!;
    const w = s.watcher({}, { events: true });
    const steps: Parameters<Parameters<typeof w.run>[0]['onStep']>[0][] = [];
    const running = w.run({ intervalMs: 1000, onStep: (st) => steps.push(st) });
    try {
      await waitFor(() => steps.length > 0, 5000, 'the first poll');

      // Act: frozen long enough for the sentinels to fail over, then thawed: it claims master until
      // Sentinel converts it (~10 s)
      await s.topo.freeze(old.port);
      await waitFor(
        () => notifications(steps).some((n) => n.code === 'MASTER_CHANGED'),
        20_000,
        'the failover',
      );
      await new Promise((r) => setTimeout(r, 6000 - 2500));
      await s.topo.thaw(old.port);
      await waitFor(
        async () => ((await s.topo.withClient(old.port, (c) => c.call('ROLE'))) as string[])[0] === 'slave',
        30_000,
        'Sentinel to convert the old master',
      );
      await new Promise((r) => setTimeout(r, 3000));

      // Assess
      const pages = notifications(steps).filter((n) => n.type !== 'resolved');
      expect(pages.filter((n) => n.severity === 'critical').map((n) => n.code)).toEqual(['MASTER_CHANGED']);
      expect(pages.filter((n) => n.code === 'MULTIPLE_MASTERS')).toEqual([]);
      expect(notifications(steps).find((n) => n.code === 'MASTER_CHANGED')?.details).toMatchObject({
        cause: 'crash',
      });
    } finally {
      await s.topo.thaw(old.port).catch(() => undefined);
      w.stop();
      await running;
    }
  }, 90_000);
});
