// Scenarios: the sentinels cannot use servers that answer the watcher (Sentinel's own view as a fact).
// Real sentinels with a wrong auth-pass, a renamed PING, on a real 1+2+3 topology. And a password
// rotated on every server and in its secret: the poller must follow it without paging.

import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runBatch } from '../../../lambdas/adapters/redis-batch';
import { CachedSecretSource, POLLER_SECRET_TTL_MS } from '../../../lambdas/adapters/secrets';
import { parseWatchConfig } from '../../../lambdas/core/config';
import type { AlertMessage } from '../../../lambdas/core/ports';
import { type PollerDeps, probeWith, runPoller, sleep } from '../../../lambdas/poller/run';
import type { WatchStep } from '../../../lambdas/probe/deployment-watcher';
import { MemoryStore } from '../../unit/helpers/memory-store';
import { startSecretsManagerStandIn } from '../stand-ins/secrets-manager';
import {
  admin,
  hasFinding,
  hasNotification,
  healthy,
  lastFindings,
  noFinding,
  notifications,
  onSentinels,
  pollUntil,
  summary,
  useTopology,
  watchUntil,
} from './harness';

const scenario = useTopology('it-sentinel-view', { basePort: 7500 });

afterEach(async () => {
  await healthy(scenario());
}, 60_000);

describe('Scenario family: Sentinel sees servers down that answer the watcher', () => {
  it('one sentinel with a wrong auth-pass: a warning naming it and the fix; resolved once fixed', async () => {
    // Prepare
    const s = scenario();
    const bad = s.topo.sentinelPorts[1];
    const w = s.watcher();
    expect((await w.pollOnce()).findings).toEqual([]);

    // Act
    await s.topo.withClient(bad, (c) =>
      c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', 'not-the-password'),
    );
    try {
      const steps = await pollUntil(w, hasNotification('opened', 'SENTINEL_SEES_DOWN'), 30_000, 500);

      // Assess: one page, a warning (one sentinel is a standing down vote, not an outage), the cause
      expect(notifications(steps).map((n) => `${n.type} ${n.code} ${n.severity}`)).toEqual([
        'opened SENTINEL_SEES_DOWN warning',
      ]);
      const found = lastFindings(steps).filter((f) => f.code === 'SENTINEL_SEES_DOWN');
      expect(summary(found)).toEqual(['SENTINEL_SEES_DOWN warning deployment']);
      expect(found[0].message).toContain(`Sentinel 127.0.0.1:${bad}`);
      expect(found[0].message).toContain('auth-pass');
      expect(found[0].message).toContain(`SENTINEL SET ${s.topo.masterName} auth-pass`);
      expect(found[0].message).toContain('standing "down" vote');
      expect(found[0].details?.spots).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ sentinel: `127.0.0.1:${bad}`, kind: 'master', cause: 'auth' }),
        ]),
      );
      expect(JSON.stringify(steps)).not.toContain('not-the-password');
    } finally {
      // Undo
      await s.topo.withClient(bad, (c) =>
        c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', s.topo.password),
      );
    }
    const after = await pollUntil(w, hasNotification('resolved', 'SENTINEL_SEES_DOWN'), 30_000, 500);
    expect(notifications(after).map((n) => `${n.type} ${n.code}`)).toEqual(['resolved SENTINEL_SEES_DOWN']);
  }, 90_000);

  it('every sentinel with a wrong auth-pass: critical, and the aborted failovers are told inside it, not paged apart', async () => {
    // Prepare: watch with events, as `watch` and the poller do
    const s = scenario();
    const w = s.watcher({}, { events: true });

    // Act: the nodes' password rotated, the sentinels not told
    await onSentinels(s, (c) =>
      c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', 'rotated-elsewhere'),
    );
    try {
      // Until an abort heard on the sentinels' channels is told (one inferred from their leader
      // elections may come first: both are folded the same way)
      const abortEvent = (f: { details?: Readonly<Record<string, unknown>> }) =>
        ((f.details?.abortedFailovers as { reasons?: string[] } | undefined)?.reasons ?? []).length > 0;
      const steps = await watchUntil(
        w,
        (all) =>
          notifications(all).some((n) => n.type === 'opened' && n.code === 'SENTINEL_SEES_DOWN') &&
          all.some((st) => st.findings.some((f) => f.code === 'SENTINEL_SEES_DOWN' && abortEvent(f))),
        90_000,
      );

      // Assess: one page, critical; the failover attempts are told in it (a poll may catch one in
      // progress, which would page only if it lasted its grace period: it never does)
      expect(notifications(steps).map((n) => `${n.type} ${n.code} ${n.severity}`)).toEqual([
        'opened SENTINEL_SEES_DOWN critical',
      ]);
      const found = steps.flatMap((st) => st.findings).find(abortEvent)!;
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('consider the master down although it works');
      expect(found.message).toContain('no sentinel can use any replica');
      expect(found.message).toContain('-failover-abort-no-good-slave');
    } finally {
      // Undo
      await onSentinels(s, (c) => c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', s.topo.password));
    }
    await pollUntil(s.watcher(), noFinding('SENTINEL_SEES_DOWN'), 30_000, 500);
  }, 150_000);

  it('a sentinel that renames PING (rename-command): named, with the other commands in its config', async () => {
    // Prepare
    const s = scenario();
    const bad = s.topo.sentinelPorts[2];
    const w = s.watcher();

    // Act
    await s.topo.withClient(bad, (c) =>
      c.call('SENTINEL', 'SET', s.topo.masterName, 'rename-command', 'PING', 'PONG'),
    );
    try {
      // (it flags its peers too: rename-command applies to every instance it talks to for the master)
      const flagsMaster = (all: readonly WatchStep[]) =>
        lastFindings(all).some((f) =>
          ((f.details?.spots ?? []) as { kind: string }[]).some((x) => x.kind === 'master'),
        );
      const steps = await pollUntil(w, flagsMaster, 30_000, 500);

      // Assess
      const found = lastFindings(steps).filter((f) => f.code === 'SENTINEL_SEES_DOWN');
      expect(summary(found)).toEqual(['SENTINEL_SEES_DOWN warning deployment']);
      expect(found[0].message).toContain('rename-command');
      expect(found[0].message).toContain(`Sentinel 127.0.0.1:${bad}`);
    } finally {
      // Undo
      await s.topo.withClient(bad, (c) =>
        c.call('SENTINEL', 'SET', s.topo.masterName, 'rename-command', 'PING', 'PING'),
      );
    }
  }, 90_000);

  it('a replica with PING renamed away: every sentinel flags it down, and the fix is on the sentinels', async () => {
    // Prepare: PING renamed in the replica's config file (it can only be set there), then restarted
    const s = scenario();
    const master = (await s.topo.currentMaster())!;
    const replica = s.topo.dataPorts.find((p) => p !== master.port)!;
    const record = s.topo.processes.find((p) => p.port === replica)!;
    const original = await readFile(record.config, 'utf8');
    await appendFile(record.config, '\nrename-command PING ""\n');
    await s.topo.restart(replica).catch(() => undefined); // it cannot answer PING any more
    try {
      // Act
      const steps = await pollUntil(s.watcher(), hasFinding('SENTINEL_SEES_DOWN'), 30_000, 500);

      // Assess
      const found = lastFindings(steps).find((f) => f.code === 'SENTINEL_SEES_DOWN')!;
      expect(found.message).toContain('PING is renamed or disabled on the node');
      expect(found.message).toContain(`SENTINEL SET ${s.topo.masterName} rename-command PING`);
      expect(found.details?.spots).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ target: `127.0.0.1:${replica}`, cause: 'ping-renamed' }),
        ]),
      );
      expect(lastFindings(steps).filter((f) => f.severity === 'critical')).toEqual([]);
    } finally {
      // Undo
      await writeFile(record.config, original.replace(/\nrename-command PING ""\n/g, '\n'));
      await s.topo.restart(replica);
    }
  }, 90_000);
});

