// Scenarios: every process answers, but the master does not take writes (or will stop soon). Built
// for real: min-replicas-to-write, maxmemory, a failing background save, a long script, maxclients.

import type Redis from 'ioredis';
import { waitFor } from '../../../cli/local/topology';
import { saveChildOf } from './fork-child';
import {
  admin,
  hasFinding,
  hasNotification,
  healthy,
  lastFindings,
  noFinding,
  pollUntil,
  type Scenario,
  summary,
  useTopology,
} from './harness';

const scenario = useTopology('it-writes', { basePort: 7550 });

afterEach(async () => {
  await healthy(scenario());
}, 90_000);

const masterPort = async (s: Scenario): Promise<number> => (await s.topo.currentMaster())!.port;

async function config(s: Scenario, port: number, ...pairs: string[]): Promise<void> {
  await s.topo.withClient(port, (c) => c.call('CONFIG', 'SET', ...pairs));
}

/** Makes the master's next background save fail the way an OOM-killed fork does. */
async function failBackgroundSave(s: Scenario, port: number): Promise<void> {
  await s.topo.withClient(port, async (c) => {
    await c.set('writes:seed', 'x');
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '1000000');
    await c.call('BGSAVE');
  });
  const child = await waitFor(() => saveChildOf(s.topo.pidOf(port)), 5000, 'the background save child');
  process.kill(child, 'SIGKILL');
  await s.topo.withClient(port, (c) =>
    waitFor(
      async () => (await c.info('persistence')).includes('rdb_last_bgsave_status:err'),
      5000,
      'the save to fail',
    ),
  );
  await config(s, port, 'rdb-key-save-delay', '0');
}

