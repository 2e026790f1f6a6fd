import { isEventCode } from '../../../../lambdas/core/detect';
import {
  codesOf,
  fail,
  healthySnapshot,
  MINUTE,
  type MutableSnapshot,
  masterPayload,
  NOW,
  node,
  run,
  sentinelAt,
  sentinelEvent,
  withCode,
} from '../../helpers/snapshot-factory';

/** One failover attempt that gave up, as the sentinels publish it (~100 ms from start to abort). */
const attempt = (at: number, reason = '-failover-abort-no-good-slave', sentinel = '10.0.1.62:26379') => [
  sentinelEvent(at, '+sdown', masterPayload(), sentinel),
  sentinelEvent(at + 20, '+odown', `${masterPayload()} #quorum 2/2`, sentinel),
  sentinelEvent(at + 30, '+new-epoch', '5', sentinel),
  sentinelEvent(at + 40, '+try-failover', masterPayload(), sentinel),
  sentinelEvent(at + 60, '+elected-leader', masterPayload(), sentinel),
  sentinelEvent(at + 80, '+failover-state-select-slave', masterPayload(), sentinel),
  sentinelEvent(at + 100, reason, masterPayload(), sentinel),
];

/** Every answering sentinel reports its peers' last vote for a failover leader in this epoch. */
const votedIn = (snapshot: MutableSnapshot, epoch: number): MutableSnapshot => {
  for (const s of snapshot.sentinels) {
    for (const p of s.sentinels) {
      p.votedLeader = 'sentinel-run-10.0.1.62:26379';
      p.votedLeaderEpoch = epoch;
    }
  }
  return snapshot;
};

