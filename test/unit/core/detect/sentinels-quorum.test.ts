import {
  codesOf,
  DATA,
  fail,
  flagDown,
  healthySnapshot,
  recount,
  run,
  sentinelAt,
  trustedDrill,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: NO_QUORUM', () => {
    it('is critical when two of three sentinels are down', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 1), 'refused');
      fail(sentinelAt(current, 2), 'refused');
      recount(current);

      // Act
      const result = run(current);
      const found = withCode(result, 'NO_QUORUM');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'critical',
        subject: 'deployment',
        details: { usableSentinels: 1, knownSentinels: 3, quorum: 2, needed: 2 },
      });
      expect(found[0].message).toContain('only 1 of 3 sentinels answer');
      expect(withCode(result, 'SENTINEL_UNREACHABLE')).toHaveLength(2);
    });

    it('is critical when every sentinel answers NOQUORUM to CKQUORUM', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) {
        s.ckquorum = {
          ok: false,
          message: 'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority',
          usableSentinels: 1,
        };
      }

      // Act
      const [found] = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found.message).toContain('sentinel 10.0.1.61:26379 says "NOQUORUM 1 usable Sentinels');
      expect(found.details).toMatchObject({ ckquorumFailing: [{ sentinel: '10.0.1.61:26379' }, {}, {}] });
    });

    it('is not raised when one sentinel fails CKQUORUM but another passes: that one can lead a failover', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelAt(current, 0).ckquorum = {
        ok: false,
        message: 'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority',
        usableSentinels: 1,
      };

      // Act
      const found = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found).toEqual([]);
    });

    it('is critical when no sentinel answers at all', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) fail(s, 'timeout');
      recount(current);

      // Act
      const found = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0].details).toMatchObject({ usableSentinels: 0 });
    });

    it('is not raised with one sentinel down out of three', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 2), 'refused');
      recount(current);

      // Act
      const found = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised when the watcher only has the wrong sentinel password (AUTH_FAILED says so)', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) fail(s, 'auth-rejected');
      recount(current);

      // Act
      const codes = run(current).findings.map((f) => f.code);

      // Assess
      expect(codes).not.toContain('NO_QUORUM');
      // One cause (the watcher's sentinel secret), one finding for all three sentinels.
      expect(codes).toEqual(['AUTH_FAILED']);
    });

    it('says the quorum is too high, not "bring the stopped sentinels back", when every sentinel answers', () => {
      // Prepare: three healthy sentinels, quorum 4
      const current = healthySnapshot();
      for (const s of current.sentinels) {
        s.master!.quorum = 4;
        s.ckquorum = {
          ok: false,
          message:
            'NOQUORUM 3 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master',
          usableSentinels: null,
        };
      }

      // Act
      const [found] = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('the quorum is 4 but the sentinels know only 3 sentinels');
      expect(found.message).toContain('SENTINEL SET mymaster quorum 2');
      expect(found.message).not.toContain('bring the stopped sentinels back');
      expect(found.message).not.toContain('only 3 of 3 sentinels answer');
      expect(found.details).toMatchObject({ cause: 'quorum-too-high', usableSentinels: 3 });
    });
  });

  describe('Code: SENTINELS_DISAGREE', () => {
    it('is critical, listing who names whom, when sentinels name different masters', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelAt(current, 2).masterAddress = { ...DATA[1] };
      recount(current);

      // Act
      const found = withCode(run(current), 'SENTINELS_DISAGREE');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0].severity).toBe('critical');
      expect(found[0].message).toContain(
        '10.0.1.61:6379 (by 10.0.1.61:26379, 10.0.1.62:26379) vs 10.0.1.62:6379 (by 10.0.1.63:26379)',
      );
      expect(found[0].message).toContain('split brain');
    });

    it('is only a warning while a failover runs', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelAt(current, 2).masterAddress = { ...DATA[1] };
      sentinelAt(current, 0).master!.failoverState = 'reconf_slaves';
      recount(current);

      // Act
      const [found] = withCode(run(current), 'SENTINELS_DISAGREE');

      // Assess
      expect(found.severity).toBe('warning');
    });

    it('is info during a drill', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelAt(current, 2).masterAddress = { ...DATA[1] };
      recount(current);

      // Act
      const [found] = withCode(run(current, { drill: trustedDrill('d9', 0) }), 'SENTINELS_DISAGREE');

      // Assess
      expect(found.severity).toBe('info');
      expect(found.message).toContain('Expected while drill d9 runs');
      expect(found.details).toMatchObject({ severityOutsideDrill: 'critical' });
    });

    it('is not raised when every answering sentinel names the same master', () => {
      // Act
      const found = withCode(run(healthySnapshot()), 'SENTINELS_DISAGREE');

      // Assess
      expect(found).toEqual([]);
    });
  });

  describe('Code: NO_QUORUM (the cause decides the fix)', () => {
    const noQuorum =
      'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover';

    it('tells to bring the stopped sentinels back when they are down', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 1), 'refused');
      fail(sentinelAt(current, 2), 'refused');
      recount(current);

      // Act
      const [found] = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found.message).toContain('Fix: bring the stopped sentinels back (see SENTINEL_UNREACHABLE)');
      expect(found.details).toMatchObject({ cause: 'sentinels-down' });
    });

    it('says the sentinels cannot authenticate to each other when every one answers the watcher', () => {
      // Prepare: sentinel-pass wrong: each flags its peers down, and CKQUORUM fails everywhere
      const current = healthySnapshot();
      for (const s of current.sentinels) {
        for (const p of s.sentinels) flagDown(p, 'errors');
        s.ckquorum = { ok: false, message: noQuorum, usableSentinels: null };
      }

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['NO_QUORUM', 'SENTINEL_SEES_DOWN']);
      const [found] = withCode(result, 'NO_QUORUM');
      expect(found.message).toContain('the sentinels answer the watcher but flag each other down');
      expect(found.message).toContain('they cannot authenticate to each other (sentinel-user/sentinel-pass');
      expect(found.message).not.toContain('bring the stopped sentinels back');
      expect(found.details).toMatchObject({ cause: 'sentinels-cannot-use-each-other', usableSentinels: 3 });
    });

    it('says they cannot reach each other when they get no reply from their peers', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) {
        for (const p of s.sentinels) flagDown(p, 'nothing');
        s.ckquorum = { ok: false, message: noQuorum, usableSentinels: null };
      }

      // Act
      const [found] = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found.message).toContain('they cannot reach each other (network, announce-ip/announce-port)');
    });

    it('points at reachability and sentinel auth when CKQUORUM fails and the flags do not say why', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) s.ckquorum = { ok: false, message: noQuorum, usableSentinels: null };

      // Act
      const [found] = withCode(run(current), 'NO_QUORUM');

      // Assess
      expect(found.message).toContain('check that the sentinels can reach and authenticate to each other');
      expect(found.message).not.toContain('bring the stopped sentinels back');
    });
  });
});
