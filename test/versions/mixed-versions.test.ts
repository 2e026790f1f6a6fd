// A deployment on mixed versions, for real: sentinels on Redis 5.0.14 watching data nodes on 6.2.16,
// then a rolling upgrade of one replica to 7.2.6. The watcher must name every server's release, show
// the mix, and report the older sentinels and (once it outlasts the limit) the half-done upgrade as
// CONFIG_RISK. Needs three builds at once: `npm run test:versions` runs it (project `versions`).

import { LocalTopology, waitFor } from '../../cli/local/topology';
import { renderSnapshot } from '../../cli/render-snapshot';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { parseDeployment } from '../../lambdas/core/config';
import { detectionSettings } from '../../lambdas/core/detect';
import type { Notification } from '../../lambdas/core/incidents';
import type { Finding, Snapshot } from '../../lambdas/core/types';
import { advanceWatch, emptyWatchState, type WatchState } from '../../lambdas/core/watch-cycle';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';
import { buildBinary } from './builds';

const BASE = 8200;
const MAX_MIX_MS = 8000;

let topo: LocalTopology;

const deployment = () =>
  parseDeployment(
    { name: 'it-mixed', masterName: 'mymaster', sentinels: topo.sentinelAddresses, timeoutMs: 1000 },
    'test',
  );

/** One poll through the same watch step as `watch` and the poller: findings and the alerts they raise. */
async function pollAndWatch(state: WatchState): Promise<{
  s: Snapshot;
  findings: readonly Finding[];
  notifications: readonly Notification[];
  state: WatchState;
}> {
  const s = await pollDeployment(deployment(), { password: topo.password }, { runBatch, now: Date.now });
  const step = advanceWatch({
    state,
    snapshot: s,
    settings: { ...detectionSettings(deployment()), maxVersionMixMs: MAX_MIX_MS },
    reminderMinutes: 60,
    now: Date.now(),
  });
  return {
    s: { ...s, findings: step.findings },
    findings: step.findings,
    notifications: step.notifications,
    state: step.state,
  };
}

const risks = (findings: readonly Finding[]) =>
  findings
    .filter((f) => f.code === 'CONFIG_RISK')
    .flatMap((f) => (f.details!.risks as { risk: string }[]).map((r) => `${f.subject}: ${r.risk}`));

beforeAll(async () => {
  topo = await LocalTopology.up({
    basePort: BASE,
    redisServer: buildBinary('redis-6.2.16'),
    sentinelServer: buildBinary('redis-5.0.14'),
  });
}, 120_000);

afterAll(async () => {
  await topo?.down();
});

describe('a deployment on mixed server versions', () => {
  it('names each release, shows the mix, and flags every sentinel older than the nodes', async () => {
    // Act
    const { s, findings, notifications } = await pollAndWatch(emptyWatchState());

    // Assess
    expect(s.nodes.map((n) => n.server?.version)).toEqual(['6.2.16', '6.2.16', '6.2.16']);
    expect(s.sentinels.map((x) => x.version)).toEqual(['5.0.14', '5.0.14', '5.0.14']);
    expect(renderSnapshot(s)).toContain('Servers: MIXED redis 5.0.14 (3 sentinels), redis 6.2.16 (3 nodes)');
    expect(risks(findings)).toEqual(
      topo.sentinelPorts.map((p) => `sentinel 127.0.0.1:${p}: sentinel-older-than-nodes`),
    );
    const [first] = findings.filter((f) => f.code === 'CONFIG_RISK');
    expect(first.message).toContain(
      'runs redis 5.0.14, older than the data nodes it watches (redis 6.2.16 on',
    );
    // The alert names the server it is about.
    const alert = notifications.find((n) => n.code === 'CONFIG_RISK' && n.subject === first.subject);
    expect(alert?.details?.serverVersion).toBe('redis 5.0.14');
  });

  it('reports a rolling upgrade of one replica only once it outlasts the limit', async () => {
    // Prepare: the replica on BASE+2 upgraded in place to 7.2.6; it resyncs from the 6.2 master.
    const replica = topo.dataPorts[2];
    await topo.restart(replica, { redisServer: buildBinary('redis-7.2.6') });
    await waitFor(
      () => topo.status().then((st) => st.processes.find((p) => p.port === replica)?.linkUp === true),
      20_000,
      'the upgraded replica to resync',
    );

    // Act
    const during = await pollAndWatch(emptyWatchState());
    let state = during.state;
    const after = await waitFor(
      async () => {
        const next = await pollAndWatch(state);
        state = next.state;
        return risks(next.findings).includes('deployment: mixed-major-versions') ? next : undefined;
      },
      MAX_MIX_MS + 10_000,
      'the mix to outlast maxVersionMixMs',
      500,
    );

    // Assess
    expect(during.s.nodes.find((n) => n.port === replica)?.server).toMatchObject({ version: '7.2.6' });
    expect(renderSnapshot(during.s)).toContain(
      `Servers: MIXED redis 5.0.14 (3 sentinels), redis 6.2.16 (2 nodes), redis 7.2.6 (node 127.0.0.1:${replica})`,
    );
    expect(risks(during.findings)).not.toContain('deployment: mixed-major-versions');
    expect(during.state.detection.versionMixSince).toEqual(expect.any(Number));
    expect(Date.now() - state.detection.versionMixSince!).toBeGreaterThanOrEqual(MAX_MIX_MS);
    const mixed = after.findings.find((f) => f.code === 'CONFIG_RISK' && f.subject === 'deployment');
    expect(mixed?.message).toContain('longer than a rolling upgrade takes');
    const alert = after.notifications.find((n) => n.code === 'CONFIG_RISK' && n.subject === 'deployment');
    expect(alert?.details?.serverVersions).toBe('redis 5.0.14, redis 6.2.16, redis 7.2.6');
  });
});
