// The CLI as users run it: a separate process, real topology started and stopped through the CLI.

import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureRedisServer, serverRelease } from '../../cli/local/redis-server-binary';
import { LocalTopology, waitFor } from '../../cli/local/topology';
import { serverLabel } from '../../lambdas/core/server-version';
import type { Snapshot } from '../../lambdas/core/types';
import { captureOutput } from './helpers/capture-output';

const BASE = 6700;
const PASSWORD = 'cli-test-password';
const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'bin/sentinel-watch.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const sentinels = [0, 1, 2].map((i) => `127.0.0.1:${BASE + 20_000 + i}`).join(',');
const dir = mkdtempSync(join(tmpdir(), 'sw-cli-'));
let upStdout = '';
/** `redis 7.0.15`: the server under test (REDIS_SERVER), as check names it. */
let label: string;

beforeAll(async () => {
  label = serverLabel(await serverRelease(await ensureRedisServer({ install: false })));
  const up = await cli(
    [
      'local',
      'up',
      '--base-port',
      String(BASE),
      '--dir',
      join(dir, 'topology'),
      '--password-env',
      'LOCAL_PW',
    ],
    {
      LOCAL_PW: PASSWORD,
    },
  );
  expect(up.stderr).toBe('');
  expect(up.code).toBe(0);
  expect(up.stdout).toContain(sentinels);
  upStdout = up.stdout;
}, 60_000);

afterAll(async () => {
  const down = await cli(['local', 'down', '--base-port', String(BASE), '--dir', join(dir, 'topology')]);
  expect(down.code).toBe(0);
});

