import {
  fail,
  healthySnapshot,
  MINUTE,
  NOW,
  node,
  run,
  sentinelAt,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: NODE_RESTARTED', () => {
    it('is a warning when a replica run id changed since the previous snapshot', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot();
      node(current, 1).server!.runId = 'new-run-id';
      node(current, 1).server!.uptimeSeconds = 12;

      // Act
      const found = withCode(run(current, { previous }), 'NODE_RESTARTED');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        subject: 'node 10.0.1.62:6379',
        details: {
          previousRunId: 'run-10.0.1.62:6379',
          runId: 'new-run-id',
          uptimeSeconds: 12,
          role: 'replica',
        },
      });
      expect(found[0].message).toContain('restarted 12 s ago');
    });

    it('uses the uptime when run ids are unknown', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot();
      for (const s of [previous, current]) node(s, 2).server!.runId = null;
      node(current, 2).server!.uptimeSeconds = 30;

      // Act
      const found = withCode(run(current, { previous }), 'NODE_RESTARTED');

      // Assess
      expect(found.map((f) => f.subject)).toEqual(['node 10.0.1.63:6379']);
    });

    it('is critical when the master restarted without a failover (it may have come back empty)', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot();
      node(current, 0).server!.runId = 'fresh';
      node(current, 0).server!.uptimeSeconds = 3;

      // Act
      const [found] = withCode(run(current, { previous }), 'NODE_RESTARTED');

      // Assess
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('without a failover');
      expect(found.message).toContain('came back empty');
    });

    it('still sees the restart after polls in which the node was down', () => {
      // Prepare: up, then down for a poll, then back with a new run id
      const s0 = healthySnapshot({ at: NOW - 2 * MINUTE });
      const s1 = healthySnapshot({ at: NOW - MINUTE });
      fail(node(s1, 2), 'refused');
      const s2 = healthySnapshot();
      node(s2, 2).server!.runId = 'after-crash';
      const r0 = run(s0);
      const r1 = run(s1, { previous: s0, state: r0.state });

      // Act
      const r2 = run(s2, { previous: s1, state: r1.state });

      // Assess
      expect(withCode(r1, 'NODE_RESTARTED')).toEqual([]);
      expect(withCode(r2, 'NODE_RESTARTED').map((f) => f.subject)).toEqual(['node 10.0.1.63:6379']);
    });

    it('is info for a sentinel whose run id changed', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot();
      sentinelAt(current, 2).runId = 'sentinel-new';

      // Act
      const found = withCode(run(current, { previous }), 'NODE_RESTARTED');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'info', subject: 'sentinel 10.0.1.63:26379' });
    });

    it('is not raised when run ids are the same and uptime grew, nor on the first poll', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot();
      for (const n of current.nodes) n.server!.uptimeSeconds = 86_460;

      // Act
      const steady = withCode(run(current, { previous }), 'NODE_RESTARTED');
      const first = withCode(run(current), 'NODE_RESTARTED');

      // Assess
      expect(steady).toEqual([]);
      expect(first).toEqual([]);
    });
  });
});
