// Field stories from issue 10, poll by poll through detection and the incident lifecycle: what the
// on-call engineer receives. Each asserts the whole notification log, so nothing else fires.

import { loadDetectionState } from '../../../../lambdas/core/detect';
import type { SentinelEvent } from '../../../../lambdas/core/sentinel-event';
import {
  claimMaster,
  fail,
  healthySnapshot,
  legacySnapshot,
  listedByOneAddress,
  type MutableSnapshot,
  masterPayload,
  NOW,
  node,
  recount,
  refusePing,
  refuseWrites,
  sentinelAt,
  sentinelEvent,
  sentinelsCannotAuthenticate,
  setStats,
} from '../../helpers/snapshot-factory';
import { Watcher } from '../../helpers/watcher';

const seconds = (s: number): number => NOW + s * 1000;

/** Two of three sentinels stopped. */
const twoSentinelsDown = (at: number): MutableSnapshot => {
  const s = healthySnapshot({ at });
  fail(sentinelAt(s, 1), 'refused');
  fail(sentinelAt(s, 2), 'refused');
  return recount(s);
};

const abortAt = (at: number): SentinelEvent[] => [
  sentinelEvent(at, '+try-failover', masterPayload(), '10.0.1.62:26379'),
  sentinelEvent(at + 100, '-failover-abort-no-good-slave', masterPayload(), '10.0.1.62:26379'),
];

describe('Scenario: a 2 s NO_QUORUM blip, then a real NO_QUORUM 37 s later', () => {
  it('announces the real one 20 s after it started, although the blip had been resolved minutes before a reminder', () => {
    // Prepare: watch polls every 2 s
    const w = new Watcher();

    // Act
    w.poll(healthySnapshot({ at: seconds(0) }));
    w.poll(twoSentinelsDown(seconds(2))); // the blip
    for (let t = 4; t <= 38; t += 2) w.poll(healthySnapshot({ at: seconds(t) }));
    for (let t = 40; t <= 90; t += 2) w.poll(twoSentinelsDown(seconds(t))); // 38 s after the blip ended

    // Assess
    const noQuorum = w.sent.filter((n) => n.code === 'NO_QUORUM');
    expect(noQuorum.map((n) => [n.type, n.at])).toEqual([
      ['opened', new Date(seconds(2)).toISOString()],
      ['resolved', new Date(seconds(6)).toISOString()],
      ['reminder', new Date(seconds(60)).toISOString()],
    ]);
    expect(noQuorum[2].message).toMatch(
      /^Back again for 20 s after it had cleared: No automatic failover is possible/,
    );
  });
});

describe('Scenario: sentinels that flap fast', () => {
  it('pages NO_QUORUM once in a reminder period, however often it comes back', () => {
    // Prepare: for 50 minutes, two sentinels are gone one poll in three (10 s polls)
    const w = new Watcher({ reminderMinutes: 60 });

    // Act
    for (let t = 0; t < 3000; t += 10) {
      w.poll(t % 30 === 10 ? twoSentinelsDown(seconds(t)) : healthySnapshot({ at: seconds(t) }));
    }

    // Assess
    const pages = w.sent.filter(
      (n) => n.code === 'NO_QUORUM' && (n.type === 'opened' || n.type === 'reminder'),
    );
    expect(pages).toHaveLength(1);
  });
});

describe('Scenario: a healthy deployment listed by one sentinel address, with min-replicas-to-write set', () => {
  it('gives zero findings and zero notifications (before: 3× SENTINEL_COUNT_MISMATCH and "set quorum 1")', () => {
    // Prepare: expectedSentinels is not set (the config derives it from the sentinels)
    const w = new Watcher({ settings: { expectedSentinels: null } });
    const snapshot = (t: number): MutableSnapshot => {
      const s = listedByOneAddress(healthySnapshot({ at: seconds(t) }));
      node(s, 0).config!['min-replicas-to-write'] = '1';
      node(s, 0).replication!.minReplicasGood = 2;
      return s;
    };

    // Act
    const findings: string[] = [];
    for (let t = 0; t <= 100; t += 10) {
      w.poll(snapshot(t));
      findings.push(...w.findings.map((f) => f.code));
    }

    // Assess
    expect(findings).toEqual([]);
    expect(w.sent).toEqual([]);
  });
});

describe('Scenario: a healthy Redis 5 deployment', () => {
  it('gives zero findings without INFO errorstats and SENTINEL CONFIG (the checks are listed as unavailable, not failed)', () => {
    // Prepare
    const w = new Watcher({ settings: { expectedSentinels: null } });
    const redis5 = (t: number): MutableSnapshot => {
      const s = healthySnapshot({ at: seconds(t) });
      for (const n of s.nodes) {
        n.server!.version = '5.0.14';
        setStats(n, { errorCounts: null });
      }
      for (const x of s.sentinels) x.config = null;
      return s;
    };

    // Act
    for (const t of [0, 10, 20]) w.poll(redis5(t));

    // Assess
    expect(w.findings).toEqual([]);
    expect(w.sent).toEqual([]);
  });
});