describe('sentinel-watch local up', () => {
  it('prints a check command that runs as printed, from where the user is', async () => {
    // Prepare: the "Try next" line, as the user would paste it into a shell
    const line = upStdout.split('\n').find((l) => l.includes(' check --sentinels '));
    expect(line).toBeDefined();

    // Act
    const r = await run('sh', ['-c', line!.trim()], {
      cwd: ROOT,
      env: { ...process.env, LOCAL_PW: PASSWORD },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Master: 127.0.0.1:${BASE}`);
  });
});

describe('sentinel-watch check', () => {
  it('prints only a JSON snapshot on stdout with --json, and exits 0', async () => {
    // Act
    const r = await cli(['check', '--sentinels', sentinels, '--master', 'mymaster', '--json'], {
      REDIS_PASSWORD: PASSWORD,
    });

    // Assess
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]) as Snapshot & { schemaVersion: number };
    expect(s.schemaVersion).toBe(1);
    expect(s.masterName).toBe('mymaster');
    expect(Date.parse(s.takenAt)).not.toBeNaN();
    expect(s.master).toEqual({ host: '127.0.0.1', port: BASE });
    expect(s.nodes.map((n) => [n.port, n.role, n.reachable, n.error])).toEqual([
      [BASE, 'master', true, null],
      [BASE + 1, 'replica', true, null],
      [BASE + 2, 'replica', true, null],
    ]);
    for (const n of s.nodes) expect(`${n.server?.flavour} ${n.server?.version}`).toBe(label);
    expect(s.sentinels.map((x) => [x.port, x.reachable, x.error])).toEqual([
      [BASE + 20_000, true, null],
      [BASE + 20_001, true, null],
      [BASE + 20_002, true, null],
    ]);
    expect(Array.isArray(s.findings)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('prints a readable table by default', async () => {
    const r = await cli(['check', '--sentinels', sentinels, '--master', 'mymaster'], {
      REDIS_PASSWORD: PASSWORD,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Master: 127.0.0.1:${BASE}  (3/3 answering sentinels agree)`);
    expect(r.stdout).toContain(`\nServers: ${label}\n`);
    expect(r.stdout).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${BASE + 1} +replica +ok +${label.replace(/\./g, '\\.')} `),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `127\\.0\\.0\\.1:${BASE + 20_000} +ok +${label.replace(/\./g, '\\.')} +127\\.0\\.0\\.1:${BASE} +master +2 +2 +3 +OK`,
      ),
    );
  });

  it('reads deployments from --config', async () => {
    // Prepare
    const file = join(dir, 'config.json');
    const deployment = {
      name: 'orders-cache',
      masterName: 'mymaster',
      sentinels: sentinels.split(','),
      passwordEnv: 'ORDERS_PW',
    };
    writeFileSync(
      file,
      JSON.stringify({ deployments: [deployment, { ...deployment, name: 'orders-copy' }] }),
    );

    // Act
    const r = await cli(['check', '--config', file, '--json'], { ORDERS_PW: PASSWORD });

    // Assess: one line per deployment
    expect(r.code).toBe(0);
    const snapshots = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Snapshot);
    expect(snapshots.map((s) => [s.deployment, s.master?.port])).toEqual([
      ['orders-cache', BASE],
      ['orders-copy', BASE],
    ]);
  });

  it.each([
    [['check', '--bogus'], /Unknown option '--bogus'/],
    [['check', '--sentinels', '127.0.0.1'], /--master NAME is required/],
    [['check', '--sentinels', 'nope', '--master', 'm'], /--sentinels: "nope" is not "host:port"/],
    [['nope'], /unknown command "nope"/],
  ])('exits 3 with a clear message for %j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits 3 naming the field of a bad config file', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ deployments: [{ masterName: 'm', sentinels: ['10.0.0.1:26379'], maxLagBytes: -1 }] }),
    );
    const r = await cli(['check', '--config', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('deployments[0].maxLagBytes: must be between 0 and');
  });
});

describe('sentinel-watch watch', () => {
  it('stays silent on a healthy deployment and exits 0 on SIGINT', async () => {
    // Prepare
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/sentinel-watch.ts',
        'watch',
        '--sentinels',
        sentinels,
        '--master',
        'mymaster',
        '--interval',
        '0.5',
        '--json',
      ],
      { cwd: ROOT, env: { ...process.env, REDIS_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = captureOutput(child);

    // Act: several polls, then Ctrl-C
    await new Promise((resolve) => setTimeout(resolve, 3000));
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');

    // Assess
    expect(code).toBe(0);
    expect(output.stdout()).toBe('');
    expect(output.stderr()).toContain('watching mymaster every 0.5s and on sentinel events');
  });
});

describe('sentinel-watch check exit codes', () => {
  it('exits 1 with a warning finding while a replica is down, 0 again once it is back', async () => {
    const topo = await LocalTopology.load(join(dir, 'topology'));
    await topo.kill(BASE + 2);
    try {
      const r = await cli(['check', '--sentinels', sentinels, '--master', 'mymaster', '--json'], {
        REDIS_PASSWORD: PASSWORD,
      });
      expect(r.code).toBe(1);
      const s = JSON.parse(r.stdout) as Snapshot & { status: string };
      expect(s.status).toBe('warning');
      expect(s.findings.map((f) => [f.code, f.subject])).toEqual([
        ['REPLICA_UNREACHABLE', `node 127.0.0.1:${BASE + 2}`],
      ]);
    } finally {
      await topo.restart(BASE + 2);
    }
    // Back and resynced: healthy again.
    await waitFor(
      async () =>
        (await cli(['check', '--sentinels', sentinels, '--master', 'mymaster'], { REDIS_PASSWORD: PASSWORD }))
          .code === 0,
      15_000,
      'check to exit 0 again',
      500,
    );
  });
});

describe('sentinel-watch local', () => {
  it('reports the running topology with status --json', async () => {
    const r = await cli([
      'local',
      'status',
      '--base-port',
      String(BASE),
      '--dir',
      join(dir, 'topology'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as {
      schemaVersion: number;
      processes: { port: number; role: string; alive: boolean }[];
    };
    expect(status.schemaVersion).toBe(1);
    expect(status.processes.map((p) => [p.port, p.role, p.alive])).toEqual([
      [BASE, 'master', true],
      [BASE + 1, 'replica', true],
      [BASE + 2, 'replica', true],
      [BASE + 20_000, 'sentinel', true],
      [BASE + 20_001, 'sentinel', true],
      [BASE + 20_002, 'sentinel', true],
    ]);
    expect(existsSync(join(dir, 'topology', 'state.json'))).toBe(true);
  });
});
