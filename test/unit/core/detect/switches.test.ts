import { emptyDetectionState } from '../../../../lambdas/core/detect';
import {
  DATA,
  fail,
  healthySnapshot,
  MINUTE,
  masterPayload,
  NOW,
  node,
  run,
  sentinelEvent,
  trustedDrill,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: MASTER_CHANGED', () => {
    it('is critical with previous and current addresses when the consensus master moved', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });

      // Act
      const found = withCode(run(current, { previous }), 'MASTER_CHANGED');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'critical',
        subject: 'deployment',
        details: {
          previous: { host: '10.0.1.61', port: 6379 },
          current: { host: '10.0.1.62', port: 6379 },
          configEpoch: 2,
        },
      });
      expect(found[0].message).toContain('from 10.0.1.61:6379 to 10.0.1.62:6379');
      expect(found[0].message).toContain('10.0.1.61:6379 is already back as a replica');
    });

    it('says when the old master is still down', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      const old = node(current, 0);
      old.reachable = false;
      old.error = { class: 'refused', message: 'connect ECONNREFUSED' };
      old.replication = null;
      old.role = null;
      old.server = null;

      // Act
      const [found] = withCode(run(current, { previous }), 'MASTER_CHANGED');

      // Assess
      expect(found.message).toContain('10.0.1.61:6379 is still down');
    });

    it('compares with the last master in the state when the previous poll had no consensus', () => {
      // Prepare: the poll before had no master (every sentinel down), the one before that had .61
      const first = run(healthySnapshot({ at: NOW - 2 * MINUTE }));
      const blind = healthySnapshot({ at: NOW - MINUTE });
      blind.master = null;
      const current = healthySnapshot({ masterIndex: 2, configEpoch: 2 });

      // Act
      const found = withCode(run(current, { previous: blind, state: first.state }), 'MASTER_CHANGED');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0].details).toMatchObject({
        previous: { host: '10.0.1.61' },
        current: { host: '10.0.1.63' },
      });
    });

    it('is info and names the drill when the switch happens during a drill', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });

      // Act
      const [found] = withCode(
        run(current, { previous, drill: trustedDrill('drill-42', NOW - 30_000) }),
        'MASTER_CHANGED',
      );

      // Assess
      expect(found.severity).toBe('info');
      expect(found.message).toContain('during drill drill-42');
      expect(found.details).toMatchObject({ drillId: 'drill-42' });
    });

    it('still counts a drill that ended after the previous poll, but not one that ended before it', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      const recent = trustedDrill('d1', NOW - 50_000, DATA[0], { endedAt: NOW - 20_000 });
      const old = trustedDrill('d0', NOW - 10 * MINUTE, DATA[0], { endedAt: NOW - 9 * MINUTE });

      // Act
      const [withRecent] = withCode(run(current, { previous, drill: recent }), 'MASTER_CHANGED');
      const [withOld] = withCode(run(current, { previous, drill: old }), 'MASTER_CHANGED');

      // Assess
      expect(withRecent.severity).toBe('info');
      expect(withOld.severity).toBe('critical');
    });

    it('is not raised when the master is unchanged, or on the first poll ever', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot();

      // Act
      const same = withCode(run(current, { previous }), 'MASTER_CHANGED');
      const first = withCode(run(healthySnapshot({ masterIndex: 1 })), 'MASTER_CHANGED');

      // Assess
      expect(same).toEqual([]);
      expect(first).toEqual([]);
    });
  });

  describe('Code: MASTER_FLAPPING', () => {
    it('is critical when a second switch follows the first within 2 × failover-timeout', () => {
      // Prepare: failover-timeout 60 s, so the window is 120 s; switches 60 s apart
      const s0 = healthySnapshot({ at: NOW - 2 * MINUTE });
      const s1 = healthySnapshot({ at: NOW - MINUTE, masterIndex: 1, configEpoch: 2 });
      const s2 = healthySnapshot({ at: NOW, masterIndex: 2, configEpoch: 3 });
      const r0 = run(s0);
      const r1 = run(s1, { previous: s0, state: r0.state });

      // Act
      const r2 = run(s2, { previous: s1, state: r1.state });

      // Assess
      expect(withCode(r1, 'MASTER_FLAPPING')).toEqual([]);
      const found = withCode(r2, 'MASTER_FLAPPING');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'critical',
        subject: 'deployment',
        details: { windowMs: 120_000 },
      });
      expect(found[0].message).toContain('switched 2 times within 2 min');
      expect(found[0].message).toContain('down-after-milliseconds (5000 ms)');
      expect(r2.state.switches.map((w) => `${w.from}>${w.to}`)).toEqual([
        '10.0.1.61:6379>10.0.1.62:6379',
        '10.0.1.62:6379>10.0.1.63:6379',
      ]);
    });

    it('is not raised when the switches are further apart than the window', () => {
      // Prepare: 3 minutes apart, window 2 minutes
      const s0 = healthySnapshot({ at: NOW - 6 * MINUTE });
      const s1 = healthySnapshot({ at: NOW - 3 * MINUTE, masterIndex: 1, configEpoch: 2 });
      const s2 = healthySnapshot({ at: NOW, masterIndex: 2, configEpoch: 3 });
      const r1 = run(s1, { previous: s0, state: run(s0).state });

      // Act
      const r2 = run(s2, { previous: s1, state: r1.state });

      // Assess
      expect(withCode(r2, 'MASTER_FLAPPING')).toEqual([]);
      expect(withCode(r2, 'MASTER_CHANGED')).toHaveLength(1);
      expect(r2.state.switches).toHaveLength(1);
    });

    it('sees a switch away and back between two polls from the config epoch', () => {
      // Prepare: same master as before, but the epoch rose from 1 to 3
      const s0 = healthySnapshot({ at: NOW - MINUTE, configEpoch: 1 });
      const s1 = healthySnapshot({ at: NOW, configEpoch: 3 });

      // Act
      const r1 = run(s1, { previous: s0, state: run(s0).state });

      // Assess
      expect(withCode(r1, 'MASTER_CHANGED')).toEqual([]);
      expect(withCode(r1, 'MASTER_FLAPPING')).toHaveLength(1);
      expect(r1.state.lastConfigEpoch).toBe(3);
    });

    it('uses the configured window, and the 10 min fallback when no sentinel reports failover-timeout', () => {
      // Prepare: two switches 5 minutes apart
      const build = (timeoutReported: boolean) => {
        const s0 = healthySnapshot({ at: NOW - 10 * MINUTE });
        const s1 = healthySnapshot({ at: NOW - 5 * MINUTE, masterIndex: 1, configEpoch: 2 });
        const s2 = healthySnapshot({ at: NOW, masterIndex: 2, configEpoch: 3 });
        for (const s of [s0, s1, s2])
          for (const x of s.sentinels) if (!timeoutReported) x.master!.failoverTimeoutMs = null;
        return { s0, s1, s2 };
      };
      const flaps = (timeoutReported: boolean, flapWindowMs: number | null) => {
        const { s0, s1, s2 } = build(timeoutReported);
        const settings = { flapWindowMs };
        const r0 = run(s0, { settings });
        const r1 = run(s1, { previous: s0, state: r0.state, settings });
        return withCode(run(s2, { previous: s1, state: r1.state, settings }), 'MASTER_FLAPPING').length;
      };

      // Act & Assess
      expect(flaps(true, null)).toBe(0); // 2 × 60 s
      expect(flaps(false, null)).toBe(1); // 10 min fallback
      expect(flaps(true, 6 * MINUTE)).toBe(1); // configured
    });

    it('is not raised when every switch in the window was a drill (a failover and its failback)', () => {
      // Prepare
      // (the drill's signed lock names the master each leg fails over: .61, then .62 for the failback)
      const drill = trustedDrill('drill-7', NOW - 2 * MINUTE);
      const s0 = healthySnapshot({ at: NOW - 2 * MINUTE });
      const s1 = healthySnapshot({ at: NOW - MINUTE, masterIndex: 1, configEpoch: 2 });
      const s2 = healthySnapshot({ at: NOW, configEpoch: 3 });
      const r1 = run(s1, { previous: s0, state: run(s0).state, drill });

      // Act
      const r2 = run(s2, { previous: s1, state: r1.state, drill: { ...drill, from: DATA[1] } });
      const unplanned = run(s2, { previous: s1, state: r1.state });

      // Assess
      expect(withCode(r2, 'MASTER_FLAPPING')).toEqual([]);
      expect(withCode(r2, 'MASTER_CHANGED')[0].severity).toBe('info');
      expect(withCode(unplanned, 'MASTER_FLAPPING')).toHaveLength(1);
    });

    it('is not raised for a drill right after a real failover', () => {
      // Prepare: an unplanned switch, then a drill's switch within the window
      const s0 = healthySnapshot({ at: NOW - 2 * MINUTE });
      const s1 = healthySnapshot({ at: NOW - MINUTE, masterIndex: 1, configEpoch: 2 });
      const s2 = healthySnapshot({ at: NOW, masterIndex: 2, configEpoch: 3 });
      const r1 = run(s1, { previous: s0, state: run(s0).state });

      // Act
      const r2 = run(s2, {
        previous: s1,
        state: r1.state,
        drill: trustedDrill('drill-8', NOW - 10_000, DATA[1]),
      });

      // Assess
      expect(withCode(r1, 'MASTER_CHANGED')[0].severity).toBe('critical');
      expect(withCode(r2, 'MASTER_CHANGED')[0].severity).toBe('info');
      expect(withCode(r2, 'MASTER_FLAPPING')).toEqual([]);
    });

    it('forgets switches that left the window', () => {
      // Prepare
      const state = {
        ...emptyDetectionState(),
        lastMaster: { host: '10.0.1.61', port: 6379 },
        switches: [{ at: NOW - 30 * MINUTE, from: 'x:1', to: '10.0.1.61:6379', drillId: null }],
      };

      // Act
      const result = run(healthySnapshot(), { state });

      // Assess
      expect(result.state.switches).toEqual([]);
      expect(withCode(result, 'MASTER_FLAPPING')).toEqual([]);
    });
  });

  describe('Code: MASTER_CHANGED (why the master changed)', () => {
    /** A manual SENTINEL FAILOVER as the leader publishes it: no +sdown/+odown before the attempt. */
    const manual = [
      sentinelEvent(NOW - 3000, '+new-epoch', '2'),
      sentinelEvent(NOW - 3000, '+try-failover', masterPayload(0)),
      sentinelEvent(NOW - 2990, '+elected-leader', masterPayload(0)),
      sentinelEvent(NOW - 2000, '+switch-master', 'mymaster 10.0.1.61 6379 10.0.1.62 6379'),
    ];
    const crash = [
      sentinelEvent(NOW - 8000, '+sdown', masterPayload(0)),
      sentinelEvent(NOW - 7900, '+odown', `${masterPayload(0)} #quorum 3/2`),
      sentinelEvent(NOW - 7800, '+try-failover', masterPayload(0)),
      sentinelEvent(NOW - 6000, '+switch-master', 'mymaster 10.0.1.61 6379 10.0.1.62 6379'),
    ];

    it('recognises a manual SENTINEL FAILOVER outside a drill as a switchover, not a crash', () => {
      // Prepare: the old master is healthy and already a replica of the new one
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });

      // Act
      const [found] = withCode(run(current, { previous, events: manual }), 'MASTER_CHANGED');

      // Assess
      expect(found.severity).toBe('warning');
      expect(found.message).toContain('by SENTINEL FAILOVER');
      expect(found.message).toContain('a manual switchover, not a crash');
      expect(found.message).toContain('find out who or what ran SENTINEL FAILOVER mymaster');
      expect(found.message).not.toContain('find out why 10.0.1.61:6379 failed');
      expect(found.details).toMatchObject({ cause: 'manual' });
    });

    it('calls it a crash when a sentinel saw the old master down first', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      fail(node(current, 0), 'refused');

      // Act
      const [found] = withCode(run(current, { previous, events: crash }), 'MASTER_CHANGED');

      // Assess
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('find out why 10.0.1.61:6379 failed');
      expect(found.details).toMatchObject({ cause: 'crash' });
    });

    it('without events, says it cannot tell when the old master is up, unchanged and was not flagged down', () => {
      // Prepare
      const first = run(healthySnapshot({ at: NOW - MINUTE }));
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });

      // Act
      const [found] = withCode(
        run(current, { previous: healthySnapshot({ at: NOW - MINUTE }), state: first.state }),
        'MASTER_CHANGED',
      );

      // Assess
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('No sentinel event was heard');
      expect(found.message).toContain('either someone ran SENTINEL FAILOVER mymaster');
      expect(found.details).toMatchObject({ cause: 'unknown' });
    });

    it('without events, calls it a crash when the old master is down, restarted, or was flagged down', () => {
      // Prepare
      const first = run(healthySnapshot({ at: NOW - MINUTE }));
      const down = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      fail(node(down, 0), 'refused');
      const restarted = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      node(restarted, 0).server!.runId = 'new-run-id';
      const flagged = healthySnapshot({ at: NOW - MINUTE });
      for (const s of flagged.sentinels) s.master!.flags = ['s_down', 'master'];

      // Act
      const causes = [
        run(down, { previous: healthySnapshot({ at: NOW - MINUTE }), state: first.state }),
        run(restarted, { previous: healthySnapshot({ at: NOW - MINUTE }), state: first.state }),
        run(healthySnapshot({ masterIndex: 1, configEpoch: 2 }), { previous: flagged, state: first.state }),
      ].map((r) => withCode(r, 'MASTER_CHANGED')[0].details?.cause);

      // Assess
      expect(causes).toEqual(['crash', 'crash', 'crash']);
    });

    it('ignores events older than one failover story (2 min)', () => {
      // Prepare
      const old = manual.map((e) => ({ ...e, at: e.at - 10 * MINUTE }));
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      fail(node(current, 0), 'refused');

      // Act
      const [found] = withCode(
        run(current, { previous: healthySnapshot({ at: NOW - MINUTE }), events: old }),
        'MASTER_CHANGED',
      );

      // Assess
      expect(found.details).toMatchObject({ cause: 'crash' });
    });
  });
});
