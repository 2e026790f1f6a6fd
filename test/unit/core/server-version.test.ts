import {
  compareVersions,
  hasRedisFeaturesOf,
  labelOf,
  majorLine,
  releaseDetails,
  releaseFromBanner,
  releaseFromInfo,
  releaseGroups,
} from '../../../lambdas/core/server-version';
import { healthySnapshot, node, sentinelAt } from '../helpers/snapshot-factory';

describe('Function: releaseFromBanner', () => {
  it.each([
    ['Redis server v=5.0.14 sha=00000000:0 malloc=libc bits=64 build=51ba7dc06a0379b6', 'redis', '5.0.14'],
    [
      'Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0',
      'redis',
      '7.0.15',
    ],
    ['Valkey server v=8.0.1 sha=00000000:1 malloc=libc bits=64 build=721d4ab08aff306', 'valkey', '8.0.1'],
  ])('reads %s', (banner, flavour, version) => {
    expect(releaseFromBanner(banner)).toEqual({ flavour, version });
  });

  it('gives null for anything else', () => {
    expect(releaseFromBanner('Usage: ./redis-server [/path/to/redis.conf]')).toBeNull();
  });
});

describe('Function: releaseFromInfo', () => {
  it('prefers valkey_version and server_name over the redis_version compatibility field', () => {
    expect(
      releaseFromInfo({ redis_version: '7.2.4', valkey_version: '8.0.1', server_name: 'valkey' }),
    ).toEqual({
      flavour: 'valkey',
      version: '8.0.1',
    });
    expect(releaseFromInfo({ redis_version: '6.2.16' })).toEqual({ flavour: 'redis', version: '6.2.16' });
    expect(releaseFromInfo({ run_id: 'x' })).toBeNull();
  });
});

describe('Function: compareVersions and hasRedisFeaturesOf', () => {
  it('orders versions numerically', () => {
    expect(compareVersions('6.2.16', '6.2.9')).toBeGreaterThan(0);
    expect(compareVersions('5.0.14', '6.0.0')).toBeLessThan(0);
    expect(compareVersions('7.2', '7.2.0')).toBe(0);
  });

  it('gives Valkey the features of Redis 7.2.4 whatever its own number', () => {
    expect(hasRedisFeaturesOf({ flavour: 'valkey', version: '8.0.1' }, '7.2.0')).toBe(true);
    expect(hasRedisFeaturesOf({ flavour: 'valkey', version: '8.0.1' }, '8.0.0')).toBe(false);
    expect(hasRedisFeaturesOf({ flavour: 'redis', version: '6.2.16' }, '7.0.0')).toBe(false);
  });

  it('names the major line a rolling upgrade changes, flavour included', () => {
    expect(majorLine({ flavour: 'redis', version: '7.2.6' })).toBe('redis 7');
    expect(majorLine({ flavour: 'valkey', version: '8.0.1' })).toBe('valkey 8');
  });
});

describe('Function: releaseGroups', () => {
  it('groups servers by release, oldest first, and labels old snapshots without a flavour as redis', () => {
    // Prepare
    const s = healthySnapshot();
    Object.assign(node(s, 2).server!, { flavour: 'valkey', version: '8.0.1' });
    Object.assign(sentinelAt(s, 0), { version: '6.2.16' });

    // Act
    const groups = releaseGroups(s);

    // Assess
    expect(groups.map((g) => [g.label, g.nodes.length, g.sentinels.length])).toEqual([
      ['redis 6.2.16', 0, 1],
      ['redis 7.0.15', 2, 2],
      ['valkey 8.0.1', 1, 0],
    ]);
    expect(labelOf(node(s, 0).server)).toBe('redis 7.0.15');
    expect(labelOf(null)).toBeNull();
  });
});

describe('Function: releaseDetails', () => {
  it('names the release of a node or sentinel, from the previous poll when it is down, and all of them for the deployment', () => {
    // Prepare
    const previous = healthySnapshot();
    const current = healthySnapshot();
    Object.assign(node(current, 2).server!, { flavour: 'valkey', version: '8.0.1' });
    node(current, 1).server = null;

    // Act & Assess
    expect(releaseDetails('node 10.0.1.63:6379', current, previous)).toEqual({
      serverVersion: 'valkey 8.0.1',
    });
    expect(releaseDetails('node 10.0.1.62:6379', current, previous)).toEqual({
      serverVersion: 'redis 7.0.15',
    });
    expect(releaseDetails('sentinel 10.0.1.61:26379', current, null)).toEqual({
      serverVersion: 'redis 7.0.15',
    });
    expect(releaseDetails('deployment', current, previous)).toEqual({
      serverVersions: 'redis 7.0.15, valkey 8.0.1',
    });
    expect(releaseDetails('node 10.9.9.9:6379', current, previous)).toEqual({});
  });
});
