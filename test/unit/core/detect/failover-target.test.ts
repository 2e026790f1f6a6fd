import {
  codesOf,
  DATA,
  fail,
  flagDown,
  healthySnapshot,
  legacySnapshot,
  type MutableNode,
  type MutableSnapshot,
  node,
  OFFSET,
  run,
  sentinelAt,
  withCode,
} from '../../helpers/snapshot-factory';

const priorityZero = (n: MutableNode): void => {
  n.replication!.replicaPriority = 0;
  n.config!['replica-priority'] = '0';
};

/** `n` replicates from 10.0.1.99, a node only it names (the probe found it as its upstream), which is down. */
function followDeadUpstream(current: MutableSnapshot, n: MutableNode): void {
  n.role = 'replica';
  n.replication = {
    ...n.replication!,
    role: 'replica',
    masterHost: '10.0.1.99',
    masterPort: 6379,
    masterLinkStatus: 'down',
  };
  n.roleReply = {
    role: 'replica',
    masterHost: '10.0.1.99',
    masterPort: 6379,
    state: 'connect',
    offset: OFFSET,
  };
  const upstream: MutableNode = JSON.parse(JSON.stringify(n));
  Object.assign(upstream, { host: '10.0.1.99', discoveredBy: ['upstream'] });
  fail(upstream, 'refused');
  current.nodes.push(upstream);
}

