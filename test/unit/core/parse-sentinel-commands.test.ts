import { BadReplyError } from '../../../lambdas/core/errors';
import { parseCkQuorum, parseMasterAddr, parseSentinelConfig } from '../../../lambdas/core/parse-sentinel';
import { fixture, fixtureJson } from '../helpers/fixtures';

describe('Function: parseMasterAddr', () => {
  it('reads a real Redis 7 reply', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-get-master-addr-by-name.json');

    // Act
    const address = parseMasterAddr(reply);

    // Assess
    expect(address).toEqual({ host: '127.0.0.1', port: 6690 });
  });

  it('follows a real Redis 7 failover', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-get-master-addr-by-name-after-failover.json');

    // Act
    const address = parseMasterAddr(reply);

    // Assess
    expect(address).toEqual({ host: '127.0.0.1', port: 6691 });
  });

  it('gives null for the real nil reply to an unknown master name', () => {
    // Prepare
    const reply = fixtureJson('redis7', 'sentinel-get-master-addr-by-name-unknown.json');

    // Act
    const address = parseMasterAddr(reply);

    // Assess
    expect(reply).toBeNull();
    expect(address).toBeNull();
  });

  it('reads a real Redis 5 reply and accepts a numeric port', () => {
    // Prepare
    const reply = fixtureJson('redis5', 'sentinel-get-master-addr-by-name.json');

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
    const text = fixture('redis7', 'sentinel-ckquorum-ok.txt');

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
    const text = fixture('redis7', 'sentinel-ckquorum-noquorum.txt');

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
    const text = fixture('redis7', 'sentinel-ckquorum-noquorum-majority.txt');

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
    const text = fixture('redis5', 'sentinel-ckquorum-ok.txt');

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
