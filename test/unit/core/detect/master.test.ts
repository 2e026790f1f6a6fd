import { defaultGraceMs } from '../../../../lambdas/core/incidents';
import {
  claimMaster,
  codesOf,
  DATA,
  fail,
  flagDown,
  healthySnapshot,
  legacySnapshot,
  NOW,
  node,
  recount,
  refusePing,
  run,
  sentinelAt,
  setStats,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: MASTER_UNREACHABLE', () => {
    it('is critical when the master the sentinels name refuses connections', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 0), 'refused');

      // Act
      const found = withCode(run(current), 'MASTER_UNREACHABLE');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'critical', subject: 'node 10.0.1.61:6379' });
      expect(found[0].message).toContain('nothing listens on the port');
      expect(found[0].message).toContain('The sentinels still reach it');
      expect(found[0].details).toMatchObject({ errorClass: 'refused', sentinelsSeeingItDown: 0 });
    });

    it('says a failover should follow when the sentinels agree it is down', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 0), 'timeout');
      for (const s of current.sentinels) s.master!.flags = ['o_down', 'master'];

      // Act
      const [found] = withCode(run(current), 'MASTER_UNREACHABLE');

      // Assess
      expect(found.message).toContain('agree it is down (o_down)');
      expect(found.details).toMatchObject({ sentinelsAgreeingDown: 3, sentinelsSeeingItDown: 3 });
    });

    it('does not also report the replicas whose link went down with the master', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 0), 'refused');
      node(current, 1).replication!.masterLinkStatus = 'down';
      node(current, 2).replication!.masterLinkStatus = 'down';

      // Act
      const codes = run(current).findings.map((f) => f.code);

      // Assess
      expect(codes).toEqual(['MASTER_UNREACHABLE']);
    });

    it('is not raised when the master answers, nor when it rejects the password (AUTH_FAILED instead)', () => {
      // Prepare
      const healthy = healthySnapshot();
      const wrongPassword = healthySnapshot();
      fail(node(wrongPassword, 0), 'auth-rejected');

      // Act
      const a = withCode(run(healthy), 'MASTER_UNREACHABLE');
      const b = run(wrongPassword).findings.map((f) => f.code);

      // Assess
      expect(a).toEqual([]);
      expect(b).toContain('AUTH_FAILED');
      expect(b).not.toContain('MASTER_UNREACHABLE');
    });
  });

  describe('Code: MONITORED_MASTER_IS_REPLICA', () => {
    it('is critical when the node the sentinels call master reports role:slave', () => {
      // Prepare: the sentinels were pointed at replica .62
      const current = healthySnapshot();
      for (const s of current.sentinels) s.masterAddress = { ...DATA[1] };
      current.master = { ...DATA[1] };

      // Act
      const found = withCode(run(current), 'MONITORED_MASTER_IS_REPLICA');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'critical', subject: 'node 10.0.1.62:6379' });
      expect(found[0].message).toContain('READONLY');
      expect(found[0].message).toContain('it follows 10.0.1.61:6379');
      expect(found[0].message).toContain('SENTINEL MONITOR mymaster');
    });

    it('is the only finding when the sentinels watch a replica: the real master and the other replica are not blamed', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) s.masterAddress = { ...DATA[1] };
      current.master = { ...DATA[1] };

      // Act
      const codes = run(current).findings.map((f) => f.code);

      // Assess
      expect(codes).toEqual(['MONITORED_MASTER_IS_REPLICA']);
    });

    it('is not raised when the named master reports role:master', () => {
      // Act
      const found = withCode(run(healthySnapshot()), 'MONITORED_MASTER_IS_REPLICA');

      // Assess
      expect(found).toEqual([]);
    });
  });

  describe('Code: MULTIPLE_MASTERS', () => {
    function oldMasterBack() {
      // .61 was killed, .62 promoted; .61 restarted with its old config and claims master.
      const current = healthySnapshot({ masterIndex: 1 });
      claimMaster(node(current, 0));
      return current;
    }

    it('is critical when a node the sentinels do not call master reports role:master', () => {
      // Prepare
      const current = oldMasterBack();

      // Act
      const found = withCode(run(current), 'MULTIPLE_MASTERS');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'critical', subject: 'node 10.0.1.61:6379' });
      expect(found[0].message).toContain('the sentinels name 10.0.1.62:6379');
      expect(found[0].message).toContain('about 10 s');
      expect(found[0].details).toMatchObject({ namedMaster: '10.0.1.62:6379', knownToSentinels: true });
    });

    it('does not also report that node as a replica with a broken link', () => {
      // Act
      const codes = run(oldMasterBack()).findings.map((f) => f.code);

      // Assess
      expect(codes).toEqual(['MULTIPLE_MASTERS']);
    });

    it('tells to run REPLICAOF when no sentinel knows the node', () => {
      // Prepare
      const current = oldMasterBack();
      for (const s of current.sentinels) s.replicas = s.replicas.filter((r) => r.host !== '10.0.1.61');

      // Act
      const [found] = withCode(run(current), 'MULTIPLE_MASTERS');

      // Assess
      expect(found.message).toContain('run REPLICAOF 10.0.1.62 6379 on it');
    });

    it('is not raised for the replica a running failover is promoting', () => {
      // Prepare: sentinel .61 leads a failover and has promoted .62, which already answers role:master
      const current = healthySnapshot();
      const leader = sentinelAt(current, 0);
      leader.master!.flags = ['o_down', 'master', 'failover_in_progress'];
      leader.master!.failoverState = 'wait_promotion';
      leader.replicas[0].flags = ['slave', 'promoted'];
      const promoted = node(current, 1);
      promoted.role = 'master';
      promoted.replication = { ...promoted.replication!, role: 'master', masterLinkStatus: null };

      // Act
      const found = withCode(run(current), 'MULTIPLE_MASTERS');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised in a healthy deployment', () => {
      // Act
      const found = withCode(run(healthySnapshot()), 'MULTIPLE_MASTERS');

      // Assess
      expect(found).toEqual([]);
    });
  });

  describe('Code: MASTER_UNREACHABLE (when no failover can come)', () => {
    it('says no failover will come, and what to do by hand, when NO_QUORUM stands beside it', () => {
      // Prepare: the master is down, two of three sentinels too; the one left sees it s_down
      const current = healthySnapshot();
      fail(node(current, 0), 'refused');
      fail(sentinelAt(current, 1), 'refused');
      fail(sentinelAt(current, 2), 'refused');
      sentinelAt(current, 0).master!.flags = ['s_down', 'master'];
      recount(current);

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual([
        'MASTER_UNREACHABLE',
        'NO_QUORUM',
        'SENTINEL_UNREACHABLE',
        'SENTINEL_UNREACHABLE',
      ]);
      const [found] = withCode(result, 'MASTER_UNREACHABLE');
      expect(found.message).toContain('No failover will come');
      expect(found.message).toContain('SENTINEL FAILOVER mymaster');
      expect(found.message).not.toContain('they fail over once enough agree');
      expect(found.message).not.toContain('a failover should follow');
    });

    it('still promises a failover when the sentinels can authorise one', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 0), 'refused');
      sentinelAt(current, 0).master!.flags = ['s_down', 'master'];

      // Act
      const [found] = withCode(run(current), 'MASTER_UNREACHABLE');

      // Assess
      expect(found.message).toContain(
        'they fail over once enough agree, after down-after-milliseconds (5 s)',
      );
    });
  });

  describe('Code: MULTIPLE_MASTERS (an old master that takes writes)', () => {
    /** .61 was failed over to .62 and restarted with its old config `uptime` seconds ago. */
    const restartedOldMaster = (at: number, uptimeSeconds: number, changes: number | null) => {
      const s = healthySnapshot({ at, masterIndex: 1, configEpoch: 2 });
      claimMaster(node(s, 0), { uptimeSeconds, runId: 'restarted' });
      setStats(node(s, 0), { changesSinceLastSave: changes });
      return s;
    };

    it('says at once how many writes a freshly restarted old master has acknowledged, and pages without grace', () => {
      // Prepare: the watcher knew .61 (as master) before it was killed; measured: ~1,070 acknowledged
      // writes lost per failover at a 10 ms write rate
      const before = run(healthySnapshot({ at: NOW - 60_000 }));
      const failedOver = healthySnapshot({ at: NOW - 30_000, masterIndex: 1, configEpoch: 2 });
      fail(node(failedOver, 0), 'refused');
      const known = run(failedOver, { state: before.state });
      const current = restartedOldMaster(NOW, 8, 1070);

      // Act
      const result = run(current, { state: known.state });

      // Assess
      expect(codesOf(result)).toEqual(['MULTIPLE_MASTERS', 'NODE_RESTARTED']);
      const [found] = result.findings;
      expect(found.message).toContain('It has accepted about 1070 write(s) since it started 8 s ago');
      expect(found.message).toContain('clients that wrote them were told they succeeded');
      expect(found.details).toMatchObject({ acceptingWrites: true, writesAccepted: 1070, masterSinceMs: 0 });
      expect(defaultGraceMs(found)).toBe(0);
    });

    it('does not count an AOF replayed at start as writes (Redis 7.0 counts each replayed command)', () => {
      // Prepare: as above, but with appendonly yes: 1070 is what it replayed, not what clients wrote
      const before = run(healthySnapshot({ at: NOW - 60_000 }));
      const failedOver = healthySnapshot({ at: NOW - 30_000, masterIndex: 1, configEpoch: 2 });
      fail(node(failedOver, 0), 'refused');
      const known = run(failedOver, { state: before.state });
      const current = restartedOldMaster(NOW, 8, 1070);
      setStats(node(current, 0), { aofEnabled: true });

      // Act
      const [found] = withCode(run(current, { state: known.state }), 'MULTIPLE_MASTERS');

      // Assess: only growth from here on counts
      expect(found.details).toMatchObject({ acceptingWrites: false, writesAccepted: null });
    });

    it('does not take the write counter of a node it never saw restart for writes at first sight', () => {
      // Prepare: a fresh watcher: the counter may hold writes from when this node was the master
      const current = restartedOldMaster(NOW, 8, 1070);

      // Act
      const [found] = withCode(run(current), 'MULTIPLE_MASTERS');

      // Assess
      expect(found.details).toMatchObject({ acceptingWrites: false, writesAccepted: null });
      expect(defaultGraceMs(found)).toBe(20_000);
    });

    it('counts the writes since the watcher first saw it, for a node up for long', () => {
      // Prepare: up for a day, so its counter says nothing at first sight
      const first = restartedOldMaster(NOW, 86_400, 500);
      const second = restartedOldMaster(NOW + 10_000, 86_410, 520);
      const before = run(first);

      // Act
      const result = run(second, { previous: first, state: before.state });

      // Assess
      expect(withCode(before, 'MULTIPLE_MASTERS')[0].details).toMatchObject({
        acceptingWrites: false,
        writesAccepted: null,
      });
      expect(defaultGraceMs(withCode(before, 'MULTIPLE_MASTERS')[0])).toBe(20_000);
      const [found] = withCode(result, 'MULTIPLE_MASTERS');
      expect(found.message).toContain(
        'It has accepted about 20 write(s) in the 10 s since the watcher first saw it as master',
      );
      expect(found.details).toMatchObject({
        acceptingWrites: true,
        writesAccepted: 20,
        masterSinceMs: 10_000,
      });
      expect(result.state.extraMasters).toEqual({ 'node 10.0.1.61:6379': { since: NOW, changes: 500 } });
    });

    it('forgets an old master once it is a replica again', () => {
      // Prepare
      const before = run(restartedOldMaster(NOW, 8, 10));

      // Act
      const result = run(healthySnapshot({ at: NOW + 10_000, masterIndex: 1, configEpoch: 2 }), {
        state: before.state,
      });

      // Assess
      expect(result.state.extraMasters).toEqual({});
    });

    it('blames MISCONF, not the sentinels’ auth-pass, for an old master stuck as master because it refuses PING', () => {
      // Prepare: its disk is full: PING answers MISCONF, so the sentinels see it s_down and never convert it
      const current = restartedOldMaster(NOW, 120, 0);
      refusePing(
        node(current, 0),
        'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
      );
      for (const s of current.sentinels) flagDown(s.replicas.find((r) => r.host === DATA[0].host)!, 'errors');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['MULTIPLE_MASTERS']); // not SENTINEL_SEES_DOWN
      const [found] = result.findings;
      expect(found.message).toContain('Sentinel will not convert it while it answers PING with MISCONF');
      expect(found.message).toContain('run REPLICAOF 10.0.1.62 6379 on it yourself');
      expect(found.message).not.toContain('auth-pass');
    });

    it('reads an old master in a snapshot stored before the write counter existed', () => {
      // Prepare
      const current = legacySnapshot(restartedOldMaster(NOW, 8, 1070));

      // Act
      const [found] = withCode(run(current), 'MULTIPLE_MASTERS');

      // Assess
      expect(found.details).toMatchObject({ acceptingWrites: false, writesAccepted: null });
    });
  });
});
