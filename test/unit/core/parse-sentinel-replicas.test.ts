import { BadReplyError } from '../../../lambdas/core/errors';
import { parseSentinelPeers, parseSentinelReplicas } from '../../../lambdas/core/parse-sentinel';
import type { SentinelReplicaView } from '../../../lambdas/core/types';
import { fixtureJson, thrownBy } from '../helpers/fixtures';

describe('Function: parseSentinelReplicas', () => {
  it('reads a real Redis 7 SENTINEL REPLICAS reply', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-replicas.json');

    // Act
    const replicas = parseSentinelReplicas(reply);

    // Assess
    expect(replicas).toEqual([
      {
        host: '127.0.0.1',
        port: 6691,
        runId: '0169eb9d8284c1ac82ccc00c05570acad6edd346',
        flags: ['slave'],
        masterLinkStatus: 'ok',
        masterHost: '127.0.0.1',
        masterPort: 6690,
        replicaPriority: 100,
        replOffset: 4805,
        lastOkPingReplyMs: 752,
        lastPingReplyMs: 752,
        masterLinkDownTimeMs: 0,
        infoRefreshMs: 551,
      },
    ]);
  });

  it('reads the real Redis 7 reply in its RESP3 object form', () => {
    // Prepare: the two were recorded a millisecond apart, so their ages differ by one
    const reply = fixtureJson('redis7', 'sentinel-replicas-resp3.json');
    const ages = ({ lastOkPingReplyMs, lastPingReplyMs, infoRefreshMs, ...rest }: SentinelReplicaView) =>
      rest;

    // Act
    const replicas = parseSentinelReplicas(reply);

    // Assess
    expect(replicas.map(ages)).toEqual(
      parseSentinelReplicas(fixtureJson('redis7', 'sentinel-replicas.json')).map(ages),
    );
    expect(replicas[0].lastPingReplyMs).toBe(753);
  });

  it('shows a real Redis 7 replica that Sentinel sees subjectively down', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-replicas-sdown.json');

    // Act
    const [replica] = parseSentinelReplicas(reply);

    // Assess
    expect(replica.flags).toEqual(['s_down', 'slave']);
    // Sentinel keeps the last link status and offset it read from the frozen replica.
    expect(replica.masterLinkStatus).toBe('ok');
    expect(replica.replOffset).toBe(7483);
  });

  it('reads a real Redis 5 SENTINEL SLAVES reply: a healthy replica, a killed one, one never reached', () => {
    // Prepare
    const reply = fixtureJson('redis5', 'sentinel-slaves.json');

    // Act
    const replicas = parseSentinelReplicas(reply);

    // Assess
    const byPort = Object.fromEntries(replicas.map((r) => [r.port, r]));
    expect(Object.keys(byPort).sort()).toEqual(['8301', '8302', '8399']);
    expect(byPort[8301]).toMatchObject({ flags: ['slave'], masterLinkStatus: 'ok', masterPort: 8300 });
    expect(byPort[8301].replOffset).toBeGreaterThan(0);
    expect(byPort[8302].flags).toEqual(['s_down', 'slave', 'disconnected']);
    expect(byPort[8302].runId).toMatch(/^[0-9a-f]{40}$/);
    // Announced on a port nothing listens on: Sentinel never learned its run id or its master (and
    // its info-refresh is the time since the epoch: Sentinel subtracts a refresh that never happened).
    expect(byPort[8399]).toMatchObject({
      host: '127.0.0.1',
      port: 8399,
      runId: null,
      flags: ['s_down', 'slave', 'disconnected'],
      masterLinkStatus: 'err',
      masterHost: null,
      masterPort: 0,
      replicaPriority: 100,
      replOffset: 0,
    });
  });

  it('reads a real Redis 5 SENTINEL REPLICAS reply the same way (5.0 has both)', () => {
    const replicas = parseSentinelReplicas(fixtureJson('redis5', 'sentinel-replicas.json'));
    expect(replicas.map((r) => [r.port, r.flags.join(',')]).sort()).toEqual([
      [8301, 'slave'],
      [8302, 'slave'],
    ]);
  });

  it('accepts the replica-priority and replica-repl-offset spellings', () => {
    // Prepare
    const reply = [
      { ip: '10.0.1.62', port: '6379', flags: 'slave', 'replica-priority': '0', 'replica-repl-offset': '77' },
    ];

    // Act
    const [replica] = parseSentinelReplicas(reply);

    // Assess
    expect(replica.replicaPriority).toBe(0);
    expect(replica.replOffset).toBe(77);
    expect(replica.runId).toBeNull();
    expect(replica.masterLinkStatus).toBeNull();
  });

  it('returns an empty list for a master without replicas', () => {
    // Prepare
    const reply: unknown[] = [];

    // Act
    const replicas = parseSentinelReplicas(reply);

    // Assess
    expect(replicas).toEqual([]);
  });

  it.each([
    ['a number', 42],
    ['a map instead of a list of maps', { ip: '10.0.1.62' }],
    ['an odd entry', [['ip', '10.0.1.62', 'port']]],
    ['an entry without a port', [['ip', '10.0.1.62', 'flags', 'slave']]],
    ['a list of strings', ['ip', '10.0.1.62', 'port', '6379']],
  ])('throws BadReplyError for %s', (_label, reply) => {
    // Prepare
    const parse = () => parseSentinelReplicas(reply);

    // Act
    const error = thrownBy(parse);

    // Assess
    expect(error).toBeInstanceOf(BadReplyError);
    expect((error as BadReplyError).command).toBe('SENTINEL REPLICAS');
  });
});

