// What the server under test (REDIS_SERVER: `npm test` uses the system's, `npm run test:versions`
// each build) really has, compared with what the capability table (lambdas/core/capabilities.ts) and
// the local topology's config features say it has, and how the watcher names it and degrades on it.
// A version that lacks a feature must fail the check clearly, never pass by skipping it.

import type Redis from 'ioredis';
import { serverRelease } from '../../cli/local/redis-server-binary';
import { configFeatures } from '../../cli/local/server-config';
import { LocalTopology } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { CAPABILITIES, supports } from '../../lambdas/core/capabilities';
import { parseDeployment } from '../../lambdas/core/config';
import { detect, detectionSettings, emptyDetectionState } from '../../lambdas/core/detect';
import { parseInfo } from '../../lambdas/core/parse-info';
import { toFieldMap } from '../../lambdas/core/parse-sentinel';
import { type ServerRelease, serverLabel } from '../../lambdas/core/server-version';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';

const BASE = 8100;

let topo: LocalTopology;
let release: ServerRelease;

/** The reply, or the error message the server answered with. */
const answer = (c: Redis, ...command: string[]): Promise<{ reply?: unknown; error?: string }> =>
  c.call(command[0], ...command.slice(1)).then(
    (reply) => ({ reply }),
    (err: Error) => ({ error: err.message }),
  );
const onMaster = <T>(fn: (c: Redis) => Promise<T>) => topo.withClient(topo.dataPorts[0], fn);
const onSentinel = <T>(fn: (c: Redis) => Promise<T>) => topo.withClient(topo.sentinelPorts[0], fn);

const deployment = () =>
  parseDeployment(
    { name: 'it-capabilities', masterName: 'mymaster', sentinels: topo.sentinelAddresses, timeoutMs: 1000 },
    'test',
  );

beforeAll(async () => {
  topo = await LocalTopology.up({ basePort: BASE });
  release = await serverRelease(topo.redisServer);
}, 60_000);

afterAll(async () => {
  await topo?.down();
});

describe('the server under test', () => {
  it('is named by its own flavour and version in the snapshot and in check', async () => {
    // Act
    const s = await pollDeployment(deployment(), { password: topo.password }, { runBatch, now: Date.now });

    // Assess
    for (const n of s.nodes)
      expect(n.server).toMatchObject({ flavour: release.flavour, version: release.version });
    for (const x of s.sentinels)
      expect(x).toMatchObject({ flavour: release.flavour, version: release.version });
    expect(s.unavailable?.map((u) => u.check)).not.toContain('acl-users');
    expect(serverLabel(release)).toMatch(/^(redis|valkey) \d+\.\d+\.\d+$/);
  });

  it('has ACL users exactly when the table says so; without them a username fails clearly as AUTH_FAILED', async () => {
    // Prepare
    const expected = supports(release, CAPABILITIES.aclUsers);

    // Act
    const auth = await onMaster((c) => answer(c, 'AUTH', 'default', topo.password));
    const s = await pollDeployment(
      deployment(),
      { username: 'default', password: topo.password },
      { runBatch, now: Date.now },
    );
    const { findings } = detect({
      current: s,
      previous: null,
      state: emptyDetectionState(),
      settings: detectionSettings(deployment()),
      now: Date.now(),
    });

    // Assess
    const acl = s.unavailable?.filter((u) => u.check === 'acl-users') ?? [];
    if (expected) {
      expect(auth).toEqual({ reply: 'OK' });
      expect(s.nodes.every((n) => n.error === null && n.replication !== null)).toBe(true);
      expect(findings.filter((f) => f.code === 'AUTH_FAILED')).toEqual([]);
      expect(acl).toEqual([]);
    } else {
      expect(auth.error).toMatch(CAPABILITIES.aclUsers.refusal);
      const authFailed = findings.filter((f) => f.code === 'AUTH_FAILED');
      expect(authFailed.length).toBeGreaterThan(0);
      for (const f of authFailed) {
        expect(f.severity).toBe('critical');
        expect(f.message).toContain('does not support ACL users');
        expect(f.message).toContain('Remove username');
      }
      expect(findings.some((f) => f.code === 'MASTER_UNREACHABLE' || f.code === 'REPLICA_UNREACHABLE')).toBe(
        false,
      );
      expect(acl).toHaveLength(1);
      for (const p of topo.dataPorts) expect(acl[0].reason).toContain(`node 127.0.0.1:${p}`);
    }
  });

  it('reports INFO errorstats exactly when the table says so', async () => {
    // Act: one error first, so a server that keeps error stats has a line to show.
    const text = await onMaster(async (c) => {
      await answer(c, 'NO-SUCH-COMMAND');
      return (await c.info('errorstats')) as string;
    });

    // Assess
    const counted = Object.keys(parseInfo(text)).some((k) => k.startsWith('errorstat_'));
    expect(counted).toBe(supports(release, CAPABILITIES.errorstats));
  });

  it('answers SENTINEL REPLICAS (and SLAVES), with replica-announced exactly when the table says so', async () => {
    // Act
    const replicas = await onSentinel((c) => answer(c, 'SENTINEL', 'REPLICAS', 'mymaster'));
    const slaves = await onSentinel((c) => answer(c, 'SENTINEL', 'SLAVES', 'mymaster'));

    // Assess
    expect(supports(release, CAPABILITIES.sentinelReplicas)).toBe(true);
    expect(replicas.error).toBeUndefined();
    expect(slaves.error).toBeUndefined();
    const entries = (replicas.reply as unknown[]).map((r) => toFieldMap(r, 'SENTINEL REPLICAS'));
    expect(entries).toHaveLength(topo.dataPorts.length - 1);
    for (const e of entries) {
      expect('replica-announced' in e).toBe(supports(release, CAPABILITIES.replicaAnnounced));
    }
  });

  it('answers SENTINEL CONFIG exactly when the table says so, and refuses it recognisably otherwise', async () => {
    // Act
    const config = await onSentinel((c) => answer(c, 'SENTINEL', 'CONFIG', 'GET', 'resolve-hostnames'));

    // Assess
    if (supports(release, CAPABILITIES.sentinelConfig)) {
      expect(config.error).toBeUndefined();
      expect(config.reply).toEqual(['resolve-hostnames', 'no']);
    } else {
      expect(config.error).toMatch(CAPABILITIES.sentinelConfig.refusal);
    }
  });

  it('allows DEBUG SLEEP, through enable-debug-command only where the version has it', async () => {
    // Act
    const debug = await onMaster((c) => answer(c, 'DEBUG', 'SLEEP', '0'));
    const setting = await onMaster((c) => answer(c, 'CONFIG', 'GET', 'enable-debug-command'));

    // Assess
    expect(debug).toEqual({ reply: 'OK' });
    const hasSetting = Array.isArray(setting.reply) && setting.reply.length === 2;
    expect(hasSetting).toBe(configFeatures(release).enableDebugCommand);
  });
});
