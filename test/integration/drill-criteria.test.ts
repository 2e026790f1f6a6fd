// The drill as a release gate, against a real 1 master + 2 replicas + 3 sentinels on loopback (ports
// 8540-8542, sentinels 28540-28542; REDIS_SERVER picks the server version): preflight refuses what the
// watcher would page about, a deployment with write protection passes the default pass criteria, and
// a planned switchover (writes held) loses no acknowledged write. With DRILL_REPORT_DIR set, every
// report is written there (docs/drill.md's measurements per server version come from it).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { drillCommand } from '../../cli/commands/drill';
import type { CliIo } from '../../cli/io';
import type { LocalTopology } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { type Credentials, parseDeployment } from '../../lambdas/core/config';
import type { DrillReport } from '../../lambdas/core/drill';
import type { Address } from '../../lambdas/core/types';
import { pausesWrites } from '../../lambdas/drill/phases/switchover';
import { type DrillOptions, redisKeyLock, runDrill } from '../../lambdas/drill/run';
import { downAndRemove, liveDrillDeps, passesPreflight, upInTempDir } from './drill-helpers';

const BASE = 8540;
const NAME = 'it-drill-criteria';

let topo: LocalTopology;
let dir: string;
let version = '';

const deployment = () =>
  parseDeployment(
    { name: NAME, masterName: 'mymaster', sentinels: topo.sentinelAddresses, timeoutMs: 500 },
    'test',
  );
const credentials = (): Credentials => ({ password: topo.password });

function drill(options: DrillOptions): Promise<DrillReport> {
  const d = deployment();
  const lock = redisKeyLock({ runBatch, deployment: d, credentials: credentials(), now: Date.now });
  return runDrill(d, credentials(), options, { ...liveDrillDeps(), lock });
}

/** `sentinel-watch drill --json ...` on this topology: its exit code and report. */
async function drillCli(...flags: string[]): Promise<{ code: number; r: DrillReport }> {
  const out: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: () => undefined, env: { REDIS_PASSWORD: topo.password } };
  const args = ['--sentinels', topo.sentinelAddresses.join(','), '--master', 'mymaster', '--name', NAME];
  const code = await drillCommand([...args, '--timeout-ms', '500', '--json', ...flags], io);
  return { code, r: JSON.parse(out[0]) as DrillReport };
}

async function keep(label: string, r: DrillReport): Promise<void> {
  const to = process.env.DRILL_REPORT_DIR;
  if (to) await writeFile(path.join(to, `${version}-${label}.json`), JSON.stringify(r, null, 2));
}

const healthy = (): Promise<Address> => passesPreflight(deployment, credentials, 60_000);

/** CONFIG SET on every data node, one parameter a call (Redis before 7.0 takes one), not persisted. */
async function configAll(...pairs: string[]): Promise<void> {
  for (const port of topo.dataPorts) {
    for (let i = 0; i < pairs.length; i += 2) {
      await topo.withClient(port, (c) => c.call('CONFIG', 'SET', pairs[i], pairs[i + 1]));
    }
  }
}

const criterion = (r: DrillReport, name: string) => r.criteriaResults.find((c) => c.criterion === name);

beforeAll(async () => {
  ({ topo, dir } = await upInTempDir('sentinel-watch-drill-criteria-', BASE));
  const info = String(await topo.withClient(topo.dataPorts[0], (c) => c.info('server')));
  version = /valkey_version:(\S+)/.exec(info)?.[1] ?? /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}, 60_000);

afterAll(() => downAndRemove(topo, dir));

