// The fleet bench's RESP simulator (bench/fleet/simulated-fleet.ts) seen by the real probe and
// detection: a simulated deployment must look like a healthy real one (no finding), and each injected
// fault must look like the same fault on real servers. No redis-server here: no lock needed.

import { type SimulatedDeployment, SimulatedFleet } from '../../bench/fleet/simulated-fleet';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { parseDeployment } from '../../lambdas/core/config';
import { detect, detectionSettings, emptyDetectionState } from '../../lambdas/core/detect';
import type { Snapshot } from '../../lambdas/core/types';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';

const PASSWORD = 'sim-test-password';
let sim: SimulatedFleet;
let deployments: SimulatedDeployment[];

beforeAll(async () => {
  sim = new SimulatedFleet(PASSWORD);
  deployments = await sim.start(5, 'sim-it');
});

afterAll(async () => {
  await sim?.stop();
});

const config = (i: number) =>
  parseDeployment(
    {
      name: deployments[i].name,
      masterName: deployments[i].masterName,
      sentinels: deployments[i].sentinels.map((p) => `127.0.0.1:${p}`),
      timeoutMs: 300,
      expectedSentinels: 3,
    },
    'sim',
  );

async function poll(i: number, previous: Snapshot | null = null) {
  const d = config(i);
  const snapshot = await pollDeployment(d, { password: PASSWORD }, { runBatch, now: Date.now });
  const { findings } = detect({
    current: snapshot,
    previous,
    state: emptyDetectionState(),
    settings: detectionSettings(d),
    now: Date.now(),
    events: [],
  });
  return { snapshot, codes: findings.map((f) => f.code) };
}

describe('SimulatedFleet', () => {
  it('serves deployments the probe finds healthy: one master, two linked replicas, three sentinels', async () => {
    // Act
    const { snapshot, codes } = await poll(0);

    // Assess
    expect(codes).toEqual([]);
    expect(snapshot.master).toEqual({ host: '127.0.0.1', port: deployments[0].nodes[0] });
    expect(snapshot.nodes.filter((n) => n.reachable)).toHaveLength(3);
    expect(snapshot.sentinels.filter((s) => s.reachable)).toHaveLength(3);
    expect(sim.stats().unknownCommands).toEqual({});
  });

  it('fails over consistently: every sentinel and node agrees on the new master', async () => {
    // Prepare
    const { snapshot: before } = await poll(1);

    // Act
    sim.failover(1);
    const { snapshot, codes } = await poll(1, before);

    // Assess
    expect(snapshot.master).toEqual({ host: '127.0.0.1', port: deployments[1].nodes[1] });
    expect(codes).toEqual(['MASTER_CHANGED']);
  });

  it('reports a node whose listener is closed as refused, a frozen sentinel as a timeout, a lagging replica', async () => {
    // Act
    sim.kill(2, 'node', 2);
    sim.freeze(3, 'sentinel', 0);
    sim.lag(4, 1, 64 * 1024 * 1024);
    const [down, frozen, lagging] = await Promise.all([poll(2), poll(3), poll(4)]);

    // Assess
    expect(down.codes).toContain('REPLICA_UNREACHABLE');
    expect(down.snapshot.nodes.find((n) => n.port === deployments[2].nodes[2])?.error?.class).toBe('refused');
    expect(frozen.codes).toContain('SENTINEL_UNREACHABLE');
    expect(frozen.snapshot.sentinels.find((s) => s.port === deployments[3].sentinels[0])?.error?.class).toBe(
      'timeout',
    );
    expect(lagging.codes).toContain('REPLICA_LAGGING');
  });
});
