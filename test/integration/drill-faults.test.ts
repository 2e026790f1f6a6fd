// The failover drill when the deployment misbehaves mid-drill, against a real 1 master + 2 replicas
// + 3 sentinels on loopback (ports 8500-8502, sentinels 28500-28502). One topology for the file; each
// test puts the deployment back together (whoever is master) before the next.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { type LocalTopology, waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { type Credentials, parseDeployment } from '../../lambdas/core/config';
import type { DrillReport } from '../../lambdas/core/drill';
import type { Address } from '../../lambdas/core/types';
import { type DrillOptions, redisKeyLock, runDrill } from '../../lambdas/drill/run';
import { downAndRemove, liveDrillDeps, passesPreflight, upInTempDir } from './drill-helpers';

const ROOT = path.resolve(__dirname, '../..');
const BASE = 8500;
const NAME = 'it-drill-faults';

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
  const lock = redisKeyLock({ runBatch, deployment: d, credentials: credentials(), now: Date.now });
  return runDrill(d, credentials(), options, { ...liveDrillDeps(), lock, ...(progress ? { progress } : {}) });
}

const checkOf = (r: DrillReport, name: string, phase?: string) =>
  r.checks.find((c) => c.name === name && (phase === undefined || c.phase === phase));

const healthy = (timeoutMs?: number): Promise<Address> => passesPreflight(deployment, credentials, timeoutMs);

const roleOf = async (port: number): Promise<string> =>
  topo.withClient(port, async (c) => String(((await c.call('ROLE')) as unknown[])[0]));

beforeAll(async () => {
  ({ topo, dir } = await upInTempDir('sentinel-watch-drill-faults-', BASE));
}, 60_000);

afterAll(() => downAndRemove(topo, dir));

describe('failover drill when the deployment misbehaves', () => {
  it('refuses when fewer replicas than expectedReplicas are ready, before any failover', async () => {
    // Prepare: one of the two replicas is down (expectedReplicas defaults to 2)
    const master = await healthy();
    const [down] = topo.dataPorts.filter((p) => p !== master.port);
    await topo.kill(down);
    let r: DrillReport;
    try {
      // Act
      r = await drill({ verifyTimeoutMs: 15_000 });
    } finally {
      await topo.restart(down, { replicaOf: (await topo.currentMaster())?.port ?? master.port });
    }

    // Assess: refused by preflight, nothing changed
    expect(r.outcome).toBe('refused');
    expect(r.legs).toEqual([]);
    expect(checkOf(r, 'replica-ready')).toMatchObject({ passed: false });
    expect(checkOf(r, 'replica-ready')?.detail).toMatch(
      /^1\/2 ready, 2 required \(expectedReplicas, pass criterion requireAllReplicas\): /,
    );
    expect(checkOf(r, 'replica-ready')?.detail).toContain(`127.0.0.1:${down} refused: connect ECONNREFUSED`);
    expect(r.finalState?.master).toEqual(master);
    await healthy();
  }, 90_000);

  it('names the new master 2 of 3 sentinels agree on when a sentinel dies mid-drill, and prints no unhandled ioredis error', async () => {
    // Prepare: the CLI as users run it, in its own process: ioredis writes "[ioredis] Unhandled error
    // event" to the real stderr (inside Jest's sandbox its `instanceof Error` test fails and it stays quiet)
    const before = await healthy();
    const victim = topo.sentinelPorts[2];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/sentinel-watch.ts',
        'drill',
        '--sentinels',
        topo.sentinelAddresses.join(','),
        '--master',
        'mymaster',
        '--name',
        NAME,
        '--timeout-ms',
        '500',
        '--verify-timeout-ms',
        '30000',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, REDIS_PASSWORD: topo.password },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let killed: Promise<void> | null = null;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // Act: the third sentinel dies as soon as the first has accepted SENTINEL FAILOVER, so the
      // sentinel-aware client reconnects after the switch with one sentinel gone
      if (!killed && / failover: SENTINEL FAILOVER mymaster -> .*: OK\n/.test(stderr))
        killed = topo.kill(victim);
    });
    let code: unknown;
    try {
      [code] = await once(child, 'exit');
      await killed;
    } finally {
      await topo.restart(victim);
    }

    // Assess
    const line = (name: string) => stdout.split('\n').find((l) => l.includes(` ${name} `)) ?? '';
    const newPort = Number(/Drill switched to: 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
    expect(killed).not.toBeNull();
    expect(code).toBe(1);
    expect(newPort).toBeGreaterThan(0);
    expect(newPort).not.toBe(before.port);
    expect(stdout).not.toContain('no agreed new master yet');
    expect(line('sentinels-agree-new-master')).toMatch(
      new RegExp(
        `FAILED .*2/3 configured sentinels name 127\\.0\\.0\\.1:${newPort}; 127\\.0\\.0\\.1:${victim}: refused`,
      ),
    );
    for (const name of [
      'new-master-role',
      'new-master-accepts-write',
      'canary-readable',
      'old-master-rejoined',
    ])
      expect(line(name)).toMatch(/^\s+verify\s+\S+\s+ok /);
    expect(stderr).not.toContain('[ioredis] Unhandled error event');
    await healthy();
  }, 120_000);

  it('does not report final-master ok while frozen replicas may still apply a pending promotion', async () => {
    // Prepare
    const master = await healthy();
    const replicas = topo.dataPorts.filter((p) => p !== master.port);
    let frozen = false;
    let r: DrillReport;
    try {
      // Act: both replicas freeze right after Sentinel accepted SENTINEL FAILOVER: the promotion
      // it sends (REPLICAOF NO ONE) waits, unread, in the chosen replica's socket
      r = await drill({ settleTimeoutMs: 5000 }, (line) => {
        if (!frozen && / failover: SENTINEL FAILOVER mymaster -> .*: OK$/.test(line)) {
          frozen = true;
          for (const port of replicas) void topo.freeze(port);
        }
      });
    } finally {
      for (const port of replicas) await topo.thaw(port);
    }

    // Assess: the drill did not claim a settled deployment...
    expect(frozen).toBe(true);
    expect(r.outcome).toBe('failed');
    expect(r.abortReason).toMatch(/failover-abort-slave-timeout/);
    const final = checkOf(r, 'final-master');
    expect(final).toMatchObject({ passed: false });
    expect(final?.detail).toMatch(/does not answer \(timeout\)/);
    expect(final?.detail).toMatch(/may still apply a promotion/);
    // ...and rightly so: once thawed, the chosen replica applies the promotion and a second master appears
    await waitFor(
      async () => {
        const roles = await Promise.all(replicas.map((p) => roleOf(p).catch(() => '?')));
        return roles.includes('master');
      },
      10_000,
      'the pending promotion to make a second master',
      100,
    );
    await healthy(90_000);
  }, 150_000);
});
