import { preflight } from '../../../../lambdas/core/drill';
import type { Snapshot } from '../../../../lambdas/core/types';
import {
  DATA,
  fail,
  healthySnapshot,
  type MutableSnapshot,
  node,
  OFFSET,
  recount,
  SENTINELS,
  sentinelAt,
} from '../../helpers/snapshot-factory';

const settings = { sentinels: SENTINELS, maxLagBytes: 1000 };
const run = (s: MutableSnapshot) => preflight(s as Snapshot, settings);
const check = (s: MutableSnapshot, name: string) => run(s).checks.find((c) => c.name === name)!;

describe('Function: preflight', () => {
  it('passes a healthy deployment and names its master and ready replicas', () => {
    // Act
    const result = run(healthySnapshot());

    // Assess
    expect(result.passed).toBe(true);
    expect(result.master).toEqual(DATA[0]);
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ['sentinels-reachable', true],
      ['sentinels-agree', true],
      ['ckquorum', true],
      ['master-healthy', true],
      ['replica-ready', true],
      ['no-failover-in-progress', true],
    ]);
    expect(result.replicas.map((r) => [r.address, r.ready, r.lagBytes])).toEqual([
      [DATA[1], true, 0],
      [DATA[2], true, 0],
    ]);
  });

  it('refuses when a configured sentinel does not answer, naming it and why', () => {
    // Prepare
    const s = healthySnapshot();
    fail(sentinelAt(s, 1), 'refused');

    // Act
    const c = check(recount(s), 'sentinels-reachable');

    // Assess
    expect(c.passed).toBe(false);
    expect(c.detail).toBe('10.0.1.62:26379: refused: simulated refused');
    expect(run(s).passed).toBe(false);
  });

  it('refuses when a configured sentinel was never asked', () => {
    const s = healthySnapshot();
    s.sentinels.splice(2, 1);
    expect(check(recount(s), 'sentinels-reachable').detail).toBe('10.0.1.63:26379: not asked');
  });

  it('refuses when the sentinels name different masters', () => {
    // Prepare: one sentinel still names another node
    const s = healthySnapshot();
    sentinelAt(s, 2).masterAddress = { ...DATA[1] };
    recount(s);

    // Act
    const result = run(s);

    // Assess
    const c = result.checks.find((x) => x.name === 'sentinels-agree')!;
    expect(c.passed).toBe(false);
    expect(c.detail).toContain('10.0.1.61:6379 named by 10.0.1.61:26379, 10.0.1.62:26379');
    expect(c.detail).toContain('10.0.1.62:6379 named by 10.0.1.63:26379');
    expect(result.master).toBeNull();
  });

  it('refuses without quorum, quoting CKQUORUM', () => {
    // Prepare: two sentinels down, the third says NOQUORUM
    const s = healthySnapshot();
    fail(sentinelAt(s, 1), 'refused');
    fail(sentinelAt(s, 2), 'refused');
    sentinelAt(s, 0).ckquorum = {
      ok: false,
      message:
        'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master',
      usableSentinels: 1,
    };
    recount(s);

    // Act
    const c = check(s, 'ckquorum');

    // Assess
    expect(c.passed).toBe(false);
    expect(c.detail).toMatch(/^10\.0\.1\.61:26379: NOQUORUM 1 usable Sentinels/);
  });

  it('refuses when no sentinel answered CKQUORUM', () => {
    const s = healthySnapshot();
    for (const x of s.sentinels) fail(x, 'timeout');
    expect(check(recount(s), 'ckquorum').detail).toBe('no sentinel answered SENTINEL CKQUORUM');
  });

  it.each([
    [
      'unreachable',
      (s: MutableSnapshot) => fail(node(s, 0), 'timeout'),
      '10.0.1.61:6379: timeout: simulated timeout',
    ],
    [
      'a replica',
      (s: MutableSnapshot) => {
        node(s, 0).role = 'replica';
      },
      '10.0.1.61:6379 reports role:replica',
    ],
    [
      'flagged down',
      (s: MutableSnapshot) => {
        sentinelAt(s, 0).master!.flags = ['s_down', 'master'];
      },
      '10.0.1.61:26379 flags s_down,master',
    ],
  ])('refuses when the master is %s', (_label, mutate, detail) => {
    const s = healthySnapshot();
    mutate(s);
    const c = check(s, 'master-healthy');
    expect(c).toMatchObject({ passed: false, detail });
  });

  it('refuses when every replica lags more than maxLagBytes, with the bytes', () => {
    // Prepare: the master moved on, both replicas applied 5000 bytes less (e.g. CLIENT PAUSE WRITE)
    const s = healthySnapshot();
    node(s, 0).replication!.masterReplOffset = OFFSET + 5000;

    // Act
    const c = check(s, 'replica-ready');

    // Assess
    expect(c.passed).toBe(false);
    expect(c.detail).toBe(
      'no replica has its link up with lag under 1000 B: 10.0.1.62:6379 link up but 4.9 KiB behind (max 1000 B); ' +
        '10.0.1.63:6379 link up but 4.9 KiB behind (max 1000 B)',
    );
  });

  it('passes with one good replica and says which one is not', () => {
    // Prepare
    const s = healthySnapshot();
    node(s, 2).replication!.masterLinkStatus = 'down';

    // Act
    const c = check(s, 'replica-ready');

    // Assess
    expect(c.passed).toBe(true);
    expect(c.detail).toBe(
      '1/2 ready: 10.0.1.62:6379 link up, 0 B behind; 10.0.1.63:6379 role:replica, follows 10.0.1.61:6379, link down',
    );
  });

  it('refuses with fewer ready replicas than expectedReplicas: verification would fail after a real failover', () => {
    // Prepare: one of the two expected replicas is down
    const s = healthySnapshot();
    fail(node(s, 2), 'refused');

    // Act
    const c = preflight(s as Snapshot, { ...settings, expectedReplicas: 2 }).checks.find(
      (x) => x.name === 'replica-ready',
    )!;

    // Assess
    expect(c.passed).toBe(false);
    expect(c.detail).toBe(
      '1/2 ready, expectedReplicas is 2: 10.0.1.62:6379 link up, 0 B behind; 10.0.1.63:6379 refused: simulated refused ' +
        '(a drill now would fail verification after a real failover; bring the replicas back, or lower expectedReplicas)',
    );
  });

  it('treats a replica of another master, or one that cannot be read, as not ready', () => {
    const s = healthySnapshot();
    node(s, 1).replication!.masterHost = '10.9.9.9';
    fail(node(s, 2), 'refused');
    const c = check(s, 'replica-ready');
    expect(c.passed).toBe(false);
    expect(c.detail).toContain('10.0.1.62:6379 role:replica, follows 10.9.9.9:6379');
    expect(c.detail).toContain('10.0.1.63:6379 refused: simulated refused');
  });

  it('leaves replica-priority 0 to Sentinel but says so', () => {
    // Prepare
    const s = healthySnapshot();
    for (const i of [1, 2]) node(s, i).replication!.replicaPriority = 0;

    // Act
    const c = check(s, 'replica-ready');

    // Assess
    expect(c.passed).toBe(true);
    expect(c.detail).toContain('replica-priority 0');
    expect(c.detail).toContain('Sentinel will refuse to promote any');
  });

  it('refuses while a failover runs or a sentinel is in TILT', () => {
    // Prepare
    const s = healthySnapshot();
    sentinelAt(s, 0).master!.flags = ['master', 'failover_in_progress'];
    sentinelAt(s, 0).master!.failoverState = 'wait_promotion';
    sentinelAt(s, 2).tilt = true;

    // Act
    const c = check(s, 'no-failover-in-progress');

    // Assess
    expect(c).toEqual({
      name: 'no-failover-in-progress',
      passed: false,
      detail: '10.0.1.61:26379 is failing over (wait_promotion); 10.0.1.63:26379 is in TILT mode',
    });
  });
});
