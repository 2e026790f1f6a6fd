import { emptyDetectionState } from '../../../../lambdas/core/detect';
import {
  healthySnapshot,
  NOW,
  run,
  sentinelAt,
  trustedDrill,
  withCode,
} from '../../helpers/snapshot-factory';

function failoverRunning() {
  const current = healthySnapshot();
  const leader = sentinelAt(current, 1);
  leader.master!.flags = ['o_down', 'master', 'failover_in_progress'];
  leader.master!.failoverState = 'select_slave';
  return current;
}

describe('Function: detect', () => {
  describe('Code: FAILOVER_IN_PROGRESS', () => {
    it('is a warning naming the leading sentinel and its state, and remembers when it was first seen', () => {
      // Act
      const result = run(failoverRunning());
      const found = withCode(result, 'FAILOVER_IN_PROGRESS');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        subject: 'deployment',
        details: {
          sentinels: ['10.0.1.62:26379'],
          states: ['select_slave'],
          elapsedMs: 0,
          failoverTimeoutMs: 60_000,
          stuck: false,
        },
      });
      expect(found[0].message).toContain('led by 10.0.1.62:26379 (select_slave)');
      expect(result.state.failoverSince).toBe(NOW);
    });

    it('is critical once the failover has run longer than failover-timeout', () => {
      // Prepare
      const state = { ...emptyDetectionState(), failoverSince: NOW - 61_000 };

      // Act
      const [found] = withCode(run(failoverRunning(), { state }), 'FAILOVER_IN_PROGRESS');

      // Assess
      expect(found.severity).toBe('critical');
      expect(found.details).toMatchObject({ elapsedMs: 61_000, stuck: true });
      expect(found.message).toContain('longer than failover-timeout (60 s)');
      expect(found.message).toContain('replica-priority');
    });

    it('uses Sentinel default failover-timeout (3 min) when no sentinel reports one', () => {
      // Prepare
      const current = failoverRunning();
      for (const s of current.sentinels) s.master!.failoverTimeoutMs = null;
      const state = { ...emptyDetectionState(), failoverSince: NOW - 2 * 60_000 };

      // Act
      const [found] = withCode(run(current, { state }), 'FAILOVER_IN_PROGRESS');

      // Assess
      expect(found.severity).toBe('warning');
      expect(found.details).toMatchObject({ failoverTimeoutMs: 180_000 });
    });

    it('is info during a drill unless it is stuck', () => {
      // Prepare
      const drill = trustedDrill('drill-1', NOW - 5000);
      const stuckState = { ...emptyDetectionState(), failoverSince: NOW - 120_000 };

      // Act
      const [planned] = withCode(run(failoverRunning(), { drill }), 'FAILOVER_IN_PROGRESS');
      const [stuck] = withCode(run(failoverRunning(), { drill, state: stuckState }), 'FAILOVER_IN_PROGRESS');

      // Assess
      expect(planned.severity).toBe('info');
      expect(planned.message).toContain('for drill drill-1');
      expect(stuck.severity).toBe('critical');
    });

    it('is not raised, and forgets the start time, when no sentinel reports a failover', () => {
      // Prepare
      const state = { ...emptyDetectionState(), failoverSince: NOW - 10_000 };

      // Act
      const result = run(healthySnapshot(), { state });

      // Assess
      expect(withCode(result, 'FAILOVER_IN_PROGRESS')).toEqual([]);
      expect(result.state.failoverSince).toBeNull();
    });
  });
});
