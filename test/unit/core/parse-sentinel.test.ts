import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadReplyError } from '../../../lambdas/core/errors';
import {
  parseCkQuorum,
  parseMasterAddr,
  parseSentinelConfig,
  parseSentinelMaster,
  parseSentinelPeers,
  parseSentinelReplicas,
  toFieldMap,
} from '../../../lambdas/core/parse-sentinel';
import type { SentinelReplicaView } from '../../../lambdas/core/types';

// redis7/: captured from redis-server 7.0.15 through ioredis (protocol 2, and protocol 3 with
// replyMapping 'resp3' for the *-resp3.json files); redis5/: recorded from the real 5.0.14 by
// scripts/record-fixtures.ts (ids and offsets change on refresh: compare with the raw reply).
const read = (version: 'redis5' | 'redis7', name: string): string =>
  readFileSync(join(__dirname, '../../fixtures', version, name), 'utf8');
const json = (version: 'redis5' | 'redis7', name: string): unknown => JSON.parse(read(version, name));

const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('Function: toFieldMap', () => {
  it('turns a flat RESP2 field list into a map', () => {
    // Prepare
    const reply = ['name', 'mymaster', 'ip', '127.0.0.1', 'port', '6690'];

    // Act
    const fields = toFieldMap(reply, 'SENTINEL MASTER');

    // Assess
    expect(fields).toEqual({ name: 'mymaster', ip: '127.0.0.1', port: '6690' });
  });

  it('gives the same map for the RESP2 and RESP3 captures of one real reply', () => {
    // Prepare
    const flat = json('redis7', 'sentinel-master.json');
    const object = json('redis7', 'sentinel-master-resp3.json');

    // Act
    const fromFlat = toFieldMap(flat, 'SENTINEL MASTER');
    const fromObject = toFieldMap(object, 'SENTINEL MASTER');

    // Assess
    expect(fromObject).toEqual(fromFlat);
    expect(fromFlat['num-other-sentinels']).toBe('1');
  });

  it('stores a __proto__ field as data', () => {
    // Prepare
    const reply = ['__proto__', 'x'];

    // Act
    const fields = toFieldMap(reply, 'SENTINEL MASTER');

    // Assess
    expect(Object.entries(fields)).toEqual([['__proto__', 'x']]);
    expect(Object.getPrototypeOf(fields)).not.toBe('x');
  });

  it.each([
    ['an odd-length list', ['name', 'mymaster', 'ip']],
    ['a list with a number', ['port', 6690]],
    ['a list with a nested list', ['flags', ['master']]],
    ['a list with a null', [null, 'x']],
    ['an object with a number', { port: 6690 }],
    ['a number', 42],
    ['a string', 'name mymaster'],
    ['null', null],
  ])('throws BadReplyError naming the command for %s', (_label, reply) => {
    // Prepare
    const parse = () => toFieldMap(reply, 'SENTINEL MASTER');

    // Act
    const error = thrownBy(parse);

    // Assess
    expect(error).toBeInstanceOf(BadReplyError);
    expect((error as BadReplyError).command).toBe('SENTINEL MASTER');
  });
});

