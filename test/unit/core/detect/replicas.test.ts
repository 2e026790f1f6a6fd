import {
  DATA,
  fail,
  healthySnapshot,
  node,
  OFFSET,
  run,
  sentinelAt,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: REPLICA_UNREACHABLE', () => {
    it('is a warning for a replica that times out (e.g. frozen with SIGSTOP)', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 1), 'timeout');

      // Act
      const found = withCode(run(current), 'REPLICA_UNREACHABLE');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        subject: 'node 10.0.1.62:6379',
        details: { errorClass: 'timeout' },
      });
      expect(found[0].message).toContain('does not answer within the timeout');
      expect(found[0].message).toContain('SIGSTOP');
    });

    it('is the only finding for that replica, and the deployment still has one healthy replica', () => {
      // Prepare: the master still lists it (its ACKs stopped), which would look like lag
      const current = healthySnapshot();
      fail(node(current, 1), 'timeout');
      node(current, 0).replication!.replicas[0].lagSeconds = 30;

      // Act
      const codes = run(current).findings.map((f) => f.code);

      // Assess
      expect(codes).toEqual(['REPLICA_UNREACHABLE']);
    });

    it('names a former master as such', () => {
      // Prepare
      const previous = healthySnapshot({ at: Date.UTC(2026, 4, 1, 9, 59) });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      fail(node(current, 0), 'refused');

      // Act
      const [found] = withCode(run(current, { previous }), 'REPLICA_UNREACHABLE');

      // Assess
      expect(found.message).toContain('10.0.1.61:6379 (the master until the last switch)');
    });

    it('is not raised for reachable replicas', () => {
      // Act
      const found = withCode(run(healthySnapshot()), 'REPLICA_UNREACHABLE');

      // Assess
      expect(found).toEqual([]);
    });
  });

  describe('Code: REPLICA_LINK_DOWN', () => {
    it('is a warning when the replica reports master_link_status:down', () => {
      // Prepare
      const current = healthySnapshot();
      const r = node(current, 2).replication!;
      r.masterLinkStatus = 'down';
      r.masterLinkDownSinceSeconds = 95;
      r.masterSyncInProgress = true;

      // Act
      const found = withCode(run(current), 'REPLICA_LINK_DOWN');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        subject: 'node 10.0.1.63:6379',
        details: { reason: 'link-down', linkDownSinceSeconds: 95, syncInProgress: true },
      });
      expect(found[0].message).toContain('master_link_status:down for 95 s');
      expect(found[0].message).toContain('A full sync is in progress');
    });

    it('is raised when the master does not list a replica that says its link is up', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 0).replication!.replicas = node(current, 0).replication!.replicas.slice(1);

      // Act
      const found = withCode(run(current), 'REPLICA_LINK_DOWN');

      // Assess
      expect(found.map((f) => [f.subject, f.details?.reason])).toEqual([
        ['node 10.0.1.62:6379', 'not-listed'],
      ]);
    });

    it('matches a replica the master lists under another address by its port', () => {
      // Prepare: the master sees .62 under its NATed address
      const current = healthySnapshot();
      node(current, 0).replication!.replicas[0].host = '192.168.7.62';

      // Act
      const found = withCode(run(current), 'REPLICA_LINK_DOWN');

      // Assess
      expect(found).toEqual([]);
    });

    it('is raised when the replica follows a node that is not the master', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 1).replication!.masterHost = '10.0.1.50';

      // Act
      const [found] = withCode(run(current), 'REPLICA_LINK_DOWN');

      // Assess
      expect(found.details).toMatchObject({ reason: 'wrong-master', follows: '10.0.1.50:6379' });
      expect(found.message).toContain('REPLICAOF 10.0.1.61 6379');
    });

    it('allows a chain through another replica', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 2).replication!.masterHost = DATA[1].host;

      // Act
      const found = withCode(run(current), 'REPLICA_LINK_DOWN');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not judged while a failover re-points the replicas', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 2).replication!.masterLinkStatus = 'down';
      sentinelAt(current, 0).master!.flags = ['master', 'failover_in_progress'];

      // Act
      const found = withCode(run(current), 'REPLICA_LINK_DOWN');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised when every link is up', () => {
      // Act
      const found = withCode(run(healthySnapshot()), 'REPLICA_LINK_DOWN');

      // Assess
      expect(found).toEqual([]);
    });
  });

  describe('Code: REPLICA_LAGGING', () => {
    it('is a warning with lagBytes from the replica offset when the data is behind (lag= still 0)', () => {
      // Prepare: 62 MB behind while the ACKs keep coming, as measured with a write burst
      const current = healthySnapshot();
      node(current, 0).replication!.masterReplOffset = OFFSET + 65_000_000;

      // Act
      const found = withCode(run(current), 'REPLICA_LAGGING');

      // Assess
      expect(found.map((f) => f.subject)).toEqual(['node 10.0.1.62:6379', 'node 10.0.1.63:6379']);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        details: { lagBytes: 65_000_000, lagSeconds: 0, tripped: ['bytes'], replicaOffsetSource: 'replica' },
      });
      expect(found[0].message).toContain('62 MiB behind the master (offset gap; limit 1 MiB)');
      expect(found[0].message).not.toContain('acknowledged');
    });

    it('says it is the time since the last ACK when only lag= tripped', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 0).replication!.replicas[1].lagSeconds = 14;

      // Act
      const found = withCode(run(current), 'REPLICA_LAGGING');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        subject: 'node 10.0.1.63:6379',
        details: { lagBytes: 0, lagSeconds: 14, tripped: ['seconds'] },
      });
      expect(found[0].message).toContain('has not acknowledged the master for 14 s');
      expect(found[0].message).toContain('not data delay');
    });

    it("falls back to the master's slaveN offset when the replica gives none", () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 1).replication!.replicaReplOffset = null;
      node(current, 0).replication!.replicas[0].offset = OFFSET - 2_000_000;

      // Act
      const [found] = withCode(run(current), 'REPLICA_LAGGING');

      // Assess
      expect(found.details).toMatchObject({ lagBytes: 2_000_000, replicaOffsetSource: 'master-list' });
    });

    it('is not raised under the limits, nor for a replica read after the master (negative gap)', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 0).replication!.masterReplOffset = OFFSET + 1_000_000; // under 1 MiB
      node(current, 2).replication!.replicaReplOffset = OFFSET + 2_000_000; // ahead
      node(current, 0).replication!.replicas[0].lagSeconds = 10; // at the limit, not above

      // Act
      const found = withCode(run(current), 'REPLICA_LAGGING');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised on top of REPLICA_LINK_DOWN for the same replica', () => {
      // Prepare
      const current = healthySnapshot();
      node(current, 1).replication!.masterLinkStatus = 'down';
      node(current, 1).replication!.replicaReplOffset = 0;

      // Act
      const codes = run(current).findings.map((f) => f.code);

      // Assess
      expect(codes).toEqual(['REPLICA_LINK_DOWN']);
    });
  });

  describe('Code: REPLICA_COUNT_LOW', () => {
    it('is a warning when fewer replicas are known than expected', () => {
      // Prepare: .63 is gone from every list
      const current = healthySnapshot();
      current.nodes = current.nodes.filter((n) => n.host !== '10.0.1.63');
      node(current, 0).replication!.replicas = node(current, 0).replication!.replicas.slice(0, 1);

      // Act
      const found = withCode(run(current), 'REPLICA_COUNT_LOW');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'warning',
        subject: 'deployment',
        details: { known: 1, healthy: 1, expected: 2 },
      });
      expect(found[0].message).toContain('Only 1 replica(s) are known');
    });

    it('leaves "no replica is healthy" to NO_FAILOVER_TARGET: one critical for it', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 1), 'refused');
      fail(node(current, 2), 'refused');

      // Act
      const result = run(current);

      // Assess
      expect(withCode(result, 'REPLICA_COUNT_LOW')).toEqual([]);
      expect(withCode(result, 'NO_FAILOVER_TARGET')).toHaveLength(1);
      expect(withCode(result, 'REPLICA_UNREACHABLE')).toHaveLength(2);
    });

    it('is not raised for one replica down out of two: REPLICA_UNREACHABLE says it', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 2), 'refused');

      // Act
      const found = withCode(run(current), 'REPLICA_COUNT_LOW');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised when the expected count is met, or when none is expected', () => {
      // Prepare
      const single = healthySnapshot();
      single.nodes = single.nodes.slice(0, 1);

      // Act
      const healthy = withCode(run(healthySnapshot()), 'REPLICA_COUNT_LOW');
      const noneExpected = withCode(run(single, { settings: { expectedReplicas: 0 } }), 'REPLICA_COUNT_LOW');

      // Assess
      expect(healthy).toEqual([]);
      expect(noneExpected).toEqual([]);
    });
  });
});