describe('Scenario: a replica is killed and comes back', () => {
  it('tells its restart in the resolve: no NODE_RESTARTED page beside it', () => {
    // Prepare
    const w = new Watcher();
    const down = (t: number) => {
      const s = healthySnapshot({ at: seconds(t) });
      fail(node(s, 2), 'refused');
      return s;
    };
    const back = (t: number) => {
      const s = healthySnapshot({ at: seconds(t) });
      node(s, 2).server!.runId = 'restarted';
      node(s, 2).server!.uptimeSeconds = t - 30;
      return s;
    };

    // Act
    w.poll(healthySnapshot({ at: seconds(0) }));
    for (const t of [10, 20, 30]) w.poll(down(t));
    for (const t of [40, 50, 60]) w.poll(back(t));

    // Assess
    expect(w.log).toEqual([
      'opened REPLICA_UNREACHABLE node 10.0.1.63:6379 warning',
      'resolved REPLICA_UNREACHABLE node 10.0.1.63:6379 warning',
    ]);
    expect(w.messages[1]).toContain('Meanwhile: Node 10.0.1.63:6379 restarted 10 s ago.');
  });
});

describe('Scenario: the watcher’s node password is wrong', () => {
  it('pages once for the one cause, not once per node', () => {
    // Prepare
    const w = new Watcher();
    const wrong = (t: number) => {
      const s = healthySnapshot({ at: seconds(t) });
      for (const n of s.nodes) fail(n, 'auth-rejected');
      return s;
    };

    // Act
    for (let t = 0; t <= 60; t += 10) w.poll(wrong(t));

    // Assess
    expect(w.log).toEqual(['opened AUTH_FAILED deployment critical']);
    expect(w.messages[0]).toContain('passwordEnv or passwordSecretArn is wrong');
  });
});

describe('Scenario: the nodes’ password was rotated, not the sentinels’ auth-pass', () => {
  it('pages SENTINEL_SEES_DOWN once (critical), tells the aborted failovers inside it, and resolves once fixed', () => {
    // Prepare: every sentinel flags master and replicas down; they try to fail over every ~20 s and abort
    const w = new Watcher();
    const broken = (t: number) => {
      const s = healthySnapshot({ at: seconds(t) });
      sentinelsCannotAuthenticate(s);
      return s;
    };
    const heard: SentinelEvent[] = [];

    // Act
    w.poll(healthySnapshot({ at: seconds(0) }));
    for (let t = 5; t <= 120; t += 5) {
      if (t % 20 === 0) heard.push(...abortAt(seconds(t) - 1000));
      w.poll(broken(t), heard);
    }
    for (const t of [125, 130, 135]) w.poll(healthySnapshot({ at: seconds(t) }), heard);

    // Assess: check said OK and watch sent nothing before
    expect(w.log).toEqual([
      'opened SENTINEL_SEES_DOWN deployment critical',
      'resolved SENTINEL_SEES_DOWN deployment critical',
    ]);
    expect(w.messages[0]).toContain('auth-pass for mymaster is most likely missing or wrong');
    expect(w.sent[0].at).toBe(new Date(seconds(15)).toISOString()); // after its 10 s grace
    expect(w.messages[1]).toContain(
      'Sentinel has tried to fail over and aborted (-failover-abort-no-good-slave)',
    );
  });
});

describe('Scenario: one failover attempt aborted between two polls', () => {
  it('pages FAILOVER_ABORTED once, and throttles the next attempts to the reminder period', () => {
    // Prepare
    const w = new Watcher();
    const heard: SentinelEvent[] = [];

    // Act
    for (let t = 0; t <= 90; t += 10) {
      if (t === 10 || t === 50) heard.push(...abortAt(seconds(t) - 3000));
      w.poll(healthySnapshot({ at: seconds(t) }), heard);
    }

    // Assess
    expect(w.log).toEqual(['event FAILOVER_ABORTED deployment critical']);
    expect(w.messages[0]).toContain('-failover-abort-no-good-slave');
  });
});