describe('Function: detect', () => {
  describe('Code: NO_FAILOVER_TARGET', () => {
    it('is critical when one replica has priority 0 and the other is down (missed before)', () => {
      // Prepare
      const current = healthySnapshot();
      priorityZero(node(current, 1));
      fail(node(current, 2), 'refused');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['NO_FAILOVER_TARGET', 'REPLICA_UNREACHABLE']);
      const [found] = withCode(result, 'NO_FAILOVER_TARGET');
      expect(found).toMatchObject({ severity: 'critical', subject: 'deployment' });
      expect(found.message).toContain('Automatic failover is impossible now');
      expect(found.message).toContain('10.0.1.62:6379: replica-priority 0; 10.0.1.63:6379: down');
      expect(found.message).toContain('If the master 10.0.1.61:6379 fails, it stays down');
      expect(found.message).toContain('CONFIG SET replica-priority 100');
      expect(found.details).toEqual({
        replicas: [
          { address: '10.0.1.62:6379', reasons: ['replica-priority 0'] },
          { address: '10.0.1.63:6379', reasons: ['down'] },
        ],
        expectedReplicas: 2,
      });
    });

    it('is the one finding when every replica has priority 0 (no CONFIG_RISK beside it)', () => {
      // Prepare
      const current = healthySnapshot();
      priorityZero(node(current, 1));
      priorityZero(node(current, 2));

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['NO_FAILOVER_TARGET']);
    });

    it('counts a replica lagging beyond the limit, one with its link down, and one following another node', () => {
      // Prepare
      const lagging = healthySnapshot();
      node(lagging, 1).replication!.replicaReplOffset = OFFSET - 5_000_000;
      priorityZero(node(lagging, 2));
      const linkDown = healthySnapshot();
      node(linkDown, 1).replication!.masterLinkStatus = 'down';
      priorityZero(node(linkDown, 2));
      const elsewhere = healthySnapshot();
      node(elsewhere, 1).replication!.masterHost = '10.0.1.99';
      priorityZero(node(elsewhere, 2));

      // Act
      const reasons = [lagging, linkDown, elsewhere].map(
        (s) =>
          (withCode(run(s), 'NO_FAILOVER_TARGET')[0].details!.replicas as { reasons: string[] }[])[0].reasons,
      );

      // Assess
      expect(reasons).toEqual([
        ['4.8 MiB behind'],
        ['not replicating (link down)'],
        ['follows 10.0.1.99:6379, not the master'],
      ]);
    });

    it('counts a replica that no sentinel lists (Sentinel only promotes replicas it knows)', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) s.replicas = s.replicas.filter((r) => r.host !== DATA[1].host);
      fail(node(current, 2), 'timeout');

      // Act
      const [found] = withCode(run(current), 'NO_FAILOVER_TARGET');

      // Assess
      expect(found.message).toContain('10.0.1.62:6379: unknown to the sentinels');
    });

    it('says the master has no replica at all when none is known', () => {
      // Prepare
      const current = healthySnapshot();
      current.nodes = [node(current, 0)];
      for (const s of current.sentinels) s.replicas = [];
      node(current, 0).replication!.replicas = [];
      node(current, 0).replication!.connectedReplicas = 0;

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['NO_FAILOVER_TARGET']);
      expect(result.findings[0].message).toContain('the master 10.0.1.61:6379 has no replica (2 expected)');
      expect(result.findings[0].message).toContain('set expectedReplicas to 0 if that is on purpose');
    });

    it('is not raised while one replica can be promoted, nor with expectedReplicas 0', () => {
      // Prepare
      const one = healthySnapshot();
      priorityZero(node(one, 1));
      const none = healthySnapshot();
      none.nodes = [node(none, 0)];

      // Act
      const a = withCode(run(one), 'NO_FAILOVER_TARGET');
      const b = withCode(run(none, { settings: { expectedReplicas: 0 } }), 'NO_FAILOVER_TARGET');

      // Assess
      expect(a).toEqual([]);
      expect(b).toEqual([]);
    });

    it('still promotes replicas whose link is down because the master itself is down', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 0), 'refused');
      node(current, 1).replication!.masterLinkStatus = 'down';
      node(current, 2).replication!.masterLinkStatus = 'down';

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['MASTER_UNREACHABLE']);
    });

    it('is not judged while a failover runs, nor when the replicas refuse the password (their state is unknown)', () => {
      // Prepare
      const failingOver = healthySnapshot();
      priorityZero(node(failingOver, 1));
      priorityZero(node(failingOver, 2));
      sentinelAt(failingOver, 0).master!.failoverState = 'wait_promotion';
      const blind = healthySnapshot();
      fail(node(blind, 1), 'auth-rejected');
      fail(node(blind, 2), 'auth-rejected');

      // Act
      const a = withCode(run(failingOver), 'NO_FAILOVER_TARGET');
      const b = withCode(run(blind), 'NO_FAILOVER_TARGET');

      // Assess
      expect(a).toEqual([]);
      expect(b).toEqual([]);
    });

    it('leaves replicas only the sentinels cannot use to SENTINEL_SEES_DOWN (one cause, one page)', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) for (const r of s.replicas) flagDown(r, 'errors');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['SENTINEL_SEES_DOWN']);
      expect(result.findings[0].severity).toBe('critical');
    });

    it('does not count a node known only as some replica’s upstream as a failover target lost', () => {
      // Prepare: .63 follows 10.0.1.99, a decommissioned node that only .63 names (the probe found it
      // as its upstream); before, it was "Replica 10.0.1.99:6379 ...: one failover target fewer"
      const current = healthySnapshot();
      followDeadUpstream(current, node(current, 2));

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['REPLICA_LINK_DOWN']);
      expect(result.findings[0].subject).toBe('node 10.0.1.63:6379');
      expect(result.findings.map((f) => f.message).join(' ')).not.toContain('one failover target fewer');
    });

    it('does not count the node a misconfigured named master replicates from as a replica', () => {
      // Prepare: the sentinels name .61, but .61 is a replica of 10.0.1.99, which is down
      const current = healthySnapshot();
      followDeadUpstream(current, node(current, 0));

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['MONITORED_MASTER_IS_REPLICA']);
    });

    it('does not crash on a snapshot stored before the new fields, and finds the same', () => {
      // Prepare
      const current = healthySnapshot();
      priorityZero(node(current, 1));
      fail(node(current, 2), 'refused');

      // Act
      const result = run(legacySnapshot(current));

      // Assess
      expect(codesOf(result)).toEqual(['NO_FAILOVER_TARGET', 'REPLICA_UNREACHABLE']);
    });
  });
});