describe('Scenario: the Redis password rotated on every server and in its secret', () => {
  it('the poller reads the secret again when the cached password is refused, and pages nothing', async () => {
    // Prepare: the poller's loop with its real probe, its 30-minute secret cache on the real SDK
    // against a local Secrets Manager, and the deployment's password in a secret
    const s = scenario();
    const old = s.topo.password;
    const rotated = `${old}-rotated`;
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:it-rotation-AbCdEf';
    const values: Record<string, string> = { [arn]: old };
    const sm = await startSecretsManagerStandIn(values);
    const client = new SecretsManagerClient({
      endpoint: sm.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const config = parseWatchConfig({
      deployments: [
        {
          name: 'it-rotation',
          masterName: s.topo.masterName,
          sentinels: s.topo.sentinelAddresses,
          passwordSecretArn: arn,
          ...(s.topo.sentinelPassword ? { sentinelPasswordEnv: 'IT_SENTINEL_PASSWORD' } : {}),
          timeoutMs: 1000,
        },
      ],
    });
    const store = new MemoryStore();
    const published: AlertMessage[] = [];
    const deps: PollerDeps = {
      probe: probeWith(runBatch, Date.now),
      store,
      publisher: { publish: async (m) => void published.push(m) },
      secrets: new CachedSecretSource({ client, ttlMs: POLLER_SECRET_TTL_MS }),
      clock: Date.now,
      sleep,
      env: { IT_SENTINEL_PASSWORD: s.topo.sentinelPassword ?? undefined },
    };
    const poll = (n: number) =>
      runPoller(config, deps, { owner: `it-rotation-${n}`, remainingMs: () => 30_000 });
    const setPassword = async (from: string, to: string) => {
      for (const port of s.topo.dataPorts) {
        const c = await admin(port, from);
        try {
          await c.call('CONFIG', 'SET', 'masterauth', to);
          await c.call('CONFIG', 'SET', 'requirepass', to);
        } finally {
          c.disconnect();
        }
      }
      await onSentinels(s, (c) => c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', to));
    };
    try {
      await poll(1);
      expect(published).toEqual([]);

      // Act: rotate on every data node and every sentinel's auth-pass, then in the secret
      await setPassword(old, rotated);
      values[arn] = rotated;
      await poll(2);

      // Assess: the cached password was refused, the secret read again, the poll made again with
      // the new one: every node answered and nothing was paged
      expect(sm.requests.map((r) => r.secretId)).toEqual([arn, arn]);
      expect(published.map((m) => `${m.attributes.code}: ${m.subject}`)).toEqual([]);
      const last = store.snapshots.at(-1);
      expect(last?.nodes.map((n) => n.reachable)).toEqual([true, true, true]);
    } finally {
      await setPassword(rotated, old).catch(() => undefined);
      client.destroy();
      await sm.close();
    }
  }, 60_000);
});
