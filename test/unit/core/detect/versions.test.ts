import { DEFAULT_MAX_VERSION_MIX_MS } from '../../../../lambdas/core/detect/versions';
import {
  healthySnapshot,
  MINUTE,
  type MutableSnapshot,
  NOW,
  node,
  run,
  sentinelAt,
  withCode,
} from '../../helpers/snapshot-factory';

const HOUR = 60 * MINUTE;

/** Every data node on `flavour version`; `uptimeSeconds` as given (default a month). */
function nodesOn(snapshot: MutableSnapshot, flavour: string, version: string, uptimeSeconds = 30 * 86_400) {
  for (const n of snapshot.nodes) Object.assign(n.server!, { flavour, version, uptimeSeconds });
  return snapshot;
}

function sentinelsOn(snapshot: MutableSnapshot, flavour: string, version: string) {
  for (const s of snapshot.sentinels) Object.assign(s, { flavour, version });
  return snapshot;
}

describe('Function: detect', () => {
  describe('Code: CONFIG_RISK (server versions)', () => {
    it('is silent when every server runs one release, Valkey included', () => {
      // Prepare
      const current = sentinelsOn(nodesOn(healthySnapshot(), 'valkey', '8.0.1'), 'valkey', '8.0.1');

      // Act
      const result = run(current);

      // Assess
      expect(withCode(result, 'CONFIG_RISK')).toEqual([]);
      expect(result.state.versionMixSince).toBeNull();
    });

    it('flags a sentinel older than the data nodes it watches, naming both releases', () => {
      // Prepare
      const current = sentinelsOn(nodesOn(healthySnapshot(), 'redis', '7.2.6'), 'redis', '7.2.6');
      Object.assign(sentinelAt(current, 1), { flavour: 'redis', version: '5.0.14' });

      // Act
      const found = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        subject: 'sentinel 10.0.1.62:26379',
        details: {
          risks: [{ risk: 'sentinel-older-than-nodes', sentinel: 'redis 5.0.14', newestNode: 'redis 7.2.6' }],
        },
      });
      expect(found[0].message).toContain(
        'runs redis 5.0.14, older than the data nodes it watches (redis 7.2.6 on',
      );
      expect(found[0].message).toContain('Upgrade the sentinels first');
    });

    it.each([
      ['a newer patch release on the nodes', 'redis', '7.2.4', 'redis', '7.2.6'],
      ['a sentinel newer than its nodes (upgraded first)', 'redis', '7.2.6', 'redis', '6.2.16'],
      [
        'a Redis 7.2 sentinel watching Valkey 8 nodes (Valkey has the features of 7.2.4)',
        'redis',
        '7.2.6',
        'valkey',
        '8.0.1',
      ],
    ])('does not flag %s', (_what, sFlavour, sVersion, nFlavour, nVersion) => {
      // Prepare
      const current = sentinelsOn(nodesOn(healthySnapshot(), nFlavour, nVersion), sFlavour, sVersion);

      // Act
      const found = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found).toEqual([]);
    });

    it('remembers a rolling upgrade in progress without flagging it, then flags it once it outlasts the limit', () => {
      // Prepare: a replica upgraded to 7.2.6 ten minutes ago; the rest still on 6.2.16.
      const first = sentinelsOn(nodesOn(healthySnapshot(), 'redis', '6.2.16'), 'redis', '7.2.6');
      Object.assign(node(first, 2).server!, { version: '7.2.6', uptimeSeconds: 600 });
      const later = sentinelsOn(
        nodesOn(healthySnapshot({ at: NOW + 25 * HOUR }), 'redis', '6.2.16'),
        'redis',
        '7.2.6',
      );
      Object.assign(node(later, 2).server!, { version: '7.2.6', uptimeSeconds: 600 + 25 * 3600 });

      // Act
      const during = run(first);
      const after = run(later, { previous: first, state: during.state });

      // Assess
      expect(withCode(during, 'CONFIG_RISK')).toEqual([]);
      expect(during.state.versionMixSince).toBe(NOW - 600_000);
      const found = withCode(after, 'CONFIG_RISK');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        subject: 'deployment',
        details: {
          risks: [
            {
              risk: 'mixed-major-versions',
              since: new Date(NOW - 600_000).toISOString(),
              releases: [
                { server: 'redis 6.2.16', nodes: ['10.0.1.61:6379', '10.0.1.62:6379'] },
                { server: 'redis 7.2.6', nodes: ['10.0.1.63:6379'] },
              ],
            },
          ],
        },
      });
      expect(found[0].message).toContain('different major versions for 25 h 10 min');
    });

    it('sees an upgrade left half-done from the uptimes alone, with no memory (sentinel-watch check)', () => {
      // Prepare: one node moved from Redis 7 to Valkey 8 three days ago.
      const current = sentinelsOn(nodesOn(healthySnapshot(), 'redis', '7.2.6'), 'valkey', '8.0.1');
      Object.assign(node(current, 1).server!, {
        flavour: 'valkey',
        version: '8.0.1',
        uptimeSeconds: 3 * 86_400,
      });

      // Act
      const found = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found.map((f) => f.details?.risks)).toEqual([
        [
          expect.objectContaining({
            risk: 'mixed-major-versions',
            since: new Date(NOW - 3 * 86_400_000).toISOString(),
          }),
        ],
      ]);
    });

    it('uses maxVersionMixMs, and forgets the mix once the upgrade is finished', () => {
      // Prepare
      const mixed = sentinelsOn(nodesOn(healthySnapshot(), 'redis', '6.2.16'), 'redis', '7.2.6');
      node(mixed, 0).server!.version = '7.2.6';
      node(mixed, 0).server!.uptimeSeconds = 5;
      const done = sentinelsOn(
        nodesOn(healthySnapshot({ at: NOW + MINUTE }), 'redis', '7.2.6', 60),
        'redis',
        '7.2.6',
      );

      // Act
      const flagged = run(mixed, { settings: { maxVersionMixMs: 2000 } });
      const finished = run(done, {
        previous: mixed,
        state: flagged.state,
        settings: { maxVersionMixMs: 2000 },
      });

      // Assess
      expect(withCode(flagged, 'CONFIG_RISK').map((f) => f.subject)).toEqual(['deployment']);
      expect(withCode(finished, 'CONFIG_RISK')).toEqual([]);
      expect(finished.state.versionMixSince).toBeNull();
      expect(DEFAULT_MAX_VERSION_MIX_MS).toBe(24 * HOUR);
    });

    it('keeps the start of a mix across a poll in which the odd node could not be read', () => {
      // Prepare
      const state = { ...run(healthySnapshot()).state, versionMixSince: NOW - 2 * HOUR };
      const current = sentinelsOn(nodesOn(healthySnapshot(), 'redis', '6.2.16'), 'redis', '7.2.6');
      node(current, 2).reachable = false;
      node(current, 2).server = null;
      node(current, 2).replication = null;
      node(current, 2).role = null;

      // Act
      const result = run(current, { state });

      // Assess
      expect(result.state.versionMixSince).toBe(NOW - 2 * HOUR);
    });

    it('appends a version risk to the CONFIG_RISK config-risk.ts reports for the same subject', () => {
      // Prepare: quorum 1 (a deployment risk) and a mix left for two days.
      const current = sentinelsOn(nodesOn(healthySnapshot(), 'redis', '6.2.16'), 'redis', '7.2.6');
      Object.assign(node(current, 2).server!, { version: '7.2.6', uptimeSeconds: 2 * 86_400 });
      for (const s of current.sentinels) s.master!.quorum = 1;

      // Act
      const found = withCode(run(current), 'CONFIG_RISK').filter((f) => f.subject === 'deployment');

      // Assess
      expect(found).toHaveLength(1);
      expect((found[0].details!.risks as { risk: string }[]).map((r) => r.risk)).toEqual([
        'quorum-below-majority',
        'mixed-major-versions',
      ]);
      expect(found[0].message).toContain('Also: The data nodes have run different major versions');
    });
  });
});