describe('the drill as a release gate', () => {
  it("refuses while the watcher's detection has a critical finding, naming it (MASTER_NOT_WRITABLE), exit 2", async () => {
    // Prepare: the master refuses every write (5 good replicas required, 2 exist)
    const master = await healthy();
    await topo.withClient(master.port, (c) => c.call('CONFIG', 'SET', 'min-replicas-to-write', '5'));
    let result: { code: number; r: DrillReport };
    try {
      // Act
      result = await drillCli();
    } finally {
      await topo.withClient(master.port, (c) => c.call('CONFIG', 'SET', 'min-replicas-to-write', '0'));
    }

    // Assess: refused before anything changed, every other check fine
    const { code, r } = result;
    expect(code).toBe(2);
    expect(r).toMatchObject({ outcome: 'refused', passed: false, legs: [], criteriaResults: [] });
    expect(r.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['no-critical-findings']);
    const detail = r.checks.find((c) => c.name === 'no-critical-findings')!.detail;
    expect(detail).toContain(`MASTER_NOT_WRITABLE (node 127.0.0.1:${master.port}): `);
    expect(detail).toContain('NOREPLICAS');
    expect(detail).toContain('min-replicas-to-write');
    expect(r.summary).toMatch(/^REFUSED: no-critical-findings: /);
    expect((await topo.currentMaster())?.port).toBe(master.port);
  }, 90_000);

  it('passes a deployment with min-replicas-to-write 1 / min-replicas-max-lag 2 on the default criteria (exit 0)', async () => {
    // Prepare
    await healthy();
    await configAll('min-replicas-to-write', '1', 'min-replicas-max-lag', '2');
    let result: { code: number; r: DrillReport };
    try {
      // Act
      result = await drillCli();
    } finally {
      await configAll('min-replicas-to-write', '0');
    }

    // Assess
    const { code, r } = result;
    await keep('protected-failover', r);
    expect(r.criteriaResults.filter((c) => !c.passed)).toEqual([]);
    expect(code).toBe(0);
    expect(r).toMatchObject({ passed: true, outcome: 'passed', mode: 'failover', schemaVersion: 2 });
    expect(criterion(r, 'maxSplitBrainMs')?.measured).toBeLessThanOrEqual(5000);
    expect(r.criteria.maxSplitBrainMs).toBe(5000);
  }, 120_000);

  it('fails the same deployment without write protection on the default criteria (exit 1), after a verified failover', async () => {
    // Prepare
    await healthy();

    // Act
    const { code, r } = await drillCli();
    await keep('unprotected-failover', r);

    // Assess: Sentinel's part passed; the old master acknowledged writes until it was converted
    expect(r.checks.filter((c) => !c.passed)).toEqual([]);
    expect(code).toBe(1);
    expect(r).toMatchObject({ passed: false, outcome: 'failed' });
    expect(criterion(r, 'maxSplitBrainMs')).toMatchObject({ passed: false, limit: 5000 });
    expect(criterion(r, 'maxSplitBrainMs')?.fix).toContain('min-replicas-to-write 1');
  }, 120_000);

  it('switches over without losing an acknowledged write (writes held, then READONLY), or refuses before Redis 6.2', async () => {
    // Prepare: no write protection at all
    const before = await healthy();

    // Act
    const r = await drill({ switchover: true });
    await keep('switchover', r);

    // Assess
    if (!pausesWrites(version)) {
      expect(r.outcome).toBe('refused');
      expect(r.checks.find((c) => c.name === 'switchover-supported')).toMatchObject({ passed: false });
      expect((await topo.currentMaster())?.port).toBe(before.port);
      return;
    }
    expect(r.checks.filter((c) => !c.passed)).toEqual([]);
    expect(r).toMatchObject({
      mode: 'switchover',
      passed: true,
      clientWritesLost: 0,
      acknowledgedWritesLost: 0,
      splitBrainWindowMs: 0,
    });
    expect(r.checks.find((c) => c.name === 'writes-held')?.detail).toMatch(
      /replica\(s\) caught up in \d+ ms/,
    );
    expect(r.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['drill:writes-held', 'drill:old-master-demoted', 'drill:writes-released']),
    );
    const leg = r.legs[0];
    expect(leg.oldMasterWrites?.acknowledgedAfterSwitch).toBe(0);
    expect(leg.oldMasterWrites?.firstErrorAfterSwitch ?? '').toMatch(/^READONLY/);
  }, 120_000);
});
