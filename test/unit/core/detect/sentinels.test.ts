import {
  announceWrongAddress,
  codesOf,
  fail,
  healthySnapshot,
  listedByOneAddress,
  recount,
  run,
  SENTINELS,
  sentinelAt,
  staleSentinelEntry,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: SENTINEL_UNREACHABLE', () => {
    it('is a warning naming the sentinel that does not answer', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 2), 'refused');
      recount(current);

      // Act
      const found = withCode(run(current), 'SENTINEL_UNREACHABLE');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'warning', subject: 'sentinel 10.0.1.63:26379' });
      expect(found[0].message).toContain('nothing listens on the port');
      expect(found[0].message).not.toContain('stale entry');
    });

    it('suggests SENTINEL RESET for a sentinel only its peers still list', () => {
      // Prepare: a fourth sentinel address known to the others only (a replaced host)
      const current = healthySnapshot();
      current.sentinels.push({
        ...JSON.parse(JSON.stringify(sentinelAt(current, 0))),
        host: '10.0.1.99',
        discoveredBy: ['sentinel'],
      });
      fail(current.sentinels[3], 'timeout');

      // Act
      const [found] = withCode(run(current), 'SENTINEL_UNREACHABLE');

      // Assess
      expect(found.subject).toBe('sentinel 10.0.1.99:26379');
      expect(found.message).toContain('stale entry');
      expect(found.message).toContain('SENTINEL RESET mymaster');
    });

    it('is not raised for a sentinel that answers, or that only rejects the password', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 1), 'auth-rejected');
      recount(current);

      // Act
      const result = run(current);

      // Assess
      expect(withCode(result, 'SENTINEL_UNREACHABLE')).toEqual([]);
      expect(withCode(result, 'AUTH_FAILED').map((f) => f.subject)).toEqual(['sentinel 10.0.1.62:26379']);
    });
  });

  describe('Code: SENTINEL_COUNT_MISMATCH', () => {
    it('suggests SENTINEL RESET one at a time when a sentinel keeps a stale peer (4 known, 3 expected)', () => {
      // Prepare
      const current = healthySnapshot();
      const s = sentinelAt(current, 0);
      s.master!.numOtherSentinels = 3;
      s.sentinels.push({
        host: '10.0.1.99',
        port: 26379,
        runId: 'old',
        flags: ['s_down', 'sentinel'],
        lastHelloMessageMs: 900_000,
      });

      // Act
      const found = withCode(run(current), 'SENTINEL_COUNT_MISMATCH');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        subject: 'sentinel 10.0.1.61:26379',
        details: { known: 4, expected: 3 },
      });
      expect(found[0].message).toContain('10.0.1.99:26379 (down)');
      expect(found[0].message).toContain('stale entries');
      expect(found[0].message).toContain('SENTINEL RESET mymaster on one sentinel at a time');
    });

    it('explains missing hello messages when a sentinel knows fewer peers', () => {
      // Prepare
      const current = healthySnapshot();
      const s = sentinelAt(current, 1);
      s.master!.numOtherSentinels = 1;
      s.sentinels = s.sentinels.slice(0, 1);

      // Act
      const [found] = withCode(run(current), 'SENTINEL_COUNT_MISMATCH');

      // Assess
      expect(found.details).toMatchObject({ known: 2, expected: 3 });
      expect(found.message).toContain('__sentinel__:hello');
    });

    it('is not raised when each sentinel knows the expected number, nor judged on a sentinel in TILT', () => {
      // Prepare
      const tilted = healthySnapshot();
      sentinelAt(tilted, 0).master!.numOtherSentinels = 7;
      sentinelAt(tilted, 0).tilt = true;

      // Act
      const healthy = withCode(run(healthySnapshot()), 'SENTINEL_COUNT_MISMATCH');
      const inTilt = withCode(run(tilted), 'SENTINEL_COUNT_MISMATCH');

      // Assess
      expect(healthy).toEqual([]);
      expect(inTilt).toEqual([]);
    });
  });

  describe('Code: SENTINEL_TILT', () => {
    it('is a warning for a sentinel in TILT mode', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelAt(current, 1).tilt = true;

      // Act
      const found = withCode(run(current), 'SENTINEL_TILT');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'warning', subject: `sentinel ${SENTINELS[1].host}:26379` });
      expect(found[0].message).toContain('TILT');
      expect(found[0].message).toContain('NTP');
    });

    it('is not raised when TILT is off or unknown', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelAt(current, 1).tilt = null;

      // Act
      const found = withCode(run(current), 'SENTINEL_TILT');

      // Assess
      expect(found).toEqual([]);
    });
  });

  describe('Code: SENTINEL_COUNT_MISMATCH (expected count from the sentinels)', () => {
    it('raises nothing when the watcher lists one sentinel address (before: 3 mismatches, "1 expected")', () => {
      // Prepare: one address configured; expectedSentinels is left to what the sentinels report
      const current = listedByOneAddress(healthySnapshot());

      // Act
      const result = run(current, { settings: { expectedSentinels: null } });

      // Assess
      expect(result.findings).toEqual([]);
    });

    it('takes the most any sentinel knows, and says so, when one knows fewer', () => {
      // Prepare
      const current = healthySnapshot();
      const s = sentinelAt(current, 1);
      s.master!.numOtherSentinels = 1;
      s.sentinels = s.sentinels.slice(0, 1);

      // Act
      const derived = withCode(
        run(current, { settings: { expectedSentinels: null } }),
        'SENTINEL_COUNT_MISMATCH',
      );
      const configured = withCode(run(current), 'SENTINEL_COUNT_MISMATCH');

      // Assess
      expect(derived).toHaveLength(1);
      expect(derived[0].details).toMatchObject({ known: 2, expected: 3, expectedFrom: 'sentinels' });
      expect(derived[0].message).toContain(
        '(3 is the most any sentinel knows; set expectedSentinels to state it.)',
      );
      expect(configured[0].details).toMatchObject({ expectedFrom: 'config' });
      expect(configured[0].message).toContain('If 3 is wrong, change expectedSentinels.');
    });
  });

  describe('Code: SENTINEL_UNREACHABLE (stale entries and wrong announcements)', () => {
    it('is raised for a stale peer entry whose run id no sentinel answers with', () => {
      // Prepare: the peers list a replaced sentinel (old run id) at 10.0.1.99
      const current = healthySnapshot();
      staleSentinelEntry(current, '10.0.1.99', true);

      // Act
      const result = run(current, { settings: { expectedSentinels: null } });

      // Assess
      expect(codesOf(result)).toEqual(['SENTINEL_UNREACHABLE']);
      expect(result.findings[0].message).toContain('stale entry');
      expect(result.findings[0].message).toContain('SENTINEL RESET mymaster');
    });

    it('is not raised for the address a live sentinel announces by mistake (CONFIG_RISK names that one)', () => {
      // Prepare
      const current = healthySnapshot();
      announceWrongAddress(current, 1, { host: '10.0.1.62', port: 26999 });

      // Act
      const result = run(current);

      // Assess
      expect(withCode(result, 'SENTINEL_UNREACHABLE')).toEqual([]);
      expect(withCode(result, 'CONFIG_RISK').map((f) => f.subject)).toEqual(['sentinel 10.0.1.62:26379']);
    });
  });
});
