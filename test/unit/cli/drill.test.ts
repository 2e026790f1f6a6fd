import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseDeployment, drillCommand } from '../../../cli/commands/drill';
import type { CliIo } from '../../../cli/io';
import { parseWatchConfig } from '../../../lambdas/core/config';
import type { DrillReport } from '../../../lambdas/core/drill';
import { UsageError } from '../../../lambdas/core/errors';
import { FakeDeployment } from '../drill/fake-deployment';
import { SENTINELS } from '../helpers/snapshot-factory';

const SENTINEL_FLAG = SENTINELS.map((a) => `${a.host}:${a.port}`).join(',');

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: { REDIS_PASSWORD: 'pw' } };
  return { io, out, err };
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sw-drill-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Command: drill', () => {
  it('drills the deployment given by flags and prints the report (exit 0), progress on stderr', async () => {
    // Prepare
    const world = new FakeDeployment();
    const { io, out, err } = capture();

    // Act
    const code = await drillCommand(['--sentinels', SENTINEL_FLAG, '--master', 'mymaster'], io, world.deps());

    // Assess
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^Failover drill of mymaster \(master name "mymaster"\)/);
    expect(out[0]).toContain('PASSED: 10.0.1.61:6379 -> 10.0.1.62:6379');
    expect(err.some((l) => /preflight ckquorum: ok/.test(l))).toBe(true);
  });

  it('prints only JSON with --json, and exits 1 when the failover fails', async () => {
    // Prepare
    const world = new FakeDeployment();
    world.failoverReply = 'NOGOODSLAVE No suitable replica to promote';
    const { io, out, err } = capture();

    // Act
    const code = await drillCommand(
      ['--sentinels', SENTINEL_FLAG, '--master', 'mymaster', '--json'],
      io,
      world.deps(),
    );

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([]);
    const report = JSON.parse(out[0]) as DrillReport;
    expect(report).toMatchObject({ schemaVersion: 1, outcome: 'failed', deployment: 'mymaster' });
  });

  it('runs preflight only with --dry-run', async () => {
    const world = new FakeDeployment();
    const { io, out } = capture();
    const code = await drillCommand(
      ['--sentinels', SENTINEL_FLAG, '--master', 'mymaster', '--dry-run', '--failback'],
      io,
      world.deps(),
    );
    expect(code).toBe(0);
    expect(out[0]).toContain(
      'DRY RUN: preflight passed; a drill would fail over 10.0.1.61:6379 and fail back',
    );
    expect(world.log().some((l) => l.includes('FAILOVER'))).toBe(false);
  });

  it('requires --deployment when --config lists several, and knows their names', async () => {
    // Prepare
    const file = path.join(dir, 'two.json');
    const d = (name: string) => ({ name, masterName: 'mymaster', sentinels: [SENTINEL_FLAG.split(',')[0]] });
    writeFileSync(file, JSON.stringify({ deployments: [d('a-cache'), d('b-cache')] }));
    const { io } = capture();
    const world = new FakeDeployment();

    // Act / Assess
    await expect(drillCommand(['--config', file], io, world.deps())).rejects.toThrow(
      new UsageError('the config lists 2 deployments: choose one with --deployment (a-cache, b-cache)'),
    );
    await expect(
      drillCommand(['--config', file, '--deployment', 'c-cache'], io, world.deps()),
    ).rejects.toThrow('--deployment: no deployment named "c-cache" (have: a-cache, b-cache)');
    expect(
      await drillCommand(
        ['--config', file, '--deployment', 'b-cache', '--dry-run', '--json'],
        io,
        world.deps(),
      ),
    ).toBe(0);
  });

  it('rejects a bad --verify-timeout-ms', async () => {
    const { io } = capture();
    await expect(
      drillCommand(
        ['--sentinels', SENTINEL_FLAG, '--master', 'm', '--verify-timeout-ms', '10'],
        io,
        new FakeDeployment().deps(),
      ),
    ).rejects.toThrow('--verify-timeout-ms: "10" is out of range: from 1s to 10m');
  });

  it('prints its help', async () => {
    const { io, out } = capture();
    expect(await drillCommand(['--help'], io)).toBe(0);
    expect(out[0]).toMatch(/^Usage: sentinel-watch drill \[options\]/);
    expect(out[0]).toContain('--failback');
  });
});

describe('Function: chooseDeployment', () => {
  it('takes the only deployment without a name', () => {
    const config = parseWatchConfig({ deployments: [{ masterName: 'm', sentinels: ['h:1'] }] });
    expect(chooseDeployment(config, undefined).deployment.name).toBe('m');
  });
});