describe('Function: parseSentinelMaster', () => {
  it('reads a real Redis 7 reply', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-master.json');

    // Act
    const master = parseSentinelMaster(reply);

    // Assess
    expect(master).toEqual({
      name: 'mymaster',
      host: '127.0.0.1',
      port: 6690,
      runId: 'eb6841f55d250619cae551231a2f2f354fabc276',
      flags: ['master'],
      quorum: 1,
      numReplicas: 1,
      numOtherSentinels: 1,
      downAfterMs: 2000,
      failoverTimeoutMs: 5000,
      parallelSyncs: 1,
      configEpoch: 0,
      failoverState: null,
      roleReported: 'master',
      lastOkPingReplyMs: 752,
      lastPingReplyMs: 752,
      sDownTimeMs: null,
      oDownTimeMs: null,
      infoRefreshMs: 4635,
    });
  });

  it('reads the real Redis 7 reply in its RESP3 object form', () => {
    // Prepare
    const flat = json('redis7', 'sentinel-master.json');
    const object = json('redis7', 'sentinel-master-resp3.json');

    // Act
    const fromObject = parseSentinelMaster(object);

    // Assess
    expect(fromObject).toEqual(parseSentinelMaster(flat));
  });

  it('reads a real Redis 7 master during a forced failover', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-master-failover-in-progress.json');

    // Act
    const master = parseSentinelMaster(reply);

    // Assess
    expect(master.flags).toEqual(['master', 'failover_in_progress', 'force_failover']);
    expect(master.failoverState).toBe('wait_start');
    expect(master.port).toBe(6690);
    expect(master.configEpoch).toBe(0);
  });

  it('reads a real Redis 7 master right after a failover (new address, epoch, empty runid)', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-master-after-failover.json');

    // Act
    const master = parseSentinelMaster(reply);

    // Assess
    expect(master).toMatchObject({
      host: '127.0.0.1',
      port: 6691,
      configEpoch: 1,
      runId: null,
      failoverState: null,
    });
  });

  it('reads a real Redis 5 reply', () => {
    // Prepare
    const reply = json('redis5', 'sentinel-master.json');

    // Act
    const master = parseSentinelMaster(reply);

    // Assess: the local topology's settings, as the recording set them up
    expect(master).toMatchObject({
      name: 'mymaster',
      host: '127.0.0.1',
      port: 8300,
      flags: ['master'],
      quorum: 2,
      numReplicas: 2,
      numOtherSentinels: 2,
      downAfterMs: 1500,
      failoverTimeoutMs: 5000,
      parallelSyncs: 1,
      configEpoch: 0,
      failoverState: null,
    });
    expect(master.runId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('treats failover-state none as no failover', () => {
    // Prepare
    const reply = { ...(json('redis7', 'sentinel-master-resp3.json') as object), 'failover-state': 'none' };

    // Act
    const master = parseSentinelMaster(reply);

    // Assess
    expect(master.failoverState).toBeNull();
  });

  it.each(['name', 'ip', 'port', 'flags', 'quorum', 'num-slaves', 'num-other-sentinels'])(
    'throws BadReplyError when %s is missing',
    (field) => {
      // Prepare
      const reply: Record<string, string> = { ...(json('redis7', 'sentinel-master-resp3.json') as object) };
      delete reply[field];

      // Act
      const error = thrownBy(() => parseSentinelMaster(reply));

      // Assess
      expect(error).toBeInstanceOf(BadReplyError);
      expect((error as BadReplyError).command).toBe('SENTINEL MASTER');
    },
  );

  it.each([[42], ['mymaster'], [null], [['name', 'mymaster', 'ip']]])(
    'throws BadReplyError for %p',
    (reply) => {
      // Prepare
      const parse = () => parseSentinelMaster(reply);

      // Act & Assess
      expect(parse).toThrow(BadReplyError);
    },
  );
});

describe('Function: parseSentinelReplicas', () => {
  it('reads a real Redis 7 SENTINEL REPLICAS reply', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-replicas.json');

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
    const reply = json('redis7', 'sentinel-replicas-resp3.json');
    const ages = ({ lastOkPingReplyMs, lastPingReplyMs, infoRefreshMs, ...rest }: SentinelReplicaView) =>
      rest;

    // Act
    const replicas = parseSentinelReplicas(reply);

    // Assess
    expect(replicas.map(ages)).toEqual(
      parseSentinelReplicas(json('redis7', 'sentinel-replicas.json')).map(ages),
    );
    expect(replicas[0].lastPingReplyMs).toBe(753);
  });

  it('shows a real Redis 7 replica that Sentinel sees subjectively down', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-replicas-sdown.json');

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
    const reply = json('redis5', 'sentinel-slaves.json');

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
    const replicas = parseSentinelReplicas(json('redis5', 'sentinel-replicas.json'));
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
    const reply = json('redis7', 'sentinel-sentinels.json');

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
    const reply = json('redis7', 'sentinel-sentinels-peer-sdown.json');

    // Act
    const [peer] = parseSentinelPeers(reply);

    // Assess
    expect(peer.flags).toEqual(['s_down', 'sentinel']);
    expect(peer.lastHelloMessageMs).toBe(4312);
  });

  it('reads a real Redis 5 reply with two peers', () => {
    // Prepare
    const reply = json('redis5', 'sentinel-sentinels.json');

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

describe('Function: parseMasterAddr', () => {
  it('reads a real Redis 7 reply', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-get-master-addr-by-name.json');

    // Act
    const address = parseMasterAddr(reply);

    // Assess
    expect(address).toEqual({ host: '127.0.0.1', port: 6690 });
  });

  it('follows a real Redis 7 failover', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-get-master-addr-by-name-after-failover.json');

    // Act
    const address = parseMasterAddr(reply);

    // Assess
    expect(address).toEqual({ host: '127.0.0.1', port: 6691 });
  });

  it('gives null for the real nil reply to an unknown master name', () => {
    // Prepare
    const reply = json('redis7', 'sentinel-get-master-addr-by-name-unknown.json');

    // Act
    const address = parseMasterAddr(reply);

    // Assess
    expect(reply).toBeNull();
    expect(address).toBeNull();
  });

  it('reads a real Redis 5 reply and accepts a numeric port', () => {
    // Prepare
    const reply = json('redis5', 'sentinel-get-master-addr-by-name.json');

    // Act
    const address = parseMasterAddr(reply);
    const numeric = parseMasterAddr(['127.0.0.1', 8300]);

    // Assess
    expect(address).toEqual({ host: '127.0.0.1', port: 8300 });
    expect(numeric).toEqual(address);
  });

  it.each([
    ['a string', '10.0.1.61:6379'],
    ['a number', 6379],
    ['an empty array', []],
    ['a one-element array', ['10.0.1.61']],
    ['a non-numeric port', ['10.0.1.61', 'port']],
    ['a non-string host', [1, '6379']],
    ['an object', { host: '10.0.1.61', port: 6379 }],
  ])('throws BadReplyError for %s', (_label, reply) => {
    // Prepare
    const parse = () => parseMasterAddr(reply);

    // Act & Assess
    expect(parse).toThrow(BadReplyError);
  });
});

describe('Function: parseCkQuorum', () => {
  it('reads the real Redis 7 OK reply', () => {
    // Prepare
    const text = read('redis7', 'sentinel-ckquorum-ok.txt');

    // Act
    const quorum = parseCkQuorum(text);

    // Assess
    expect(quorum).toEqual({
      ok: true,
      message: 'OK 2 usable Sentinels. Quorum and failover authorization can be reached',
      usableSentinels: 2,
    });
  });

  it('reads the real Redis 7 NOQUORUM error for a quorum above the usable sentinels', () => {
    // Prepare
    const text = read('redis7', 'sentinel-ckquorum-noquorum.txt');

    // Act
    const quorum = parseCkQuorum(text);

    // Assess
    expect(quorum.ok).toBe(false);
    expect(quorum.usableSentinels).toBe(2);
    expect(quorum.message).toBe(
      'NOQUORUM 2 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master',
    );
  });

  it('reads the real Redis 7 NOQUORUM error that also misses the majority', () => {
    // Prepare
    const text = read('redis7', 'sentinel-ckquorum-noquorum-majority.txt');

    // Act
    const quorum = parseCkQuorum(text);

    // Assess
    expect(quorum.ok).toBe(false);
    expect(quorum.usableSentinels).toBe(1);
    expect(quorum.message).toContain(
      'Not enough available Sentinels to reach the majority and authorize a failover',
    );
  });

  it('reads a real Redis 5 OK reply', () => {
    // Prepare
    const text = read('redis5', 'sentinel-ckquorum-ok.txt');

    // Act
    const quorum = parseCkQuorum(text);

    // Assess
    expect(quorum.ok).toBe(true);
    expect(quorum.usableSentinels).toBe(3);
  });

  it('keeps an OK or NOQUORUM answer whose count cannot be read', () => {
    // Prepare
    const ok = 'OK';
    const noQuorum = 'NOQUORUM not enough';

    // Act
    const okQuorum = parseCkQuorum(ok);
    const noQuorumResult = parseCkQuorum(noQuorum);

    // Assess
    expect(okQuorum).toEqual({ ok: true, message: 'OK', usableSentinels: null });
    expect(noQuorumResult).toEqual({ ok: false, message: 'NOQUORUM not enough', usableSentinels: null });
  });

  it.each([
    ['another error', 'ERR No such master with that name'],
    ['an empty string', ''],
    ['OK as part of a word', 'OKAY 3 usable Sentinels'],
  ])('throws BadReplyError for %s', (_label, text) => {
    // Prepare
    const parse = () => parseCkQuorum(text);

    // Act & Assess
    expect(parse).toThrow(BadReplyError);
  });

  it('throws BadReplyError for a non-text reply', () => {
    // Prepare
    const reply = 42 as unknown as string;

    // Act & Assess
    expect(() => parseCkQuorum(reply)).toThrow(BadReplyError);
  });
});

describe("Function: parseSentinelMaster (Sentinel's own view of a master it flags down)", () => {
  it('reads how long it has been subjectively and objectively down, and the PING history', () => {
    // Prepare: the real Redis 7 reply, as a sentinel with a wrong auth-pass reports the master
    const reply = (json('redis7', 'sentinel-master.json') as string[]).map((v, i, all) =>
      all[i - 1] === 'flags'
        ? 's_down,o_down,master,disconnected'
        : all[i - 1] === 'last-ok-ping-reply'
          ? '61000'
          : v,
    );
    reply.push('s-down-time', '55000', 'o-down-time', '54000');

    // Act
    const master = parseSentinelMaster(reply);

    // Assess
    expect(master).toMatchObject({
      flags: ['s_down', 'o_down', 'master', 'disconnected'],
      lastOkPingReplyMs: 61_000,
      lastPingReplyMs: 752,
      sDownTimeMs: 55_000,
      oDownTimeMs: 54_000,
    });
  });

  it('gives null for the PING history and refresh fields a reply lacks', () => {
    // Prepare
    const reply = (json('redis7', 'sentinel-master.json') as string[]).filter(
      (_, i, all) => !['last-ping-reply', 'info-refresh'].includes(all[i % 2 === 0 ? i : i - 1]),
    );

    // Act
    const master = parseSentinelMaster(reply);

    // Assess
    expect(master.lastPingReplyMs).toBeNull();
    expect(master.infoRefreshMs).toBeNull();
    expect(master.lastOkPingReplyMs).toBe(752);
  });
});

describe('Function: parseSentinelPeers (leader votes)', () => {
  it('reads the run id a peer voted for as failover leader, and the epoch', () => {
    // Prepare
    const [entry] = json('redis7', 'sentinel-sentinels.json') as string[][];
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
    const peers = parseSentinelPeers(json('redis5', 'sentinel-sentinels.json'));

    // Assess
    expect(peers.map((p) => [p.lastOkPingReplyMs, p.votedLeaderEpoch])).toEqual(
      peers.map(() => [expect.any(Number), expect.any(Number)]),
    );
  });
});

describe('Function: parseSentinelConfig', () => {
  // The Redis 7 reply of SENTINEL CONFIG GET * (sentinel.c sentinelConfigGetCommand), RESP2 form.
  const reply = (overrides: Record<string, string> = {}): string[] =>
    Object.entries({
      'resolve-hostnames': 'no',
      'announce-hostnames': 'no',
      'announce-ip': '',
      'announce-port': '0',
      'sentinel-user': '',
      'sentinel-pass': '',
      ...overrides,
    }).flat();

  it('reads an unset announce address and unset sentinel credentials', () => {
    // Act
    const config = parseSentinelConfig(reply());

    // Assess
    expect(config).toEqual({
      announceIp: null,
      announcePort: null,
      sentinelUser: 'unset',
      sentinelPass: 'unset',
    });
  });

  it('reads the announce address, and reduces the sentinel password to "set" (it is sent in clear text)', () => {
    // Act
    const config = parseSentinelConfig(
      reply({
        'announce-ip': '203.0.113.9',
        'announce-port': '26399',
        'sentinel-user': 'sentinels',
        'sentinel-pass': 's3cret-Pa55',
      }),
    );

    // Assess
    expect(config).toEqual({
      announceIp: '203.0.113.9',
      announcePort: 26_399,
      sentinelUser: 'set',
      sentinelPass: 'set',
    });
    expect(JSON.stringify(config)).not.toContain('s3cret-Pa55');
    expect(JSON.stringify(config)).not.toContain('sentinels');
  });

  it('reads the RESP3 map form, and gives null for what a Redis 6.2 sentinel does not report', () => {
    // Act
    const config = parseSentinelConfig({ 'resolve-hostnames': 'no', 'announce-hostnames': 'no' });

    // Assess
    expect(config).toEqual({ announceIp: null, announcePort: null, sentinelUser: null, sentinelPass: null });
  });

  it('throws BadReplyError for a reply that is no field map', () => {
    // Act & Assess
    expect(() => parseSentinelConfig(['announce-ip'])).toThrow(BadReplyError);
    expect(() => parseSentinelConfig('OK')).toThrow(BadReplyError);
  });
});
