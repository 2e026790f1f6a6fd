import { canonicalHost, canonicalIpv6, parseAddress } from '../../../lambdas/core/address';

describe('Function: canonicalIpv6', () => {
  it.each([
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::', 'fe80::'],
    ['::', '::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
    ['::ffff:10.0.1.61', '10.0.1.61'],
    ['::FFFF:0a00:013d', '10.0.1.61'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('writes %s as %s', (input, expected) => {
    expect(canonicalIpv6(input)).toBe(expected);
  });

  it.each([':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', '::1.2.3.256', 'g::1'])(
    'rejects %s',
    (input) => {
      expect(canonicalIpv6(input)).toBeNull();
    },
  );
});

describe('Function: canonicalHost', () => {
  it.each([
    ['localhost', '127.0.0.1'],
    ['LocalHost.', '127.0.0.1'],
    ['Redis-1.Example.com.', 'redis-1.example.com'],
    ['10.0.1.61', '10.0.1.61'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
  ])('writes %s as %s (no DNS lookup)', (input, expected) => {
    expect(canonicalHost(input)).toBe(expected);
  });
});

describe('Function: parseAddress', () => {
  it('returns the canonical host', () => {
    expect(parseAddress('[0:0:0:0:0:0:0:1]:26379', 'f')).toEqual({ host: '::1', port: 26379 });
    expect(parseAddress('localhost:6379', 'f')).toEqual({ host: '127.0.0.1', port: 6379 });
  });

  it('rejects a bracketed host that is not an IPv6 address', () => {
    expect(() => parseAddress('[:::]:26379', 'sentinels[0]')).toThrow(
      /^sentinels\[0\]: ":::" is not a valid/,
    );
  });
});