describe('Scenario: the killed master restarts with its old config and takes writes', () => {
  it('pages MULTIPLE_MASTERS at once with the writes it acknowledged, and the restart only in the resolve', () => {
    // Prepare
    const w = new Watcher();
    const switched = (t: number) => {
      const s = healthySnapshot({ at: seconds(t), masterIndex: 1, configEpoch: 2 });
      fail(node(s, 0), 'refused');
      return s;
    };
    const oldMasterWrites = (t: number, changes: number) => {
      const s = healthySnapshot({ at: seconds(t), masterIndex: 1, configEpoch: 2 });
      claimMaster(node(s, 0), { uptimeSeconds: t - 25, runId: 'restarted' });
      setStats(node(s, 0), { changesSinceLastSave: changes });
      return s;
    };
    const converted = (t: number) => {
      const s = healthySnapshot({ at: seconds(t), masterIndex: 1, configEpoch: 2 });
      node(s, 0).server!.runId = 'restarted';
      return s;
    };

    // Act
    w.poll(healthySnapshot({ at: seconds(0) }));
    w.poll(switched(10));
    w.poll(switched(20));
    w.poll(oldMasterWrites(30, 500)); // back 5 s ago, 500 writes acknowledged already
    w.poll(oldMasterWrites(35, 1070));
    for (const t of [40, 45, 50]) w.poll(converted(t));

    // Assess
    expect(w.log).toEqual([
      'event MASTER_CHANGED deployment critical',
      'opened REPLICA_UNREACHABLE node 10.0.1.61:6379 warning',
      'opened MULTIPLE_MASTERS node 10.0.1.61:6379 critical',
      'resolved REPLICA_UNREACHABLE node 10.0.1.61:6379 warning',
      'resolved MULTIPLE_MASTERS node 10.0.1.61:6379 critical',
    ]);
    expect(w.messages[2]).toContain('It has accepted about 500 write(s) since it started 5 s ago');
    expect(w.messages[3]).toContain('Meanwhile: Node 10.0.1.61:6379 restarted');
  });
});

describe('Scenario: someone runs SENTINEL FAILOVER outside a drill', () => {
  it('reports a switchover (warning), not a crash', () => {
    // Prepare
    const w = new Watcher();
    const heard = [
      sentinelEvent(seconds(8), '+new-epoch', '2'),
      sentinelEvent(seconds(8), '+try-failover', masterPayload(0)),
      sentinelEvent(seconds(9), '+switch-master', 'mymaster 10.0.1.61 6379 10.0.1.62 6379'),
    ];

    // Act
    w.poll(healthySnapshot({ at: seconds(0) }));
    w.poll(healthySnapshot({ at: seconds(10), masterIndex: 1, configEpoch: 2 }), heard);
    w.poll(healthySnapshot({ at: seconds(20), masterIndex: 1, configEpoch: 2 }), heard);

    // Assess
    expect(w.log).toEqual(['event MASTER_CHANGED deployment warning']);
    expect(w.messages[0]).toContain('a manual switchover, not a crash');
  });
});

describe('Scenario: the master’s disk fills up (MISCONF)', () => {
  it('pages MASTER_NOT_WRITABLE at once, and resolves when a save succeeds again', () => {
    // Prepare
    const w = new Watcher();
    const misconf =
      'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.';
    const full = (t: number) => {
      const s = healthySnapshot({ at: seconds(t) });
      refuseWrites(node(s, 0), misconf);
      refusePing(node(s, 0), misconf);
      setStats(node(s, 0), { rdbLastBgsaveOk: false });
      return s;
    };

    // Act
    w.poll(healthySnapshot({ at: seconds(0) }));
    for (const t of [10, 20, 30]) w.poll(full(t));
    for (const t of [40, 50]) w.poll(healthySnapshot({ at: seconds(t) }));

    // Assess
    expect(w.log).toEqual([
      'opened MASTER_NOT_WRITABLE node 10.0.1.61:6379 critical',
      'resolved MASTER_NOT_WRITABLE node 10.0.1.61:6379 critical',
    ]);
  });

  it('does not page NOREPLICAS that passes within 15 s (replicas resyncing after a failover)', () => {
    // Prepare
    const w = new Watcher();
    const short = (t: number) => {
      const s = healthySnapshot({ at: seconds(t) });
      node(s, 0).config!['min-replicas-to-write'] = '1';
      node(s, 0).replication!.minReplicasGood = 0;
      refuseWrites(node(s, 0), 'NOREPLICAS Not enough good replicas to write.');
      return s;
    };

    // Act
    w.poll(healthySnapshot({ at: seconds(0) }));
    w.poll(short(5));
    w.poll(short(10));
    for (const t of [15, 20, 25]) w.poll(healthySnapshot({ at: seconds(t) }));

    // Assess
    expect(w.sent).toEqual([]);
  });
});

describe('Scenario: the first poll after upgrading, from a state and snapshot stored before', () => {
  it('raises nothing on a healthy deployment and keeps what it knew', () => {
    // Prepare: the poller's stored detection state and previous snapshot, as the previous version wrote them
    const stored = {
      version: 1,
      lastMaster: { host: '10.0.1.61', port: 6379 },
      lastConfigEpoch: 1,
      switches: [],
      failoverSince: null,
      identities: {
        'node 10.0.1.61:6379': { runId: 'run-10.0.1.61:6379', uptimeSeconds: 86_390, seenAt: seconds(-10) },
      },
    };
    const w = new Watcher({
      detection: loadDetectionState(JSON.parse(JSON.stringify(stored))),
      previous: legacySnapshot(healthySnapshot({ at: seconds(-10) })),
    });

    // Act
    for (const t of [0, 10, 20]) w.poll(healthySnapshot({ at: seconds(t) }));

    // Assess
    expect(w.sent).toEqual([]);
    expect(w.findings).toEqual([]);
  });
});
