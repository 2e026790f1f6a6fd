import { DATA, fail, healthySnapshot, node, run, sentinelAt, withCode } from '../../helpers/snapshot-factory';

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
      const old = node(current, 0);
      old.role = 'master';
      old.replication = {
        ...old.replication!,
        role: 'master',
        masterHost: null,
        masterPort: null,
        masterLinkStatus: null,
      };
      old.roleReply = { role: 'master', offset: 10, replicas: [] };
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
});
