// Who can silence an alert: the watcher (`watch`'s core, with sentinel events) against a real 1 master
// + 2 replicas + 3 sentinels on loopback (ports 8530-8532, sentinels 28530-28532). Only a real drill's
// own switch, under a lock signed with the drill key the watcher shares, is `info`; a forged or
// unsigned lock, a lock without expiry, the lock a killed drill left behind, and a crash during a drill
// are all paged as critical. One topology for the file; each test leaves a healthy deployment behind.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { type LocalTopology, waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../../lambdas/adapters/sentinel-events';
import { type Credentials, parseDeployment } from '../../lambdas/core/config';
import type { DrillReport } from '../../lambdas/core/drill';
import { drillLockKey } from '../../lambdas/core/drill-context';
import type { Notification } from '../../lambdas/core/incidents';
import type { Address } from '../../lambdas/core/types';
import { type DrillOptions, redisKeyLock, runDrill } from '../../lambdas/drill/run';
import { DeploymentWatcher } from '../../lambdas/probe/deployment-watcher';
import { downAndRemove, drillLockNow, liveDrillDeps, passesPreflight, upInTempDir } from './drill-helpers';

const ROOT = path.resolve(__dirname, '../..');
const BASE = 8530;
const NAME = 'it-drill-trust';
const DRILL_KEY = 'drill-trust-test-key-0123456789abcdef0123';
const LOCK = drillLockKey(NAME);

let topo: LocalTopology;
let dir: string;

const deployment = () =>
  parseDeployment(
    { name: NAME, masterName: 'mymaster', sentinels: topo.sentinelAddresses, timeoutMs: 500 },
    'test',
  );
const credentials = (): Credentials => ({ password: topo.password });

function drill(options: DrillOptions, progress?: (line: string) => void): Promise<DrillReport> {
  const d = deployment();
  return runDrill(d, credentials(), options, {
    ...liveDrillDeps(),
    lock: redisKeyLock({ runBatch, deployment: d, credentials: credentials(), now: Date.now }),
    drillKey: DRILL_KEY,
    ...(progress ? { progress } : {}),
  });
}

/** The watcher `sentinel-watch watch` runs (polls every second and on sentinel events), with the drill key. */
class Watching {
  readonly notifications: Notification[] = [];
  private running: Promise<void> = Promise.resolve();
  private constructor(private readonly watcher: DeploymentWatcher) {}

  /** Started, and past its first poll (the baseline a switch is compared with). */
  static async start(): Promise<Watching> {
    const w = new DeploymentWatcher(deployment(), credentials(), {
      runBatch,
      now: Date.now,
      subscribe: subscribeSentinelEvents,
      drillKey: DRILL_KEY,
    });
    const watching = new Watching(w);
    let primed: () => void = () => undefined;
    const first = new Promise<void>((resolve) => {
      primed = resolve;
    });
    watching.running = w.run({
      intervalMs: 1000,
      onStep: (step) => {
        watching.notifications.push(...step.notifications);
        primed();
      },
    });
    await first;
    return watching;
  }

  /** The MASTER_CHANGED event, once the watcher has reported it. */
  async switched(timeoutMs = 20_000): Promise<Notification> {
    return waitFor(
      () => this.notifications.find((n) => n.code === 'MASTER_CHANGED' && n.type === 'event'),
      timeoutMs,
      'the watcher to report MASTER_CHANGED',
      100,
    );
  }

  async stop(): Promise<void> {
    this.watcher.stop();
    await this.running;
  }
}

const healthy = (): Promise<Address> => passesPreflight(deployment, credentials);

/** After a switch: bring a killed old master back as a replica, clear any lock, wait for health. */
async function recover(old: number): Promise<void> {
  const now = await waitFor(
    async () => {
      const m = await topo.currentMaster();
      return m && m.port !== old ? m : undefined;
    },
    20_000,
    'the sentinels to agree on a new master',
  );
  const alive = await topo.withClient(old, (c) => c.ping()).catch(() => null);
  if (alive !== 'PONG') await topo.restart(old, { replicaOf: now.port });
  await topo.withClient(now.port, (c) => c.del(LOCK));
  await healthy();
}

async function sentinelFailover(): Promise<void> {
  // Right after an earlier failover Sentinel may not trust a replica yet (NOGOODSLAVE): retry.
  await waitFor(
    async () =>
      (await topo.withClient(topo.sentinelPorts[0], (c) => c.call('SENTINEL', 'FAILOVER', 'mymaster'))) ===
      'OK',
    20_000,
    'Sentinel to accept SENTINEL FAILOVER',
    500,
  );
}

beforeAll(async () => {
  ({ topo, dir } = await upInTempDir('sentinel-watch-drill-trust-', BASE));
}, 60_000);

afterAll(() => downAndRemove(topo, dir));

