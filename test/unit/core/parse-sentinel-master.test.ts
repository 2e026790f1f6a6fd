import { BadReplyError } from '../../../lambdas/core/errors';
import { parseSentinelMaster, toFieldMap } from '../../../lambdas/core/parse-sentinel';
import { fixtureJson, thrownBy } from '../helpers/fixtures';

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
    const flat = fixtureJson('redis7', 'sentinel-master.json');
    const object = fixtureJson('redis7', 'sentinel-master-resp3.json');

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
    const reply = fixtureJson('redis7', 'sentinel-master.json');

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
    const flat = fixtureJson('redis7', 'sentinel-master.json');
    const object = fixtureJson('redis7', 'sentinel-master-resp3.json');

    // Act
    const fromObject = parseSentinelMaster(object);

    // Assess
    expect(fromObject).toEqual(parseSentinelMaster(flat));
  });

  it('reads a real Redis 7 master during a forced failover', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-master-failover-in-progress.json');

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
    const reply = fixtureJson('redis7', 'sentinel-master-after-failover.json');

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
    const reply = fixtureJson('redis5', 'sentinel-master.json');

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
    const reply = {
      ...(fixtureJson('redis7', 'sentinel-master-resp3.json') as object),
      'failover-state': 'none',
    };

    // Act
    const master = parseSentinelMaster(reply);

    // Assess
    expect(master.failoverState).toBeNull();
  });

  it.each(['name', 'ip', 'port', 'flags', 'quorum', 'num-slaves', 'num-other-sentinels'])(
    'throws BadReplyError when %s is missing',
    (field) => {
      // Prepare
      const reply: Record<string, string> = {
        ...(fixtureJson('redis7', 'sentinel-master-resp3.json') as object),
      };
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

describe("Function: parseSentinelMaster (Sentinel's own view of a master it flags down)", () => {
  it('reads how long it has been subjectively and objectively down, and the PING history', () => {
    // Prepare: the real Redis 7 reply, as a sentinel with a wrong auth-pass reports the master
    const reply = (fixtureJson('redis7', 'sentinel-master.json') as string[]).map((v, i, all) =>
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
    const reply = (fixtureJson('redis7', 'sentinel-master.json') as string[]).filter(
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
