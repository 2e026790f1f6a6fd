import { parseDeployment } from '../../../lambdas/core/config';
import { detectionSettings } from '../../../lambdas/core/detect';
import { parseSentinelEvent } from '../../../lambdas/core/sentinel-event';
import { advanceWatch, buildTimeline, emptyWatchState } from '../../../lambdas/core/watch-cycle';
import { fail, healthySnapshot, NOW, node } from '../helpers/snapshot-factory';

const event = (offsetMs: number, sentinel: string, channel: string, payload: string) =>
  parseSentinelEvent(channel, payload, sentinel, NOW + offsetMs);

const failover = [
  event(
    -60_000,
    '10.0.1.62:26379',
    '+sdown',
    'slave 10.0.1.63:6379 10.0.1.63 6379 @ mymaster 10.0.1.61 6379',
  ),
  event(
    -59_000,
    '10.0.1.62:26379',
    '-sdown',
    'slave 10.0.1.63:6379 10.0.1.63 6379 @ mymaster 10.0.1.61 6379',
  ),
  event(0, '10.0.1.62:26379', '+sdown', 'master mymaster 10.0.1.61 6379'),
  event(100, '10.0.1.62:26379', '+odown', 'master mymaster 10.0.1.61 6379 #quorum 2/2'),
  event(110, '10.0.1.62:26379', '+new-epoch', '3'),
  event(160, '10.0.1.62:26379', '+elected-leader', 'master mymaster 10.0.1.61 6379'),
  event(1200, '10.0.1.63:26379', '+switch-master', 'mymaster 10.0.1.61 6379 10.0.1.62 6379'),
  event(1201, '10.0.1.63:26379', '+slave', 'slave 10.0.1.63:6379 10.0.1.63 6379 @ mymaster 10.0.1.62 6379'),
];

describe('Function: buildTimeline', () => {
  it('tells the latest failover from the master seen down, without bookkeeping or older events', () => {
    // Act
    const timeline = buildTimeline(failover);

    // Assess
    expect(timeline.entries.map((e) => [e.offsetMs, e.type])).toEqual([
      [0, '+sdown'],
      [100, '+odown'],
      [160, '+elected-leader'],
      [1200, '+switch-master'],
    ]);
    expect(timeline.leader).toBe('10.0.1.62:26379');
    expect(timeline.switchSeenAt).toBe(new Date(NOW + 1200).toISOString());
    expect(timeline.aborted).toBeNull();
  });

  it('names the reason when Sentinel aborts', () => {
    const timeline = buildTimeline([
      event(0, '10.0.1.62:26379', '+try-failover', 'master mymaster 10.0.1.61 6379'),
      event(5000, '10.0.1.62:26379', '-failover-abort-no-good-slave', 'master mymaster 10.0.1.61 6379'),
    ]);
    expect(timeline.aborted).toBe('-failover-abort-no-good-slave');
    expect(timeline.switchSeenAt).toBeNull();
  });
});

describe('Function: advanceWatch', () => {
  const deployment = parseDeployment(
    {
      name: 'prod-cache',
      masterName: 'mymaster',
      sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
    },
    'test',
  );

  it('attaches the timeline to MASTER_CHANGED and starts the next story afresh', () => {
    // Prepare: a healthy poll, then one after the switch to .62
    const first = advanceWatch({
      state: emptyWatchState(),
      snapshot: healthySnapshot({ at: NOW - 10_000 }),
      settings: detectionSettings(deployment),
      reminderMinutes: 60,
      now: NOW - 10_000,
    });

    // Act
    const second = advanceWatch({
      state: first.state,
      snapshot: healthySnapshot({ at: NOW + 2000, masterIndex: 1, configEpoch: 2 }),
      settings: detectionSettings(deployment),
      reminderMinutes: 60,
      now: NOW + 2000,
      events: failover,
    });

    // Assess
    const changed = second.notifications.find((n) => n.code === 'MASTER_CHANGED');
    expect(changed?.details?.timeline).toMatchObject({ leader: '10.0.1.62:26379' });
    expect(second.state.events).toEqual([]);
    expect(first.notifications).toEqual([]);
  });

  it('names the server an alert is about, a node down now by the release it ran before', () => {
    // Prepare: Valkey 8 nodes; then one replica stops answering
    const valkey = (at: number) => {
      const s = healthySnapshot({ at });
      for (const n of s.nodes) Object.assign(n.server!, { flavour: 'valkey', version: '8.0.1' });
      return s;
    };
    const settings = detectionSettings(deployment);
    const first = advanceWatch({
      state: emptyWatchState(),
      snapshot: valkey(NOW - 10_000),
      settings,
      reminderMinutes: 60,
      now: NOW - 10_000,
    });
    const down = valkey(NOW);
    fail(node(down, 1), 'refused');

    // Act
    const second = advanceWatch({
      state: first.state,
      snapshot: down,
      settings,
      reminderMinutes: 60,
      now: NOW,
    });

    // Assess
    const unreachable = second.notifications.find((n) => n.code === 'REPLICA_UNREACHABLE');
    expect(unreachable?.details?.serverVersion).toBe('valkey 8.0.1');
  });

  it('alerts on a failover that Sentinel aborted between two polls, once, from the events it heard', () => {
    // Prepare: watch heard an attempt that lasted 100 ms; the polls around it see a healthy deployment
    const settings = detectionSettings(deployment);
    const attempt = [
      event(-3000, '10.0.1.62:26379', '+sdown', 'master mymaster 10.0.1.61 6379'),
      event(-2900, '10.0.1.62:26379', '+try-failover', 'master mymaster 10.0.1.61 6379'),
      event(-2800, '10.0.1.62:26379', '-failover-abort-no-good-slave', 'master mymaster 10.0.1.61 6379'),
    ];
    const first = advanceWatch({
      state: emptyWatchState(),
      snapshot: healthySnapshot({ at: NOW - 10_000 }),
      settings,
      reminderMinutes: 60,
      now: NOW - 10_000,
    });

    // Act
    const second = advanceWatch({
      state: first.state,
      snapshot: healthySnapshot({ at: NOW }),
      settings,
      reminderMinutes: 60,
      now: NOW,
      events: attempt,
    });
    const third = advanceWatch({
      state: second.state,
      snapshot: healthySnapshot({ at: NOW + 10_000 }),
      settings,
      reminderMinutes: 60,
      now: NOW + 10_000,
    });

    // Assess
    expect(second.notifications.map((n) => [n.type, n.code, n.severity])).toEqual([
      ['event', 'FAILOVER_ABORTED', 'critical'],
    ]);
    expect(second.notifications[0].details).toMatchObject({ leader: null, attempts: 1 });
    expect(third.notifications).toEqual([]);
    expect(third.findings).toEqual([]);
  });
});
