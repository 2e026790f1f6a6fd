import { settledState } from '../../../../lambdas/core/drill';
import { parseSentinelEvent } from '../../../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../../../lambdas/core/types';
import {
  fail,
  healthySnapshot,
  type MutableSnapshot,
  NOW,
  node,
  sentinelAt,
} from '../../helpers/snapshot-factory';

const settled = (s: MutableSnapshot, events = [] as ReturnType<typeof parseSentinelEvent>[]) =>
  settledState(s as Snapshot, events);

describe('Function: settledState', () => {
  it('passes one master that every sentinel names and every node follows', () => {
    // Act
    const s = settled(healthySnapshot());

    // Assess
    expect(s).toEqual({
      passed: true,
      master: { host: '10.0.1.61', port: 6379 },
      role: 'master',
      detail: '3/3 answering sentinels name 10.0.1.61:6379, which reports role:master',
    });
  });

  it('does not pass while a replica hangs: it may still apply a promotion Sentinel sent it', () => {
    // Prepare: Sentinel chose 10.0.1.62 for promotion, then both replicas froze (SIGSTOP)
    const snapshot = healthySnapshot();
    fail(node(snapshot, 1), 'timeout');
    fail(node(snapshot, 2), 'timeout');
    const chosen = parseSentinelEvent(
      '+selected-slave',
      'slave 10.0.1.62:6379 10.0.1.62 6379 @ mymaster 10.0.1.61 6379',
      '10.0.1.61:26379',
      NOW,
    );

    // Act
    const s = settled(snapshot, [chosen]);

    // Assess
    expect(s.passed).toBe(false);
    expect(s.detail).toBe(
      '3/3 answering sentinels name 10.0.1.61:6379, which reports role:master; not settled: ' +
        '10.0.1.62:6379 does not answer (timeout), and Sentinel chose it for promotion (+selected-slave): a hung node may still apply a promotion Sentinel sent it and become a second master when it wakes; ' +
        '10.0.1.63:6379 does not answer (timeout): a hung node may still apply a promotion Sentinel sent it and become a second master when it wakes',
    );
  });

  it('does not pass while a sentinel is still failing over or another node claims master', () => {
    // Prepare
    const snapshot = healthySnapshot();
    sentinelAt(snapshot, 1).master!.failoverState = 'wait_promotion';
    const other = node(snapshot, 2);
    other.role = 'master';
    other.replication!.role = 'master';

    // Act
    const s = settled(snapshot);

    // Assess
    expect(s.passed).toBe(false);
    expect(s.detail).toContain('10.0.1.62:26379 is still failing over (wait_promotion)');
    expect(s.detail).toContain('10.0.1.63:6379 also reports role:master');
  });

  it('notes a replica that is down (refused) without blocking: no pending command can wake with it', () => {
    // Prepare
    const snapshot = healthySnapshot();
    fail(node(snapshot, 2), 'refused');

    // Act
    const s = settled(snapshot);

    // Assess
    expect(s.passed).toBe(true);
    expect(s.detail).toBe(
      '3/3 answering sentinels name 10.0.1.61:6379, which reports role:master; down: 10.0.1.63:6379 refused: simulated refused',
    );
  });

  it('does not pass a replica that follows another master or has its link down', () => {
    const snapshot = healthySnapshot();
    node(snapshot, 1).replication!.masterLinkStatus = 'down';
    expect(settled(snapshot)).toMatchObject({
      passed: false,
      detail: expect.stringContaining('10.0.1.62:6379 follows 10.0.1.61:6379 with link down'),
    });
  });
});