describe('Function: detect', () => {
  describe('Code: FAILOVER_ABORTED', () => {
    it('is a critical event for an aborted failover heard between polls (never alerted before)', () => {
      // Prepare: a poll sees a healthy master; the attempt lasted 100 ms in between
      const current = healthySnapshot();
      const events = attempt(NOW - 5000);

      // Act
      const result = run(current, { events });

      // Assess
      expect(codesOf(result)).toEqual(['FAILOVER_ABORTED']);
      const [found] = result.findings;
      expect(isEventCode(found.code)).toBe(true);
      expect(found).toMatchObject({ severity: 'critical', subject: 'deployment' });
      expect(found.message).toContain('Sentinel tried to fail over 10.0.1.61:6379 and gave up once');
      expect(found.message).toContain('-failover-abort-no-good-slave: no replica was good enough to promote');
      expect(found.message).toContain('every 2 × failover-timeout');
      expect(found.message).toContain('NO_FAILOVER_TARGET');
      expect(found.details).toMatchObject({
        reasons: ['-failover-abort-no-good-slave'],
        attempts: 1,
        leader: '10.0.1.62:26379',
        source: 'events',
      });
      const timeline = found.details?.timeline as { entries: { type: string }[]; aborted: string };
      expect(timeline.aborted).toBe('-failover-abort-no-good-slave');
      expect(timeline.entries.map((e) => e.type)).toContain('+try-failover');
    });

    it('reports each abort once: events an earlier poll already reported are not reported again', () => {
      // Prepare
      const events = attempt(NOW - 5000);
      const first = run(healthySnapshot({ at: NOW }), { events });
      const later = [...events, ...attempt(NOW + 15_000, '-failover-abort-not-elected')];

      // Act
      const again = run(healthySnapshot({ at: NOW + 10_000 }), { events, state: first.state });
      const next = run(healthySnapshot({ at: NOW + 20_000 }), { events: later, state: again.state });

      // Assess
      expect(codesOf(again)).toEqual([]);
      expect(withCode(next, 'FAILOVER_ABORTED')[0].details).toMatchObject({
        reasons: ['-failover-abort-not-elected'],
        attempts: 1,
      });
      expect(withCode(next, 'FAILOVER_ABORTED')[0].message).toContain('was not elected leader by a majority');
    });

    it('counts several attempts and every distinct reason', () => {
      // Prepare
      const events = [
        ...attempt(NOW - 45_000),
        ...attempt(NOW - 25_000),
        ...attempt(NOW - 5000, '-failover-abort-slave-timeout'),
      ];

      // Act
      const [found] = withCode(run(healthySnapshot(), { events }), 'FAILOVER_ABORTED');

      // Assess
      expect(found.message).toContain('gave up 3 times');
      expect(found.details).toMatchObject({
        attempts: 3,
        reasons: ['-failover-abort-no-good-slave', '-failover-abort-slave-timeout'],
      });
    });

    it('ignores aborts of another master the same sentinels monitor', () => {
      // Prepare
      const events = [
        sentinelEvent(NOW - 1000, '-failover-abort-no-good-slave', 'master othermaster 10.0.2.1 6379'),
      ];

      // Act
      const result = run(healthySnapshot(), { events });

      // Assess
      expect(result.findings).toEqual([]);
    });

    it('without events, tells an attempt from a leader election that no switch followed', () => {
      // Prepare: the state remembers epoch 1; now the peers voted in epoch 2, the master config epoch is still 1
      const before = run(votedIn(healthySnapshot({ at: NOW }), 1));
      const current = votedIn(healthySnapshot({ at: NOW + MINUTE }), 2);

      // Act
      const result = run(current, { state: before.state });

      // Assess
      expect(before.findings).toEqual([]);
      expect(codesOf(result)).toEqual(['FAILOVER_ABORTED']);
      const [found] = result.findings;
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('leader election for a failover (epoch 2, up from 1)');
      expect(found.message).toContain('the master is still 10.0.1.61:6379');
      expect(found.message).toContain('pollEverySeconds');
      expect(found.details).toEqual({ votedLeaderEpoch: 2, previousEpoch: 1, source: 'elections' });
      expect(result.state.lastVotedEpoch).toBe(2);
    });

    it('does not call an election that switched the master an abort, nor one seen on the first poll', () => {
      // Prepare
      const before = run(votedIn(healthySnapshot({ at: NOW }), 1));
      const switched = votedIn(healthySnapshot({ at: NOW + MINUTE, masterIndex: 1, configEpoch: 2 }), 2);
      fail(node(switched, 0), 'refused');
      const firstPoll = votedIn(healthySnapshot(), 7);

      // Act
      const a = run(switched, { previous: healthySnapshot({ at: NOW }), state: before.state });
      const b = run(firstPoll);

      // Assess
      expect(withCode(a, 'FAILOVER_ABORTED')).toEqual([]);
      expect(withCode(a, 'MASTER_CHANGED')).toHaveLength(1);
      expect(b.findings).toEqual([]);
      expect(b.state.lastVotedEpoch).toBe(7);
    });

    it('keeps a running failover’s election out of the memory until it is over', () => {
      // Prepare
      const before = run(votedIn(healthySnapshot({ at: NOW }), 1));
      const running = votedIn(healthySnapshot({ at: NOW + 10_000 }), 2);
      sentinelAt(running, 1).master!.failoverState = 'select_slave';

      // Act
      const result = run(running, { state: before.state });

      // Assess
      expect(withCode(result, 'FAILOVER_ABORTED')).toEqual([]);
      expect(result.state.lastVotedEpoch).toBe(1);
    });

    it('is told inside NO_FAILOVER_TARGET when that explains it: one cause, one page', () => {
      // Prepare: every replica has priority 0: each attempt aborts with no-good-slave
      const current = healthySnapshot();
      for (const i of [1, 2]) node(current, i).replication!.replicaPriority = 0;
      const events = attempt(NOW - 5000);

      // Act
      const result = run(current, { events });

      // Assess
      expect(codesOf(result)).toEqual(['NO_FAILOVER_TARGET']);
      expect(result.findings[0].message).toContain(
        'Sentinel has tried to fail over and aborted (-failover-abort-no-good-slave): it keeps retrying',
      );
      expect(result.findings[0].details?.abortedFailovers).toMatchObject({ attempts: 1 });
    });

    it('is told inside NO_QUORUM when too few sentinels answer to elect a leader', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 1), 'refused');
      fail(sentinelAt(current, 2), 'refused');
      const events = attempt(NOW - 5000, '-failover-abort-not-elected', '10.0.1.61:26379');

      // Act
      const result = run(current, { events });

      // Assess
      expect(codesOf(result)).not.toContain('FAILOVER_ABORTED');
      const [found] = withCode(result, 'NO_QUORUM');
      expect(found.message).toContain('aborted (-failover-abort-not-elected)');
    });

    it('stays a page of its own when only a warning is around (it does not explain the aborts)', () => {
      // Prepare: one sentinel cannot authenticate (warning), and an attempt aborted
      const current = healthySnapshot();
      const s = sentinelAt(current, 0);
      s.master!.flags = ['s_down', 'master', 'disconnected'];
      s.master!.lastOkPingReplyMs = 60_000;
      s.master!.lastPingReplyMs = 400;
      const events = attempt(NOW - 5000);

      // Act
      const result = run(current, { events });

      // Assess
      expect(codesOf(result)).toEqual(['FAILOVER_ABORTED', 'SENTINEL_SEES_DOWN']);
    });
  });
});