describe('Function: parseSentinelPeers', () => {
  it('reads a real Redis 7 SENTINEL SENTINELS reply', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-sentinels.json');

    // Act
    const peers = parseSentinelPeers(reply);

    // Assess
    expect(peers).toEqual([
      {
        host: '127.0.0.1',
        port: 6692,
        runId: '1e636154b88b56e32f40f321722e76bb828a5c0e',
        flags: ['sentinel'],
        lastHelloMessageMs: 1155,
        lastOkPingReplyMs: 944,
        lastPingReplyMs: 944,
        votedLeader: null,
        votedLeaderEpoch: 0,
      },
    ]);
  });

  it('shows a real Redis 7 peer that is subjectively down', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-sentinels-peer-sdown.json');

    // Act
    const [peer] = parseSentinelPeers(reply);

    // Assess
    expect(peer.flags).toEqual(['s_down', 'sentinel']);
    expect(peer.lastHelloMessageMs).toBe(4312);
  });

  it('reads a real Redis 5 reply with two peers', () => {
    // Prepare
    const reply = fixtureJson('redis5', 'sentinel-sentinels.json');

    // Act
    const peers = parseSentinelPeers(reply);

    // Assess
    expect(peers.map((p) => `${p.host}:${p.port}`).sort()).toEqual(['127.0.0.1:28301', '127.0.0.1:28302']);
    expect(peers.every((p) => p.lastHelloMessageMs !== null && p.lastHelloMessageMs < 5000)).toBe(true);
  });

  it.each([[42], ['sentinel'], [null], [[['ip', '10.0.1.62', 'port', 'x', 'flags', 'sentinel']]]])(
    'throws BadReplyError for %p',
    (reply) => {
      // Prepare
      const parse = () => parseSentinelPeers(reply);

      // Act & Assess
      expect(parse).toThrow(BadReplyError);
    },
  );
});

describe('Function: parseSentinelPeers (leader votes)', () => {
  it('reads the run id a peer voted for as failover leader, and the epoch', () => {
    // Prepare
    const [entry] = fixtureJson('redis7', 'sentinel-sentinels.json') as string[][];
    const voted = entry.map((v, i) =>
      entry[i - 1] === 'voted-leader'
        ? 'b9c6a2f0e0d2c6c4d7f1e0a9b8c7d6e5f4a3b2c1'
        : entry[i - 1] === 'voted-leader-epoch'
          ? '4'
          : v,
    );

    // Act
    const [peer] = parseSentinelPeers([voted]);

    // Assess
    expect(peer.votedLeader).toBe('b9c6a2f0e0d2c6c4d7f1e0a9b8c7d6e5f4a3b2c1');
    expect(peer.votedLeaderEpoch).toBe(4);
  });

  it('reads a real Redis 5 reply, which has the same fields', () => {
    // Act
    const peers = parseSentinelPeers(fixtureJson('redis5', 'sentinel-sentinels.json'));

    // Assess
    expect(peers.map((p) => [p.lastOkPingReplyMs, p.votedLeaderEpoch])).toEqual(
      peers.map(() => [expect.any(Number), expect.any(Number)]),
    );
  });
});
