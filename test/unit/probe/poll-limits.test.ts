// pollDeployment's bounds, with a scripted RunBatch: how many servers one poll may reach whatever the
// sentinels announce, one server per spelling of its address, and the byte budget handed to the adapter.
// (The adapter's own enforcement is tested against fake RESP servers in test/integration/hostile-servers.)

import type {
  BatchLimits,
  BatchOutcome,
  BatchTarget,
  RedisCommand,
  RunBatch,
} from '../../../lambdas/core/batch';
import { parseDeployment } from '../../../lambdas/core/config';
import { MAX_NODES, MAX_SENTINELS } from '../../../lambdas/core/limits';
import { pollDeployment } from '../../../lambdas/probe/poll-deployment';

const flat = (fields: Record<string, string>): string[] => Object.entries(fields).flat();

const peer = (ip: string, port: number): string[] =>
  flat({ name: `${ip}-${port}`, ip, port: String(port), runid: 'a'.repeat(40), flags: 'sentinel' });
const replica = (ip: string, port: number): string[] =>
  flat({ name: `${ip}:${port}`, ip, port: String(port), runid: 'b'.repeat(40), flags: 'slave' });

interface World {
  /** What each sentinel (by `host:port`) announces. */
  readonly sentinels: Record<string, { peers: string[][]; replicas: string[][] }>;
}

/** A RunBatch that answers like a sentinel or a data node, depending on the commands, and records calls. */
function scripted(world: World) {
  const calls: { target: BatchTarget; commands: readonly RedisCommand[]; limits?: BatchLimits }[] = [];
  const runBatch: RunBatch = async (target, commands, _timeoutMs, limits) => {
    calls.push({ target, commands, limits });
    const key = `${target.host}:${target.port}`;
    const view = world.sentinels[key] ?? { peers: [], replicas: [] };
    const replies = commands.map(([name, sub]) => {
      if (name === 'SENTINEL' && sub === 'GET-MASTER-ADDR-BY-NAME')
        return { ok: true, value: ['10.0.0.10', '6379'] };
      if (name === 'SENTINEL' && sub === 'MASTER') {
        return {
          ok: true,
          value: flat({
            name: 'mymaster',
            ip: '10.0.0.10',
            port: '6379',
            flags: 'master',
            quorum: '2',
            'num-slaves': '2',
            'num-other-sentinels': '2',
          }),
        };
      }
      if (name === 'SENTINEL' && sub === 'REPLICAS') return { ok: true, value: view.replicas };
      if (name === 'SENTINEL' && sub === 'SENTINELS') return { ok: true, value: view.peers };
      if (name === 'SENTINEL' && sub === 'CKQUORUM') return { ok: true, value: 'OK 3 usable Sentinels' };
      if (name === 'INFO') return { ok: true, value: 'redis_version:7.0.15\r\n' };
      return { ok: false, error: { message: 'ERR unknown command', name: 'ReplyError' } };
    });
    return { connected: true, error: null, auth: null, replies, rttMs: 1, bytesRead: 100 } as BatchOutcome;
  };
  return { runBatch, calls };
}

const deployment = (patch: Record<string, unknown> = {}) =>
  parseDeployment(
    {
      name: 'limits',
      masterName: 'mymaster',
      sentinels: ['10.0.0.1:26379', '10.0.0.2:26379', '10.0.0.3:26379'],
      ...patch,
    },
    'test',
  );

const real = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

