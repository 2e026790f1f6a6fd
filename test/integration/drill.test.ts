// The failover drill against a real 1 master + 2 replicas + 3 sentinels on loopback. One topology for
// the file; the tests run in order and each leaves a healthy deployment (whoever is master) behind.
// A drill takes ~21 s here: Sentinel converts the old master ~10 s after the switch, and each sentinel
// reads INFO of the converted node within the next 10 s.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { drillCommand } from '../../cli/commands/drill';
import type { CliIo } from '../../cli/io';
import { type LocalTopology, waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { type Credentials, parseDeployment } from '../../lambdas/core/config';
import type { DrillReport } from '../../lambdas/core/drill';
import type { Address } from '../../lambdas/core/types';
import { type DrillOptions, lockKey, redisKeyLock, runDrill } from '../../lambdas/drill/run';
import { downAndRemove, liveDrillDeps, passesPreflight, upInTempDir } from './drill-helpers';

const BASE = 6900;
const NAME = 'it-drill';

let topo: LocalTopology;
let dir: string;

const deployment = (patch: Record<string, unknown> = {}) =>
  parseDeployment(
    { name: NAME, masterName: 'mymaster', sentinels: topo.sentinelAddresses, timeoutMs: 500, ...patch },
    'test',
  );
const credentials = (): Credentials => ({ password: topo.password });

function drill(options: DrillOptions = {}, patch: Record<string, unknown> = {}): Promise<DrillReport> {
  const d = deployment(patch);
  const lock = redisKeyLock({ runBatch, deployment: d, credentials: credentials(), now: Date.now });
  return runDrill(d, credentials(), options, { ...liveDrillDeps(), lock });
}

/** A flat [k1, v1, k2, v2, ...] reply as an object. */
const pairs = (reply: unknown): Record<string, string> => {
  const list = Array.isArray(reply) ? reply.map(String) : [];
  return Object.fromEntries(list.flatMap((k, i) => (i % 2 === 0 ? [[k, list[i + 1]]] : [])));
};

const checkOf = (r: DrillReport, name: string) => r.checks.find((c) => c.name === name);

/** Limits this unprotected topology meets (~10 s of split brain): for tests about anything else. */
const UNJUDGED = {
  maxLostAcknowledgedWrites: { client: 100_000, oldMaster: 100_000 },
  maxSplitBrainMs: 60_000,
};

/** Reports go to $DRILL_REPORT_DIR when set (measurements), nowhere otherwise. */
async function keep(label: string, r: DrillReport): Promise<void> {
  if (process.env.DRILL_REPORT_DIR)
    await writeFile(path.join(process.env.DRILL_REPORT_DIR, `${label}.json`), JSON.stringify(r, null, 2));
}

/** Until a fresh poll would pass preflight again (sentinels rejoined, replicas in sync). */
const healthy = (): Promise<Address> => passesPreflight(deployment, credentials, 30_000);

beforeAll(async () => {
  ({ topo, dir } = await upInTempDir('sentinel-watch-drill-it-', BASE));
}, 60_000);

afterAll(() => downAndRemove(topo, dir));

describe('failover drill against a real topology', () => {
  it('refuses without quorum when two sentinels are down, changing nothing', async () => {
    // Prepare
    const [, s2, s3] = topo.sentinelPorts;
    await topo.kill(s2);
    await topo.kill(s3);
    let r: DrillReport;
    try {
      // The survivor notices after down-after-milliseconds (1.5 s)
      const [s1] = topo.sentinelPorts;
      await waitFor(
        async () =>
          String(
            await topo.withClient(s1, (c) =>
              c.call('SENTINEL', 'CKQUORUM', 'mymaster').catch((e: Error) => e.message),
            ),
          ).startsWith('NOQUORUM'),
        10_000,
        'the last sentinel to see no quorum',
        200,
      );

      // Act
      r = await drill();
    } finally {
      await topo.restart(s2);
      await topo.restart(s3);
    }

    // Assess
    expect(r.outcome).toBe('refused');
    expect(checkOf(r, 'sentinels-reachable')).toMatchObject({ passed: false });
    expect(checkOf(r, 'sentinels-reachable')?.detail).toContain(`127.0.0.1:${s2}: refused`);
    expect(checkOf(r, 'ckquorum')?.detail).toMatch(/NOQUORUM 1 usable Sentinels/);
    expect(r.legs).toEqual([]);
    expect(r.finalState?.master?.port).toBe(topo.dataPorts[0]);
    await healthy();
  });

  it('refuses while every replica lags behind the master by more than maxLagBytes', async () => {
    // Prepare: replicas stop applying the stream while the master takes 20 KB (CLIENT PAUSE WRITE; before
    // Redis 6.2 they sleep instead, and answer nothing until they wake).
    const [m, r1, r2] = topo.dataPorts;
    const modes = new Set<string>();
    for (const port of [r1, r2]) modes.add(await topo.stallReplication(port, 5000));
    let r: DrillReport;
    try {
      await topo.withClient(m, (c) => c.set('it-drill:lag', 'x'.repeat(20_000), 'PX', '60000'));
      // Act
      r = await drill({}, { maxLagBytes: 1000 });
    } finally {
      if (modes.has('paused-writes')) {
        for (const port of [r1, r2]) await topo.withClient(port, (c) => c.call('CLIENT', 'UNPAUSE'));
      } else await healthy();
    }

    // Assess
    expect(r.outcome).toBe('refused');
    expect(checkOf(r, 'replica-ready')?.passed).toBe(false);
    expect(checkOf(r, 'replica-ready')?.detail).toMatch(
      modes.has('paused-writes')
        ? /^no replica has its link up with lag under 1000 B: .*link up but 19\.\d KiB behind/
        : /^no replica has its link up with lag under 1000 B: /,
    );
  });

  it('refuses while another drill holds the lock, until that lock expires', async () => {
    // Prepare: a drill elsewhere (or one that crashed) holds the lock for 1.5 s more
    const key = lockKey(NAME);
    const [m] = topo.dataPorts;
    await topo.withClient(m, (c) => c.set(key, 'drill-elsewhere', 'PX', 1500, 'NX'));

    // Act
    const refused = await drill();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const later = await drill({ dryRun: true });

    // Assess
    expect(refused.outcome).toBe('refused');
    expect(checkOf(refused, 'no-other-drill')?.detail).toMatch(
      /^another drill holds key sentinel-watch:drill-lock:it-drill on the master: drill-elsewhere, until /,
    );
    expect(later).toMatchObject({ outcome: 'dry-run', passed: true });
    expect(later.plan.length).toBeGreaterThan(3);
    expect(await topo.withClient(m, (c) => c.exists(key))).toBe(0);
  });

  it('fails an unprotected deployment from the CLI on the default pass criteria, naming each with its value and fix (exit 1), after a verified failover', async () => {
    // Prepare
    const before = await healthy();
    const out: string[] = [];
    const io: CliIo = {
      out: (t) => out.push(t),
      err: () => undefined,
      env: { REDIS_PASSWORD: topo.password },
    };

    // Act
    const code = await drillCommand(
      [
        '--sentinels',
        topo.sentinelAddresses.join(','),
        '--master',
        'mymaster',
        '--name',
        NAME,
        '--timeout-ms',
        '500',
        '--json',
      ],
      io,
    );

    // Assess: the report
    expect(out).toHaveLength(1);
    const r = JSON.parse(out[0]) as DrillReport;
    await keep('drill', r);
    // Sentinel's part passed; the old master acknowledged writes for ~10 s (no min-replicas-to-write)
    expect(code).toBe(1);
    expect(r).toMatchObject({
      schemaVersion: 2,
      mode: 'failover',
      passed: false,
      outcome: 'failed',
      previousMaster: before,
      abortReason: null,
      error: null,
    });
    expect(r.checks.filter((c) => !c.passed)).toEqual([]);
    const failed = r.criteriaResults.filter((c) => !c.passed);
    expect(failed.map((c) => c.criterion)).toEqual(
      expect.arrayContaining(['maxLostAcknowledgedWrites.oldMaster', 'maxSplitBrainMs']),
    );
    const split = failed.find((c) => c.criterion === 'maxSplitBrainMs')!;
    expect(split).toMatchObject({ limit: 5000, measured: r.splitBrainWindowMs });
    expect(split.measured).toBeGreaterThan(5000);
    expect(split.fix).toContain('min-replicas-to-write 1 and min-replicas-max-lag 2');
    expect(r.summary).toMatch(
      /^FAILED: pass criteria not met: .*maxSplitBrainMs: the old master acknowledged writes after \+switch-master: \d+\.\d s \(limit 5\.0 s\)/,
    );
    expect(r.newMaster?.port).not.toBe(before.port);
    expect(r.timeToSwitchMs).toBeGreaterThan(0);
    expect(r.timeToVerifiedMs).toBeGreaterThan(r.timeToSwitchMs!);
    expect(r.splitBrainWindowMs).toBeGreaterThan(0);
    expect(r.acknowledgedWritesLost).toBeGreaterThan(0);
    expect(r.advice.join(' ')).toContain('min-replicas-to-write');
    expect(r.timeline.some((e) => e.type === '+switch-master')).toBe(true);
    expect(r.timeline.some((e) => e.type === '+convert-to-slave')).toBe(true);

    // Assess independently: every sentinel names the new master, which is a master with the canary
    const views = await topo.sentinelViews();
    expect(views.map((v) => v.master?.port)).toEqual([
      r.newMaster?.port,
      r.newMaster?.port,
      r.newMaster?.port,
    ]);
    const newPort = r.newMaster!.port;
    expect(await topo.withClient(newPort, async (c) => ((await c.call('ROLE')) as unknown[])[0])).toBe(
      'master',
    );
    expect(await topo.withClient(newPort, (c) => c.get(r.canary!.key))).toBe(r.canary!.value);
    expect(await topo.withClient(before.port, async (c) => ((await c.call('ROLE')) as unknown[])[0])).toBe(
      'slave',
    );
    expect(await topo.withClient(newPort, (c) => c.exists(lockKey(NAME)))).toBe(0);
  }, 90_000);

  it('fails back to the original master and restores its replica-priority', async () => {
    // Prepare
    const original = await healthy();

    // Act
    const r = await drill({ failback: true, criteria: UNJUDGED });
    await keep('failback', r);

    // Assess
    expect(r.passed).toBe(true);
    expect(r.newMaster?.port).not.toBe(original.port);
    expect(r.legs.at(-1)).toMatchObject({ purpose: 'failback', to: original, verified: true });
    expect(r.finalState).toMatchObject({ master: original, role: 'master', unanimous: true });
    expect(checkOf(r, 'failback-complete')?.passed).toBe(true);
    expect((await topo.currentMaster())?.port).toBe(original.port);
    const priority = await topo.withClient(original.port, (c) => c.call('CONFIG', 'GET', 'replica-priority'));
    expect(pairs(priority)['replica-priority']).toBe('100');
  }, 150_000);

  it("refuses a failover Sentinel cannot perform (replica-priority 0 everywhere) with the watcher's NO_FAILOVER_TARGET, master unchanged", async () => {
    // Prepare: no replica may be promoted; wait until every sentinel has read that (INFO every 10 s)
    const master = await healthy();
    const replicas = topo.dataPorts.filter((p) => p !== master.port);
    for (const port of replicas)
      await topo.withClient(port, (c) => c.call('CONFIG', 'SET', 'replica-priority', '0'));
    let r: DrillReport;
    try {
      await waitFor(
        async () => {
          for (const port of topo.sentinelPorts) {
            const list = (await topo.withClient(port, (c) =>
              c.call('SENTINEL', 'REPLICAS', 'mymaster'),
            )) as unknown[];
            if (!list.map(pairs).every((x) => x['slave-priority'] === '0')) return false;
          }
          return true;
        },
        25_000,
        'every sentinel to see replica-priority 0',
        250,
      );

      // Act
      r = await drill();
    } finally {
      for (const port of replicas)
        await topo.withClient(port, (c) => c.call('CONFIG', 'SET', 'replica-priority', '100'));
    }
    await keep('no-good-replica', r);

    // Assess: preflight's detection names it before any SENTINEL FAILOVER (Sentinel would answer
    // NOGOODSLAVE: the unit tests cover how that reply is reported)
    expect(r).toMatchObject({ passed: false, outcome: 'refused', legs: [] });
    expect(checkOf(r, 'replica-ready')?.detail).toContain('Sentinel will refuse to promote any');
    expect(checkOf(r, 'no-critical-findings')).toMatchObject({ passed: false });
    expect(checkOf(r, 'no-critical-findings')?.detail).toMatch(
      /NO_FAILOVER_TARGET \(deployment\): Automatic failover is impossible now: .*replica-priority 0/,
    );
    expect(r.finalState).toMatchObject({ master, role: 'master', unanimous: true });
    expect(await topo.withClient(master.port, (c) => c.set('it-drill:after', '1'))).toBe('OK');
  }, 60_000);
});
