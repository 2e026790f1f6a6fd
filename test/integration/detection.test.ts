// Detection and the incident lifecycle against a real 1+2+3 topology: each fault is injected for real,
// the watcher reports it once, and reports it resolved once the fault is undone.

import Redis from 'ioredis';
import { LocalTopology, waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../../lambdas/adapters/sentinel-events';
import { type Credentials, parseDeployment } from '../../lambdas/core/config';
import { drillLockKey } from '../../lambdas/core/drill-context';
import type { Notification } from '../../lambdas/core/incidents';
import type { SentinelEvent } from '../../lambdas/core/sentinel-event';
import { DeploymentWatcher, type WatchStep } from '../../lambdas/probe/deployment-watcher';
import { drillLockNow } from './drill-helpers';

const BASE = 7100;
let topo: LocalTopology;

const deployment = (patch: Record<string, unknown> = {}) =>
  parseDeployment(
    {
      name: 'it-detect',
      masterName: 'mymaster',
      sentinels: topo.sentinelAddresses,
      timeoutMs: 500,
      reminderMinutes: 60,
      ...patch,
    },
    'test',
  );
const watcher = (
  patch: Record<string, unknown> = {},
  credentials: Credentials = { password: topo.password },
) => new DeploymentWatcher(deployment(patch), credentials, { runBatch, now: Date.now });

/** Polls until `until` holds for the notifications gathered so far, collecting all of them. */
async function pollUntil(
  w: DeploymentWatcher,
  until: (all: readonly Notification[]) => boolean,
  timeoutMs = 20_000,
): Promise<Notification[]> {
  const all: Notification[] = [];
  await waitFor(
    async () => {
      all.push(...(await w.pollOnce()).notifications);
      return until(all);
    },
    timeoutMs,
    'the expected notifications',
    150,
  );
  return all;
}
const has = (type: string, code: string, subject?: string) => (all: readonly Notification[]) =>
  all.some((n) => n.type === type && n.code === code && (subject === undefined || n.subject === subject));
const node = (port: number) => `node 127.0.0.1:${port}`;
const sentinel = (port: number) => `sentinel 127.0.0.1:${port}`;

/** A watcher that has seen the healthy deployment once (no notifications expected from it). */
async function primed(
  patch: Record<string, unknown> = {},
  credentials?: Credentials,
): Promise<DeploymentWatcher> {
  const w = watcher(patch, credentials);
  const first = await w.pollOnce();
  expect(first.notifications).toEqual([]);
  return w;
}

async function admin(port: number, password?: string): Promise<Redis> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    protocol: 2,
    lazyConnect: true,
    ...(password ? { password } : {}),
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

beforeAll(async () => {
  topo = await LocalTopology.up({ basePort: BASE });
}, 60_000);

afterAll(async () => {
  await topo?.down();
});

describe('Detection against a real topology', () => {
  it('stays silent on a healthy deployment polled many times', async () => {
    const w = watcher();
    const notifications: Notification[] = [];
    for (let i = 0; i < 15; i++) notifications.push(...(await w.pollOnce()).notifications);
    expect(notifications).toEqual([]);
  });

  it('opens REPLICA_UNREACHABLE for a stopped replica, and resolves it when it is back', async () => {
    const port = topo.dataPorts[2];
    const w = await primed();
    await topo.kill(port);
    const opened = await pollUntil(w, has('opened', 'REPLICA_UNREACHABLE', node(port)));
    expect(opened.filter((n) => n.type === 'opened').map((n) => n.code)).toEqual(['REPLICA_UNREACHABLE']);
    expect(opened[0]).toMatchObject({ severity: 'warning', deployment: 'it-detect' });

    await topo.restart(port);
    const resolved = await pollUntil(w, has('resolved', 'REPLICA_UNREACHABLE', node(port)));
    expect(resolved.find((n) => n.type === 'resolved')?.durationMs).toBeGreaterThan(0);
    // NODE_RESTARTED may accompany the return; nothing else.
    expect(resolved.filter((n) => !['REPLICA_UNREACHABLE', 'NODE_RESTARTED'].includes(n.code))).toEqual([]);
  });

  it('opens SENTINEL_UNREACHABLE for one stopped sentinel, without NO_QUORUM', async () => {
    const port = topo.sentinelPorts[2];
    const w = await primed();
    await topo.kill(port);
    try {
      const all = await pollUntil(w, has('opened', 'SENTINEL_UNREACHABLE', sentinel(port)));
      expect(all.some((n) => n.code === 'NO_QUORUM')).toBe(false);
    } finally {
      await topo.restart(port);
    }
    await pollUntil(w, has('resolved', 'SENTINEL_UNREACHABLE', sentinel(port)));
  });

  it('opens a critical NO_QUORUM when two of three sentinels are down', async () => {
    const [, a, b] = topo.sentinelPorts;
    const w = await primed();
    await topo.kill(a);
    await topo.kill(b);
    try {
      const all = await pollUntil(w, has('opened', 'NO_QUORUM'));
      expect(all.find((n) => n.code === 'NO_QUORUM')).toMatchObject({
        severity: 'critical',
        subject: 'deployment',
      });
    } finally {
      await topo.restart(a);
      await topo.restart(b);
    }
    await pollUntil(w, has('resolved', 'NO_QUORUM'));
  });

  it('reports a replica frozen with SIGSTOP as unreachable (timeout), within the poll deadline', async () => {
    const port = topo.dataPorts[1];
    const w = await primed({ timeoutMs: 300 });
    await topo.freeze(port);
    try {
      const started = Date.now();
      const step: WatchStep = await w.pollOnce();
      expect(Date.now() - started).toBeLessThan(300 * 3 + 500 + 250);
      expect(step.findings.find((f) => f.subject === node(port))).toMatchObject({
        code: 'REPLICA_UNREACHABLE',
      });
    } finally {
      await topo.thaw(port);
    }
  });

  it('opens REPLICA_LAGGING in bytes when a replica falls behind the master', async () => {
    // Prepare: a replica asleep (DEBUG SLEEP) while ~4 MB are written to the master. On waking it
    // answers INFO before it has applied the backlog, so its own offset shows the gap.
    const [m, lagging] = topo.dataPorts;
    const w = await primed({ maxLagBytes: 100_000, timeoutMs: 4000, pollTimeoutMs: 8000 });
    const sleeper = await admin(lagging, topo.password);
    const writer = await admin(m, topo.password);
    try {
      const asleep = sleeper.call('DEBUG', 'SLEEP', '2').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      const value = 'x'.repeat(100_000);
      const pipeline = writer.pipeline();
      for (let i = 0; i < 40; i++) pipeline.set(`lag:${i}`, value);
      await pipeline.exec();

      // Act
      const step = await w.pollOnce();
      await asleep;

      // Assess
      const lag = step.findings.find((f) => f.code === 'REPLICA_LAGGING' && f.subject === node(lagging));
      expect(lag).toBeDefined();
      expect(lag?.details?.lagBytes as number).toBeGreaterThan(100_000);
      expect(step.notifications.map((n) => [n.type, n.code, n.subject])).toContainEqual([
        'opened',
        'REPLICA_LAGGING',
        node(lagging),
      ]);
      await pollUntil(w, has('resolved', 'REPLICA_LAGGING', node(lagging)));
    } finally {
      writer.disconnect();
      sleeper.disconnect();
    }
  });

  it('opens one AUTH_FAILED, not UNREACHABLE, when the watcher has the wrong password', async () => {
    const w = watcher({}, { password: 'wrong-password' });
    const { notifications } = await w.pollOnce();
    // One cause (the watcher's secret), one page, naming every node that refused it.
    expect(notifications.map((n) => `${n.type} ${n.code} ${n.subject}`)).toEqual([
      'opened AUTH_FAILED deployment',
    ]);
    expect(notifications[0].details?.servers).toEqual(topo.dataPorts.map(node).sort());
    expect(JSON.stringify(notifications)).not.toContain('wrong-password');
  });

  it('opens MONITORED_MASTER_IS_REPLICA when a sentinel monitors a replica', async () => {
    // Prepare: one sentinel re-pointed at a replica, as after a bad manual edit
    const [s0] = topo.sentinelPorts;
    const replica = topo.dataPorts[2];
    const w = await primed({ sentinels: [`127.0.0.1:${s0}`], expectedSentinels: 3 });
    const s = await admin(s0);
    const remonitor = async (port: number) => {
      await s.call('SENTINEL', 'REMOVE', 'mymaster');
      await s.call('SENTINEL', 'MONITOR', 'mymaster', '127.0.0.1', String(port), '2');
      await s.call(
        'SENTINEL',
        'SET',
        'mymaster',
        'auth-pass',
        topo.password,
        'down-after-milliseconds',
        '1500',
        'failover-timeout',
        '5000',
      );
    };
    try {
      await remonitor(replica);
      const all = await pollUntil(w, has('opened', 'MONITORED_MASTER_IS_REPLICA'));
      expect(all.find((n) => n.code === 'MONITORED_MASTER_IS_REPLICA')?.severity).toBe('critical');
    } finally {
      await remonitor(topo.dataPorts[0]);
      s.disconnect();
    }
    // Let it rediscover its peers before the next test.
    await waitFor(
      async () => (await topo.status()).processes.length === 6 && (await sentinelPeers(s0)) === 2,
      15_000,
      'the sentinel to see its peers again',
    );
  });

  it('reports a killed master as MASTER_CHANGED on the +switch-master event (not the 5 s interval), with its timeline, then resolves', async () => {
    // Prepare: the watcher polls every 5 s, and on sentinel events
    const old = topo.dataPorts[0];
    const w = new DeploymentWatcher(
      deployment(),
      { password: topo.password },
      { runBatch, now: Date.now, subscribe: subscribeSentinelEvents },
    );
    const steps: WatchStep[] = [];
    const events: SentinelEvent[] = [];
    const running = w.run({ intervalMs: 5000, onStep: (s) => steps.push(s), onEvent: (e) => events.push(e) });
    try {
      await waitFor(() => steps.length > 0, 5000, 'the first poll');
      expect(steps[0].notifications).toEqual([]);

      // Act
      await topo.kill(old);
      const changed = await waitFor(
        () => steps.flatMap((s) => s.notifications).find((n) => n.code === 'MASTER_CHANGED'),
        20_000,
        'MASTER_CHANGED',
      );

      // Assess: the right master, reported promptly, with the failover's timeline
      const firstSwitch = events.find((e) => e.type === '+switch-master')!;
      expect(firstSwitch).toBeDefined();
      const current = changed.details?.current as { port: number };
      expect(changed.details?.previous).toEqual({ host: '127.0.0.1', port: old });
      expect(firstSwitch.switch?.to.port).toBe(current.port);
      expect(topo.dataPorts).toContain(current.port);
      expect(changed.severity).toBe('critical');
      const delay = Date.parse(changed.at) - firstSwitch.at;
      expect(delay).toBeLessThan(3000);
      const timeline = changed.details?.timeline as { entries: { type: string }[]; leader: string | null };
      expect(timeline.entries.map((e) => e.type)).toEqual(
        expect.arrayContaining(['+odown', '+switch-master']),
      );
      expect(timeline.leader).toMatch(/^127\.0\.0\.1:2/);

      // Undo: the old master comes back and Sentinel turns it into a replica (~10 s)
      await topo.restart(old);
      const all = () => steps.flatMap((s) => s.notifications);
      await waitFor(
        () => {
          const opened = all().filter((n) => n.type === 'opened');
          return (
            opened.length > 0 &&
            opened.every((o) => all().some((r) => r.type === 'resolved' && r.incidentId === o.incidentId))
          );
        },
        40_000,
        'every incident opened by the kill to be resolved',
      );
    } finally {
      w.stop();
      await running;
    }
  }, 90_000);
});

describe('Detection during a drill run from anywhere', () => {
  it("reports a switch as info while the drill's signed lock is held on the master", async () => {
    // Prepare: a healthy deployment again (the previous test's old master may still be converting),
    // then hold the lock exactly as `sentinel-watch drill` does right before SENTINEL FAILOVER: its
    // claims signed with the drill key the watcher shares, SET NX PX 15000 (drill-faults and
    // drill-trust test the real drill, and every way a lock must not be trusted)
    await waitFor(
      async () => (await watcher().pollOnce()).findings.length === 0,
      40_000,
      'a healthy deployment',
      500,
    );
    const drillKey = 'detection-test-drill-key-0123456789abcdef';
    const w = new DeploymentWatcher(
      deployment(),
      { password: topo.password },
      { runBatch, now: Date.now, drillKey },
    );
    expect((await w.pollOnce()).notifications).toEqual([]);
    const master = (await topo.currentMaster())!;
    const key = drillLockKey('it-detect');
    const value = drillLockNow('it-detect', master.port, drillKey, { id: 'drill-20261125T070000Z-abcdef' });
    const client = await admin(master.port, topo.password);
    try {
      expect(await client.set(key, value, 'PX', 15_000, 'NX')).toBe('OK');
      expect(await client.call('WAIT', '2', '1000')).toBe(2);
      const s = await admin(topo.sentinelPorts[0]);
      try {
        // Act
        expect(await s.call('SENTINEL', 'FAILOVER', 'mymaster')).toBe('OK');
      } finally {
        s.disconnect();
      }
      const all = await pollUntil(w, has('event', 'MASTER_CHANGED'));

      // Assess
      const changed = all.find((n) => n.code === 'MASTER_CHANGED')!;
      expect(changed.severity).toBe('info');
      expect(all.filter((n) => n.severity === 'critical')).toEqual([]);
    } finally {
      // The key replicated to the new master; release it there as the drill would.
      const now = (await topo.currentMaster())!;
      await topo.withClient(now.port, (c) => c.del(key));
      client.disconnect();
    }
  }, 60_000);
});

async function sentinelPeers(port: number): Promise<number> {
  const s = await admin(port);
  try {
    const reply = (await s.call('SENTINEL', 'MASTER', 'mymaster')) as string[];
    return Number(reply[reply.indexOf('num-other-sentinels') + 1]);
  } finally {
    s.disconnect();
  }
}
