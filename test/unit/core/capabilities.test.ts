import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CAPABILITIES,
  capabilityGaps,
  capabilityList,
  probeNeeds,
  refuses,
  supports,
} from '../../../lambdas/core/capabilities';
import { classifyError } from '../../../lambdas/core/probe-error';
import type { ProbeError } from '../../../lambdas/core/types';
import { fail, healthySnapshot, node, sentinelAt } from '../helpers/snapshot-factory';

describe('Function: supports', () => {
  it.each([
    // The same table docs/versions.md shows, verified on the real binaries by server-capabilities.test.ts.
    [
      'redis',
      '5.0.14',
      {
        aclUsers: false,
        errorstats: false,
        replicaAnnounced: false,
        sentinelConfig: false,
        sentinelReplicas: true,
      },
    ],
    [
      'redis',
      '6.2.16',
      {
        aclUsers: true,
        errorstats: true,
        replicaAnnounced: true,
        sentinelConfig: true,
        sentinelReplicas: true,
      },
    ],
    [
      'redis',
      '7.0.15',
      {
        aclUsers: true,
        errorstats: true,
        replicaAnnounced: true,
        sentinelConfig: true,
        sentinelReplicas: true,
      },
    ],
    [
      'valkey',
      '8.0.1',
      {
        aclUsers: true,
        errorstats: true,
        replicaAnnounced: true,
        sentinelConfig: true,
        sentinelReplicas: true,
      },
    ],
  ])('knows what %s %s has', (flavour, version, expected) => {
    const has = Object.fromEntries(
      Object.entries(CAPABILITIES).map(([key, cap]) => [key, supports({ flavour, version }, cap)]),
    );
    expect(has).toEqual(expected);
  });

  it('does not guess for an unknown release', () => {
    expect(supports(null, CAPABILITIES.errorstats)).toBeNull();
  });

  it('lists the capabilities in the order the versions gained them', () => {
    expect(capabilityList().map((c) => c.since)).toEqual(['5.0.0', '6.0.0', '6.2.0', '6.2.0', '6.2.0']);
  });
});

describe('Function: capabilityGaps', () => {
  it('lists a check that servers of an older version cannot answer, grouped by reason', () => {
    // Prepare
    const s = healthySnapshot();
    for (const n of s.nodes) n.server!.version = '5.0.14';
    node(s, 2).server!.version = '6.0.20';

    // Act
    const unavailable = capabilityGaps(s, [{ capability: CAPABILITIES.errorstats, on: 'node' }]);

    // Assess
    expect(unavailable).toEqual([
      {
        check: 'errorstats',
        reason:
          'error counts per error type (INFO errorstats): redis 5.0.14 does not have it (added in Redis 6.2); on node 10.0.1.61:6379, node 10.0.1.62:6379',
      },
      {
        check: 'errorstats',
        reason:
          'error counts per error type (INFO errorstats): redis 6.0.20 does not have it (added in Redis 6.2); on node 10.0.1.63:6379',
      },
    ]);
  });

  it("says so from the server's own refusal when its version could not be read", () => {
    // Prepare: Redis 5 refuses AUTH <username> <password> before anything else can be read.
    const s = healthySnapshot();
    fail(sentinelAt(s, 0), 'auth-rejected');
    sentinelAt(s, 0).error!.message = "ERR wrong number of arguments for 'auth' command";

    // Act
    const unavailable = capabilityGaps(s, probeNeeds({ sentinelUsername: 'watcher' }));

    // Assess
    expect(unavailable).toEqual([
      {
        check: 'acl-users',
        reason: `ACL users (AUTH <username> <password>): refused as by a server older than Redis 6.0 ("ERR wrong number of arguments for 'auth' command"); on sentinel 10.0.1.61:26379`,
      },
    ]);
  });

  it('is empty when every server has what the checks need, or nothing is needed', () => {
    const s = healthySnapshot();
    expect(capabilityGaps(s, probeNeeds({ username: 'watcher', sentinelUsername: 'watcher' }))).toEqual([]);
    expect(probeNeeds({})).toEqual([]);
  });
});

describe('the recorded replies that differ between versions (test/fixtures/*/version-differences.json)', () => {
  const recorded = (dir: string): Record<string, { reply?: unknown; error?: string }> =>
    JSON.parse(readFileSync(join(__dirname, '../../fixtures', dir, 'version-differences.json'), 'utf8'));
  const redis5 = recorded('redis5');
  const valkey8 = recorded('valkey8');
  const error = (message: string | undefined): ProbeError => ({
    class: 'command-failed',
    message: message ?? '',
  });

  it("match each capability's refusal on the real 5.0.14, and never on Valkey 8", () => {
    expect(
      refuses(error(redis5['AUTH <username> <password> (ACL users)'].error), CAPABILITIES.aclUsers),
    ).toBe(true);
    expect(
      refuses(error(valkey8['AUTH <username> <password> (ACL users)'].error), CAPABILITIES.aclUsers),
    ).toBe(false);
    expect(
      refuses(error(redis5['SENTINEL CONFIG GET resolve-hostnames'].error), CAPABILITIES.sentinelConfig),
    ).toBe(true);
    expect(valkey8['SENTINEL CONFIG GET resolve-hostnames'].reply).toEqual(['resolve-hostnames', 'no']);
    expect(redis5['INFO errorstats'].reply).toBe('');
    expect(valkey8['INFO errorstats'].reply).toMatch(/^# Errorstats\r\nerrorstat_/);
  });

  it('are classified as the probe reports them', () => {
    for (const r of [redis5, valkey8]) {
      expect(
        classifyError({ message: r['AUTH <password> to a server without requirepass (a sentinel)'].error! }),
      ).toBe('auth-not-configured');
      expect(classifyError({ message: r['AUTH <wrong password>'].error! })).toBe('auth-rejected');
      expect(classifyError({ message: r['AUTH <username> <password> (ACL users)'].error! })).toBe(
        'auth-rejected',
      );
      expect(classifyError({ message: r['SENTINEL REPLICAS'].error! })).toBe('unknown-master');
    }
    expect(classifyError({ message: redis5['SENTINEL CONFIG GET resolve-hostnames'].error! })).toBe(
      'unsupported-command',
    );
  });
});