describe('Scenario family: the master does not take writes', () => {
  it('NOREPLICAS: min-replicas-to-write above the replicas connected is critical, with the trade-off of lowering it', async () => {
    // Prepare
    const s = scenario();
    const port = await masterPort(s);
    const w = s.watcher();
    await w.pollOnce();

    // Act
    await config(s, port, 'min-replicas-to-write', '3');
    try {
      const steps = await pollUntil(w, hasNotification('opened', 'MASTER_NOT_WRITABLE'), 30_000, 1000);

      // Assess: one page, after its 15 s grace (replicas re-attach after a failover)
      const found = lastFindings(steps);
      expect(summary(found)).toEqual([`MASTER_NOT_WRITABLE critical node 127.0.0.1:${port}`]);
      expect(found[0].details).toMatchObject({
        cause: 'noreplicas',
        errorCode: 'NOREPLICAS',
        minReplicasToWrite: 3,
      });
      expect(found[0].message).toContain('NOREPLICAS');
      expect(found[0].message).toContain('gives up the protection');
    } finally {
      await config(s, port, 'min-replicas-to-write', '0');
    }
    await pollUntil(w, hasNotification('resolved', 'MASTER_NOT_WRITABLE'), 20_000, 1000);
  }, 90_000);

  it('OOM: at maxmemory under noeviction is critical at once, with the memory figures', async () => {
    // Prepare
    const s = scenario();
    const port = await masterPort(s);
    const w = s.watcher();
    await w.pollOnce();

    // Act
    await config(s, port, 'maxmemory', '1mb', 'maxmemory-policy', 'noeviction');
    try {
      const steps = await pollUntil(w, hasNotification('opened', 'MASTER_NOT_WRITABLE'), 15_000);

      // Assess
      const [found] = lastFindings(steps);
      expect(summary(lastFindings(steps))).toEqual([`MASTER_NOT_WRITABLE critical node 127.0.0.1:${port}`]);
      expect(found.details).toMatchObject({ cause: 'oom', errorCode: 'OOM' });
      expect(found.message).toMatch(/maxmemory \(\d[\d.]* MiB used of 1 MiB\)/);
    } finally {
      await config(s, port, 'maxmemory', '0');
    }
    await pollUntil(w, hasNotification('resolved', 'MASTER_NOT_WRITABLE'), 20_000);
  }, 60_000);

  it('memory at 90% of maxmemory under noeviction is a warning before it bites', async () => {
    // Prepare
    const s = scenario();
    const port = await masterPort(s);
    const used = await s.topo.withClient(port, async (c) =>
      Number(/used_memory:(\d+)/.exec(await c.info('memory'))![1]),
    );

    // Act
    await config(s, port, 'maxmemory', String(Math.floor(used / 0.95)), 'maxmemory-policy', 'noeviction');
    try {
      const steps = await pollUntil(s.watcher(), hasFinding('MASTER_WRITES_AT_RISK'), 15_000);

      // Assess
      expect(summary(lastFindings(steps))).toEqual([`MASTER_WRITES_AT_RISK warning node 127.0.0.1:${port}`]);
      expect(lastFindings(steps)[0].message).toMatch(/uses 9\d% of maxmemory/);
    } finally {
      await config(s, port, 'maxmemory', '0');
    }
  }, 60_000);

  it('a failing background save while writes still go through is a warning (stop-writes-on-bgsave-error off)', async () => {
    // Prepare
    const s = scenario();
    const port = await masterPort(s);
    await config(s, port, 'stop-writes-on-bgsave-error', 'no');
    try {
      // Act
      await failBackgroundSave(s, port);
      const steps = await pollUntil(s.watcher(), hasFinding('MASTER_WRITES_AT_RISK'), 15_000);

      // Assess
      const found = lastFindings(steps);
      expect(summary(found)).toEqual([`MASTER_WRITES_AT_RISK warning node 127.0.0.1:${port}`]);
      expect(found[0].details).toEqual({ risks: ['bgsave-failing'] });
      expect(found[0].message).toContain('a restart loses everything since the last good save');
    } finally {
      // A good save clears the error.
      await s.topo.withClient(port, (c) => c.call('BGSAVE'));
      await config(s, port, 'stop-writes-on-bgsave-error', 'yes');
    }
  }, 60_000);

  it('MISCONF: a failing save stops writes; the sentinels fail over, and the old master is not blamed on auth-pass', async () => {
    // Prepare: save points set, as MISCONF needs them
    const s = scenario();
    const port = await masterPort(s);
    const w = s.watcher();
    await w.pollOnce();
    await config(s, port, 'save', '3600 1');

    // Act
    await failBackgroundSave(s, port);
    try {
      const steps = await pollUntil(
        w,
        (all) =>
          all.some((st) => st.findings.some((f) => f.code === 'MASTER_NOT_WRITABLE')) &&
          all.some((st) => st.findings.some((f) => f.code === 'MULTIPLE_MASTERS')),
        30_000,
        300,
      );

      // Assess: writes refused, named with its fix; the sentinels see it down (PING answers MISCONF)
      // and fail over; the stuck old master's advice is about its disk, not the sentinels' password
      const notWritable = steps.flatMap((st) => st.findings).find((f) => f.code === 'MASTER_NOT_WRITABLE')!;
      expect(notWritable).toMatchObject({ severity: 'critical', details: { cause: 'misconf-rdb' } });
      expect(notWritable.message).toContain('BGSAVE');
      const stuck = lastFindings(steps).find((f) => f.code === 'MULTIPLE_MASTERS')!;
      expect(stuck.subject).toBe(`node 127.0.0.1:${port}`);
      expect(stuck.message).toContain('MISCONF');
      expect(stuck.message).not.toContain('auth-pass');
      expect(
        steps.flatMap((st) => st.notifications).find((n) => n.code === 'MASTER_CHANGED')?.details,
      ).toMatchObject({
        cause: 'crash',
      });
    } finally {
      // Undo: a good save lets the old master answer PING; Sentinel then converts it.
      await config(s, port, 'save', '');
      await s.topo.withClient(port, (c) => c.call('BGSAVE'));
    }
    await pollUntil(s.watcher(), noFinding('MULTIPLE_MASTERS'), 40_000, 1000);
  }, 120_000);

  it('BUSY: a script past busy-reply-threshold makes the master refuse writes', async () => {
    // Prepare: a 1.2 s script (under down-after-milliseconds, so the sentinels do not step in)
    const s = scenario();
    const port = await masterPort(s);
    await config(s, port, 'busy-reply-threshold', '100');
    const scripter: Redis = await admin(port, s.topo.password);
    try {
      // Act
      const running = scripter
        .eval(
          "local t = redis.call('TIME'); local e = t[1] * 1000000 + t[2] + 1200000; while true do local n = redis.call('TIME'); if n[1] * 1000000 + n[2] > e then break end end; return 1",
          0,
        )
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      const step = await s.watcher().pollOnce();
      await running;

      // Assess
      const found = step.findings.find((f) => f.code === 'MASTER_NOT_WRITABLE');
      expect(found).toMatchObject({ severity: 'critical', details: { cause: 'busy', errorCode: 'BUSY' } });
      expect(found?.message).toContain('SCRIPT KILL');
    } finally {
      scripter.disconnect();
      await config(s, port, 'busy-reply-threshold', '5000');
    }
  }, 60_000);

  it('maxclients: near the limit is a warning; reached, the master cannot be read and the page says why', async () => {
    // Prepare
    const s = scenario();
    const port = await masterPort(s);
    const connected = await s.topo.withClient(port, async (c) =>
      Number(/connected_clients:(\d+)/.exec(await c.info('clients'))![1]),
    );
    const limit = connected + 40;
    await config(s, port, 'maxclients', String(limit));
    const extra: (Redis | null)[] = [];
    const open = () => admin(port, s.topo.password).catch(() => null);
    try {
      // Act 1: fill to 94% (the sentinels and the watcher hold connections too)
      while (extra.length < Math.ceil(limit * 0.94) - connected) extra.push(await open());
      const near = await pollUntil(s.watcher(), hasFinding('MASTER_WRITES_AT_RISK'), 15_000);
      const risk = lastFindings(near).find((f) => f.code === 'MASTER_WRITES_AT_RISK')!;
      expect(risk.message).toContain(`of maxclients ${limit} connections are in use`);

      // Act 2: full. Checked at once: reconnecting sentinels are refused too and would soon fail it over.
      for (let i = 0; i < 40; i++) extra.push(await open());
      const full = await s.watcher().pollOnce();
      expect(full.findings.find((f) => f.code === 'MASTER_UNREACHABLE')?.message).toContain(
        'maxclients limit is reached',
      );
    } finally {
      for (const c of extra) c?.disconnect();
      // The server frees the slots as it reads the closes: retry until an admin connection gets in.
      await waitFor(
        () =>
          config(s, port, 'maxclients', '10000').then(
            () => true,
            () => false,
          ),
        10_000,
        'a free connection to reset maxclients',
      );
    }
  }, 60_000);
});