describe('Function: pollDeployment, bounds', () => {
  it('probes at most MAX_SENTINELS sentinels and MAX_NODES nodes when a sentinel announces 1000 of each', async () => {
    // Prepare: the first sentinel is hostile; the real ones name each other and two replicas
    const fakePeers = Array.from({ length: 1000 }, (_, i) => peer(`10.9.${i >> 8}.${i & 255}`, 26379));
    const fakeReplicas = Array.from({ length: 1000 }, (_, i) => replica(`10.8.${i >> 8}.${i & 255}`, 6379));
    const realView = {
      peers: real.map((ip) => peer(ip, 26379)),
      replicas: [replica('10.0.0.11', 6379), replica('10.0.0.12', 6379)],
    };
    const { runBatch, calls } = scripted({
      sentinels: {
        '10.0.0.1:26379': { peers: [...fakePeers, peer('10.0.0.4', 26379)], replicas: fakeReplicas },
        '10.0.0.2:26379': { ...realView, peers: [...realView.peers, peer('10.0.0.4', 26379)] },
        '10.0.0.3:26379': { ...realView, peers: [...realView.peers, peer('10.0.0.4', 26379)] },
      },
    });

    // Act
    const s = await pollDeployment(deployment(), {}, { runBatch, now: Date.now });

    // Assess: the caps hold, and what the honest sentinels agree on is kept
    expect(s.sentinels).toHaveLength(MAX_SENTINELS);
    expect(s.nodes).toHaveLength(MAX_NODES);
    expect(calls).toHaveLength(MAX_SENTINELS + MAX_NODES);
    expect(s.sentinels.map((x) => x.host)).toEqual(expect.arrayContaining([...real, '10.0.0.4']));
    expect(s.nodes.map((n) => n.host)).toEqual(
      expect.arrayContaining(['10.0.0.10', '10.0.0.11', '10.0.0.12']),
    );
    // Each sentinel's own lists are cut to the caps first: the hostile one names MAX_SENTINELS fake
    // peers and MAX_NODES fake replicas, the honest ones add 10.0.0.4, the master and two replicas.
    expect(s.unprobed).toMatchObject({
      sentinels: MAX_SENTINELS + 1 - (MAX_SENTINELS - 3),
      nodes: MAX_NODES + 3 - MAX_NODES,
    });
    expect(s.unprobed?.examples.length).toBeGreaterThan(0);
    expect(s.unprobed?.examples.length).toBeLessThanOrEqual(5);
  });

  it('leaves unprobed out when nothing was left out', async () => {
    const { runBatch } = scripted({ sentinels: {} });
    const s = await pollDeployment(deployment(), {}, { runBatch, now: Date.now });
    expect(s.unprobed).toBeUndefined();
  });

  it('counts a server announced under another spelling of a configured address once', async () => {
    // Prepare: config says localhost (stored as 127.0.0.1); peers announce other spellings
    const { runBatch, calls } = scripted({
      sentinels: {
        '127.0.0.1:26379': {
          peers: [peer('::ffff:127.0.0.1', 26380), peer('0:0:0:0:0:0:0:1', 26381)],
          replicas: [replica('Node-1.Example.com.', 6379)],
        },
        '127.0.0.1:26380': {
          peers: [peer('localhost', 26379), peer('::1', 26381)],
          replicas: [replica('node-1.example.com', 6379)],
        },
      },
    });

    // Act
    const s = await pollDeployment(
      deployment({ sentinels: ['localhost:26379', '127.0.0.1:26380'] }),
      {},
      { runBatch, now: Date.now },
    );

    // Assess
    expect(s.sentinels.map((x) => `${x.host}:${x.port}`).sort()).toEqual([
      '127.0.0.1:26379',
      '127.0.0.1:26380',
      '::1:26381',
    ]);
    expect(s.nodes.map((n) => `${n.host}:${n.port}`).sort()).toEqual([
      '10.0.0.10:6379',
      'node-1.example.com:6379',
    ]);
    expect(new Set(calls.map((c) => `${c.target.host}:${c.target.port}`)).size).toBe(calls.length);
  });

  it("hands every batch the deployment's byte budget", async () => {
    const { runBatch, calls } = scripted({ sentinels: {} });
    await pollDeployment(deployment({ maxReplyBytes: 300_000 }), {}, { runBatch, now: Date.now });
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect(c.limits).toEqual({ maxReplyBytes: 300_000 });
  });
});