describe('who can silence a failover alert', () => {
  it("reports a real drill's own switch as info", async () => {
    // Prepare
    const before = await healthy();
    const watching = await Watching.start();
    let r: DrillReport;
    try {
      // Act
      // This topology has no min-replicas-to-write: judge the lock, not the split brain.
      r = await drill({
        criteria: {
          maxLostAcknowledgedWrites: { client: 100_000, oldMaster: 100_000 },
          maxSplitBrainMs: 60_000,
        },
      });
      await watching.switched();
    } finally {
      await watching.stop();
    }

    // Assess
    expect(r.passed).toBe(true);
    const changed = watching.notifications.find((n) => n.code === 'MASTER_CHANGED')!;
    expect(changed).toMatchObject({ severity: 'info', details: expect.objectContaining({ drillId: r.id }) });
    expect(changed.message).toContain(`during drill ${r.id}: a planned failover`);
    expect(watching.notifications.filter((n) => n.severity === 'critical')).toEqual([]);
    expect(r.checks.find((c) => c.name === 'lock-heartbeat')).toMatchObject({ passed: true });
    expect(r.previousMaster).toEqual(before);
    await healthy();
  }, 120_000);

  it.each([
    [
      'a forged lock: the drill format, claiming this very failover, unsigned',
      (from: number) => drillLockNow(NAME, from, null),
      ['PX', 15_000],
      'the lock is not signed',
    ],
    [
      'a lock without expiry, even one carrying a valid signature (a replayed value)',
      (from: number) => drillLockNow(NAME, from, DRILL_KEY),
      [],
      'the key has no expiry, and a drill always sets one',
    ],
  ])(
    'pages a switch under %s',
    async (_label, value, expiry, reason) => {
      // Prepare: whoever can write the data nodes writes the lock key, then a failover happens
      const master = await healthy();
      const watching = await Watching.start();
      let changed: Notification;
      try {
        await topo.withClient(master.port, (c) =>
          c.call('SET', LOCK, value(master.port), ...expiry.map(String)),
        );

        // Act
        await sentinelFailover();
        changed = await watching.switched();
      } finally {
        await watching.stop();
      }

      // Assess
      expect(changed.severity).toBe('critical');
      expect(changed.message).toContain(
        `Not treated as a drill: drill lock "drill-20261130T000000Z-f0f0f0" is not trusted: ${reason}`,
      );
      await recover(master.port);
    },
    90_000,
  );

  it('pages a crash while a killed drill process has left its lock behind', async () => {
    // Prepare: a drill process takes its signed lock and is killed (SIGKILL) before asking for anything
    const master = await healthy();
    const watching = await Watching.start();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/fixtures/killed-drill.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        KD_SENTINELS: topo.sentinelAddresses.join(','),
        KD_NAME: NAME,
        REDIS_PASSWORD: topo.password,
        SENTINEL_WATCH_DRILL_KEY: DRILL_KEY,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    let changed: Notification;
    try {
      const [, signal] = await once(child, 'exit');
      expect(signal).toBe('SIGKILL');
      expect(stderr).toMatch(/ lock no-other-drill: ok \(taken: .* signed with the drill key/);
      expect(await topo.withClient(master.port, (c) => c.exists(LOCK))).toBe(1);

      // Act: the master crashes while the dead drill's lock is still there
      await topo.kill(master.port);
      changed = await watching.switched();
    } finally {
      await watching.stop();
    }

    // Assess
    expect(changed.severity).toBe('critical');
    expect(changed.message).toMatch(
      /Not treated as a drill: drill drill-\S+ runs, but this switch is not its own: drill drill-\S+ had not sent SENTINEL FAILOVER when the master switched/,
    );
    await recover(master.port);
  }, 90_000);

  it('pages a kill -9 of the master during a real drill, right after its SENTINEL FAILOVER', async () => {
    // Prepare
    const master = await healthy();
    const watching = await Watching.start();
    const killed: Promise<void>[] = [];
    let changed: Notification;
    try {
      // Act: the drill asks for its failover, and the master it fails over crashes at that moment
      const report = drill({ verifyTimeoutMs: 5000, settleTimeoutMs: 2000 }, (line) => {
        if (killed.length === 0 && / failover: SENTINEL FAILOVER mymaster -> .*: OK$/.test(line))
          killed.push(topo.kill(master.port));
      });
      changed = await watching.switched();
      await report;
      await Promise.all(killed);
    } finally {
      await watching.stop();
    }

    // Assess
    expect(killed).toHaveLength(1);
    expect(changed.severity).toBe('critical');
    expect(changed.message).toMatch(
      new RegExp(
        `Not treated as a drill: drill drill-\\S+ runs, but this switch is not its own: (127\\.0\\.0\\.1:${master.port} does not answer|Sentinel saw 127\\.0\\.0\\.1:${master.port} objectively down)`,
      ),
    );
    await recover(master.port);
  }, 120_000);
});
