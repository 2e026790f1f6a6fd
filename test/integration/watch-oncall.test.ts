// `watch` as an on-call engineer runs it, as a separate process against a real topology (ports
// 8400-8402, sentinels 28400-28402): /metrics scraped over HTTP and held to the OpenMetrics format, and
// the silence story end to end with the real CLI: a silenced replica failure sends nothing but is
// counted, `silence remove` ends the silence and the still-open problem is announced at once, its
// recovery is announced as resolved.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTopology, waitFor } from '../../cli/local/topology';
import type { Notification } from '../../lambdas/core/incidents';
import { type ParsedFamily, parseOpenMetrics } from '../unit/helpers/openmetrics-parser';
import { ROOT, runCli } from './support/run-cli';

const BASE = 8400;
const DEPLOYMENT = 'it-oncall';

let topo: LocalTopology;
let dir: string;
let silenceFile: string;
let watch: ChildProcess | null = null;
let stdout = '';
let stderr = '';

const env = () => ({
  ...process.env,
  REDIS_PASSWORD: topo.password,
  SENTINEL_WATCH_SILENCES: silenceFile,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

const cli = (args: readonly string[]) => runCli(args, env());

const notifications = (): Notification[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Notification);

async function scrape(
  url: string,
): Promise<{ status: number; type: string | null; families: ParsedFamily[] }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    families: parseOpenMetrics(await res.text()),
  };
}

const value = (families: ParsedFamily[], name: string, labels: Record<string, string> = {}) =>
  families
    .flatMap((f) => f.samples)
    .find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

beforeAll(async () => {
  topo = await LocalTopology.up({ basePort: BASE });
  dir = mkdtempSync(join(tmpdir(), 'sw-oncall-'));
  silenceFile = join(dir, 'silences.json');
}, 60_000);

afterAll(async () => {
  if (watch && watch.exitCode === null) watch.kill('SIGKILL');
  await topo?.down();
});

describe('sentinel-watch watch: /metrics and silences, end to end', () => {
  it('serves valid OpenMetrics, holds a silenced failure back, announces it when the silence is removed', async () => {
    // Prepare: a silence of REPLICA_UNREACHABLE on the deployment, added through the CLI
    const replica = topo.dataPorts[2];
    const added = await cli([
      'silence',
      'add',
      '--deployment',
      DEPLOYMENT,
      '--code',
      'REPLICA_UNREACHABLE',
      '--for',
      '30m',
      '--reason',
      'integration test: replacing a replica',
    ]);
    expect(added.code).toBe(0);
    const silenceId = /^(s-[0-9a-f]{10}):/.exec(added.stdout)?.[1];
    expect(silenceId).toBeDefined();

    watch = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/sentinel-watch.ts',
        'watch',
        '--sentinels',
        topo.sentinelAddresses.join(','),
        '--master',
        topo.masterName,
        '--name',
        DEPLOYMENT,
        '--interval',
        '1',
        '--json',
        '--verbose',
        '--metrics-listen',
        '127.0.0.1:0',
      ],
      { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    watch.stdout?.on('data', (c) => {
      stdout += String(c);
    });
    watch.stderr?.on('data', (c) => {
      stderr += String(c);
    });
    const url = await waitFor(
      async () => /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr)?.[1],
      20_000,
      'watch to print its metrics address',
    );
    await waitFor(async () => stderr.includes(`${DEPLOYMENT} poll (`), 20_000, 'the first poll');

    // Act 1: scrape a healthy deployment
    const healthy = await scrape(url);

    // Assess 1
    const d = { deployment: DEPLOYMENT };
    const master = await topo.currentMaster();
    expect(healthy.status).toBe(200);
    expect(healthy.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(
      value(healthy.families, 'sentinel_watch_master_info', { ...d, address: `127.0.0.1:${master?.port}` }),
    ).toBe(1);
    expect(value(healthy.families, 'sentinel_watch_sentinels_answering', d)).toBe(3);
    expect(value(healthy.families, 'sentinel_watch_sentinels_agreeing', d)).toBe(3);
    expect(value(healthy.families, 'sentinel_watch_quorum', d)).toBe(2);
    for (const port of topo.dataPorts.filter((p) => p !== master?.port)) {
      expect(
        value(healthy.families, 'sentinel_watch_replica_lag_bytes', { ...d, replica: `127.0.0.1:${port}` }),
      ).toBeGreaterThanOrEqual(0);
      expect(
        value(healthy.families, 'sentinel_watch_replica_lag_seconds', { ...d, replica: `127.0.0.1:${port}` }),
      ).toBeGreaterThanOrEqual(0);
    }

    // Act 2: the replica fails inside the silence
    await topo.kill(replica);
    const silenced = await waitFor(
      async () => {
        const m = await scrape(url);
        return value(m.families, 'sentinel_watch_incidents_open', { ...d, code: 'REPLICA_UNREACHABLE' }) === 1
          ? m
          : undefined;
      },
      20_000,
      'the incident to open, silenced',
    );

    // Assess 2: counted and visible, not announced
    expect(value(silenced.families, 'sentinel_watch_node_up', { ...d, node: `127.0.0.1:${replica}` })).toBe(
      0,
    );
    expect(value(silenced.families, 'sentinel_watch_notifications_silenced_total', d)).toBeGreaterThanOrEqual(
      1,
    );
    expect(stderr).toContain(
      `silenced by ${silenceId}: [opened] ${DEPLOYMENT} REPLICA_UNREACHABLE node 127.0.0.1:${replica}`,
    );
    expect(notifications().filter((n) => n.code === 'REPLICA_UNREACHABLE')).toEqual([]);

    // Act 3: the work takes longer than planned; the engineer ends the silence
    const removedAt = Date.now();
    const removed = await cli(['silence', 'remove', silenceId as string]);
    expect(removed.code).toBe(0);
    const opened = await waitFor(
      async () => notifications().find((n) => n.code === 'REPLICA_UNREACHABLE' && n.type === 'opened'),
      15_000,
      'the still-open problem to be announced',
    );

    // Assess 3
    // `silence remove` is a process of its own (~1.5 s to start); watch re-reads silences each second.
    expect(Date.parse(opened.at) - removedAt).toBeLessThan(10_000);
    process.stderr.write(
      `announced ${Date.parse(opened.at) - removedAt} ms after silence remove was started\n`,
    );
    expect(opened.severity).toBe('warning');
    expect(opened.message).toMatch(
      new RegExp(
        `^Silence ${silenceId} \\(REPLICA_UNREACHABLE of ${DEPLOYMENT}: "integration test: replacing a replica"\\) ended`,
      ),
    );

    // Act 4: the replica comes back
    await topo.restart(replica, { replicaOf: master?.port });
    const resolved = await waitFor(
      async () => notifications().find((n) => n.code === 'REPLICA_UNREACHABLE' && n.type === 'resolved'),
      30_000,
      'the resolved notification',
    );

    // Assess 4: one opened, one resolved, same incident; watch stops cleanly on SIGINT
    expect(resolved.incidentId).toBe(opened.incidentId);
    expect(
      notifications()
        .filter((n) => n.code === 'REPLICA_UNREACHABLE')
        .map((n) => n.type),
    ).toEqual(['opened', 'resolved']);
    watch.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => watch?.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    await expect(fetch(url, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 120_000);
});
