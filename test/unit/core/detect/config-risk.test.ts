import {
  announceWrongAddress,
  codesOf,
  fail,
  healthySnapshot,
  node,
  recount,
  run,
  sentinelAt,
  staleSentinelEntry,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: CONFIG_RISK', () => {
    it('flags down-after-milliseconds below the minimum, naming each sentinel', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) s.master!.downAfterMs = 1000;

      // Act
      const found = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'warning', subject: 'deployment' });
      expect(found[0].message).toContain('below 1500 ms on 10.0.1.61:26379: 1000 ms');
      expect(found[0].message).toContain('SENTINEL SET mymaster down-after-milliseconds 5000');
      expect(found[0].details).toMatchObject({
        risks: [{ risk: 'down-after-too-low', minDownAfterMs: 1500 }],
      });
    });

    it('accepts the 1500 ms the local topology uses, and follows the configured minimum', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) s.master!.downAfterMs = 1500;

      // Act
      const byDefault = withCode(run(current), 'CONFIG_RISK');
      const stricter = withCode(run(current, { settings: { minDownAfterMs: 5000 } }), 'CONFIG_RISK');

      // Assess
      expect(byDefault).toEqual([]);
      expect(stricter).toHaveLength(1);
    });

    it('flags a quorum larger than the number of sentinels on the sentinels that have it', () => {
      // Prepare: one sentinel too high; the others can still agree, so a failover is possible
      const current = healthySnapshot();
      sentinelAt(current, 0).master!.quorum = 4;
      sentinelAt(current, 0).master!.numOtherSentinels = 1;
      for (const s of current.sentinels.slice(1)) s.master!.numOtherSentinels = 1;
      const { findings } = run(current, { settings: { expectedSentinels: 3 } });

      // Act
      const [found] = findings.filter((f) => f.code === 'CONFIG_RISK');

      // Assess
      expect(found.details).toMatchObject({ risks: [{ risk: 'quorum-too-high', quorum: 4, sentinels: 3 }] });
      expect(found.message).toContain('never agree the master is down');
      expect(found.message).toContain('SENTINEL SET mymaster quorum 2');
    });

    it('leaves a quorum above every sentinel to NO_QUORUM, which gives the same fix (one finding)', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) s.master!.quorum = 4;

      // Act
      const { findings } = run(current);

      // Assess
      expect(findings.map((f) => f.code)).toEqual(['NO_QUORUM']);
      expect(findings[0].message).toContain('SENTINEL SET mymaster quorum 2');
    });

    it('flags a quorum smaller than the majority', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelAt(current, 0).master!.quorum = 1;

      // Act
      const [found] = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found.details).toMatchObject({ risks: [{ risk: 'quorum-below-majority', quorum: 1 }] });
      expect(found.message).toContain('on 10.0.1.61:26379,');
    });

    it('lists several deployment risks in one finding', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) {
        s.master!.downAfterMs = 500;
        s.master!.quorum = 1;
      }

      // Act
      const found = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0].details).toMatchObject({
        risks: [{ risk: 'down-after-too-low' }, { risk: 'quorum-below-majority', quorum: 1 }],
      });
      expect(found[0].message).toContain('(1) down-after-milliseconds');
      expect(found[0].message).toContain('(2) quorum is 1');
    });

    it('leaves replicas that cannot be promoted to NO_FAILOVER_TARGET', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 1).replication!.replicaPriority = 0;
      node(current, 2).replication!.replicaPriority = 0;

      // Act
      const result = run(current);

      // Assess
      expect(withCode(result, 'CONFIG_RISK')).toEqual([]);
      expect(withCode(result, 'NO_FAILOVER_TARGET')).toHaveLength(1);
    });

    it('flags a node with requirepass but no masterauth (a demoted master could not sync back)', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 0).config!.masterauth = 'unset';

      // Act
      const found = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        subject: 'node 10.0.1.61:6379',
        details: { risks: [{ risk: 'masterauth-missing' }] },
      });
      expect(found[0].message).toContain('masterauth is not set although requirepass is');
    });

    it('without requirepass in CONFIG, flags masterauth missing only when the other nodes have it', () => {
      // Prepare
      const inconsistent = healthySnapshot();
      for (const n of inconsistent.nodes) delete n.config!.requirepass;
      node(inconsistent, 2).config!.masterauth = 'unset';
      const noneSet = healthySnapshot();
      for (const n of noneSet.nodes) {
        delete n.config!.requirepass;
        n.config!.masterauth = 'unset';
      }

      // Act
      const flagged = withCode(run(inconsistent), 'CONFIG_RISK');
      const quiet = withCode(run(noneSet), 'CONFIG_RISK');

      // Assess
      expect(flagged.map((f) => f.subject)).toEqual(['node 10.0.1.63:6379']);
      expect(flagged[0].message).toContain('while the other nodes have it');
      expect(quiet).toEqual([]);
    });

    it('flags min-replicas-to-write as high as the expected replicas', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 0).config!['min-replicas-to-write'] = '2';

      // Act
      const [found] = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found.subject).toBe('node 10.0.1.61:6379');
      expect(found.details).toMatchObject({
        risks: [{ risk: 'min-replicas-too-high', minReplicasToWrite: 2, expectedReplicas: 2 }],
      });
      expect(found.message).toContain('as soon as one replica is down');
    });

    it('flags a sentinel that does not monitor the master name', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 2), 'unknown-master');
      recount(current);

      // Act
      const result = run(current);
      const found = withCode(result, 'CONFIG_RISK');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        subject: 'sentinel 10.0.1.63:26379',
        details: { risks: [{ risk: 'sentinel-not-monitoring' }] },
      });
      expect(withCode(result, 'SENTINEL_UNREACHABLE')).toEqual([]);
    });

    it('skips what CONFIG GET did not give (config null)', () => {
      // Prepare
      const current = healthySnapshot();
      for (const n of current.nodes) n.config = null;

      // Act
      const found = withCode(run(current), 'CONFIG_RISK');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised for a healthy configuration', () => {
      // Act
      const found = withCode(run(healthySnapshot()), 'CONFIG_RISK');

      // Assess
      expect(found).toEqual([]);
    });

    it('names a sentinel that announces a wrong address, not a dead one, and gives no reset or remove advice', () => {
      // Prepare: .63 announces 10.0.9.9; its peers list its run id there, where nothing answers
      const current = healthySnapshot();
      announceWrongAddress(current, 2, { host: '10.0.9.9', port: 26379 });

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['CONFIG_RISK']); // no SENTINEL_UNREACHABLE for the address it announces
      const [found] = result.findings;
      expect(found).toMatchObject({
        severity: 'warning',
        subject: 'sentinel 10.0.1.63:26379',
        details: { risks: [{ risk: 'announces-wrong-address', announcedAs: ['10.0.9.9:26379'] }] },
      });
      expect(found.message).toContain('it announces itself as 10.0.9.9:26379, where nothing answers');
      expect(found.message).toContain('Its announce-ip is 10.0.9.9');
      expect(found.message).toContain('SENTINEL CONFIG SET announce-ip');
      expect(found.message).toContain('Not a dead sentinel: do not remove it.');
      // SENTINEL RESET does not fix it (the peers would relearn the wrong address), and once the
      // address is right the peers replace the old entry by themselves (+sentinel-address-switch).
      expect(found.message).not.toContain('SENTINEL RESET');
      expect(found.message).not.toContain('SENTINEL REMOVE');
    });

    it('never advises a quorum below a majority of the sentinels', () => {
      // Prepare: every quorum from 1 to n + 2 on 1 to 9 sentinels (configured, or as the sentinels report)
      const advised: { n: number; quorum: number; advice: number }[] = [];
      for (let n = 1; n <= 9; n++) {
        for (let quorum = 1; quorum <= n + 2; quorum++) {
          const current = healthySnapshot();
          for (const s of current.sentinels) {
            s.master!.quorum = quorum;
            s.master!.numOtherSentinels = n - 1;
          }

          // Act
          const texts = [
            ...run(current, { settings: { expectedSentinels: n } }).findings,
            ...run(current, { settings: { expectedSentinels: null } }).findings,
          ].map((f) => f.message);

          for (const text of texts) {
            for (const m of text.matchAll(/quorum (\d+)(?: on each sentinel|\b)/g)) {
              if (/SENTINEL SET mymaster quorum/.test(text.slice(Math.max(0, m.index - 25), m.index + 10))) {
                advised.push({ n, quorum, advice: Number(m[1]) });
              }
            }
          }
        }
      }

      // Assess
      expect(advised.length).toBeGreaterThan(10);
      expect(advised.filter((a) => a.advice < Math.floor(a.n / 2) + 1)).toEqual([]);
    });

    it('does not advise raising the quorum because of a stale sentinel entry when the count is not configured', () => {
      // Prepare: three sentinels (quorum 2) still list a replaced one at 10.0.1.99, which is down
      const current = healthySnapshot();
      staleSentinelEntry(current, '10.0.1.99', false);

      // Act
      const found = withCode(run(current, { settings: { expectedSentinels: null } }), 'CONFIG_RISK');

      // Assess: quorum 3 on three live sentinels would block every failover while one of them is down
      expect(found.map((f) => f.message).join(' ')).not.toContain('quorum 3');
      expect(found).toEqual([]);
    });
  });
});
