import {
  codesOf,
  fail,
  healthySnapshot,
  legacySnapshot,
  MINUTE,
  NOW,
  node,
  refusePing,
  refuseWrites,
  run,
  setStats,
  withCode,
} from '../../helpers/snapshot-factory';

const MISCONF =
  'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.';
const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

describe('Function: detect', () => {
  describe('Code: MASTER_NOT_WRITABLE', () => {
    it('is critical when the write probe gets MISCONF from a master whose background save fails', () => {
      // Prepare: every process answers PING to the watcher's INFO, yet writers are down
      const current = healthySnapshot();
      const m = node(current, 0);
      refuseWrites(m, MISCONF);
      setStats(m, { rdbLastBgsaveOk: false });

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['MASTER_NOT_WRITABLE']); // not MASTER_WRITES_AT_RISK beside it
      const [found] = result.findings;
      expect(found).toMatchObject({ severity: 'critical', subject: 'node 10.0.1.61:6379' });
      expect(found.message).toContain('The master 10.0.1.61:6379 does not take writes');
      expect(found.message).toContain(`the watcher's test write got "${MISCONF}"`);
      expect(found.message).toContain('stop-writes-on-bgsave-error');
      expect(found.message).toContain('then run BGSAVE');
      expect(found.message).toContain('OOM killer');
      expect(found.message).toContain('Clients that write are down until this is fixed');
      expect(found.details).toMatchObject({ cause: 'misconf-rdb', errorCode: 'MISCONF', writeProbe: 'used' });
    });

    it('names the AOF when it is the AOF write that fails', () => {
      // Prepare
      const current = healthySnapshot();
      const m = node(current, 0);
      refuseWrites(m, 'MISCONF Errors writing to the AOF file: No space left on device');
      setStats(m, { aofEnabled: true, aofLastWriteOk: false });

      // Act
      const [found] = withCode(run(current), 'MASTER_NOT_WRITABLE');

      // Assess
      expect(found.details).toMatchObject({ cause: 'misconf-aof' });
      expect(found.message).toContain('aof_last_write_status:err');
      expect(found.message).toContain("Free space on the AOF's disk");
      expect(found.message).not.toContain('BGSAVE');
    });

    it('explains NOREPLICAS with min-replicas-to-write, and warns that lowering it gives up protection', () => {
      // Prepare: min-replicas-to-write 2, one replica down
      const current = healthySnapshot();
      const m = node(current, 0);
      m.config!['min-replicas-to-write'] = '2';
      m.replication!.minReplicasGood = 1;
      refuseWrites(m, NOREPLICAS);
      fail(node(current, 2), 'refused');

      // Act
      const result = run(current);

      // Assess
      const [found] = withCode(result, 'MASTER_NOT_WRITABLE');
      expect(found.message).toContain(
        'min-replicas-to-write is 2 but only 1 replica(s) are connected and acknowledged within min-replicas-max-lag (10 s)',
      );
      expect(found.message).toContain('Bring the replicas back');
      expect(found.message).toContain('gives up the protection');
      expect(found.details).toMatchObject({ cause: 'noreplicas', minReplicasToWrite: 2, goodReplicas: 1 });
    });

    it('explains OOM under noeviction with the memory figures', () => {
      // Prepare
      const current = healthySnapshot();
      const m = node(current, 0);
      refuseWrites(m, OOM);
      setStats(m, { usedMemory: 105 * 1024 ** 2, maxMemory: 100 * 1024 ** 2, maxMemoryPolicy: 'noeviction' });

      // Act
      const [found] = withCode(run(current), 'MASTER_NOT_WRITABLE');

      // Assess
      expect(found.details).toMatchObject({ cause: 'oom' });
      expect(found.message).toContain('(105 MiB used of 100 MiB) with maxmemory-policy noeviction');
      expect(found.message).toContain('CONFIG SET maxmemory');
    });

    it('explains BUSY, LOADING and an unexpected error each with its own advice', () => {
      // Prepare
      const replies = [
        'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
        'LOADING Redis is loading the dataset in memory',
        'ERR something unexpected',
      ];

      // Act
      const found = replies.map((reply) => {
        const s = healthySnapshot();
        refuseWrites(node(s, 0), reply);
        return withCode(run(s), 'MASTER_NOT_WRITABLE')[0];
      });

      // Assess
      expect(found.map((f) => f.details?.cause)).toEqual(['busy', 'loading', 'other']);
      expect(found[0].message).toContain('SCRIPT KILL');
      expect(found[0].message).toContain('UNKILLABLE');
      expect(found[1].message).toContain('loading its data set');
      expect(found[2].message).toContain('Check its log');
    });

    it('does not blame writers for the watcher’s own ACL (NOPERM), nor for READONLY or auth errors', () => {
      // Prepare
      const replies = [
        "NOPERM User watcher has no permissions to run the 'set' command",
        "READONLY You can't write against a read only replica.",
        'NOAUTH Authentication required.',
      ];

      // Act
      const found = replies.map((reply) => {
        const s = healthySnapshot();
        refuseWrites(node(s, 0), reply);
        return run(s).findings;
      });

      // Assess
      expect(found).toEqual([[], [], []]);
    });

    it('falls back on what INFO proves when the watcher’s ACL refuses the probe (NOPERM)', () => {
      // Prepare: the probe cannot tell, but PING answers MISCONF to everyone
      const misconf = healthySnapshot();
      refuseWrites(node(misconf, 0), "NOPERM User watcher has no permissions to run the 'set' command");
      refusePing(node(misconf, 0), MISCONF);
      const noReplicas = healthySnapshot();
      refuseWrites(node(noReplicas, 0), "NOPERM User watcher has no permissions to run the 'set' command");
      node(noReplicas, 0).config!['min-replicas-to-write'] = '1';
      node(noReplicas, 0).replication!.minReplicasGood = 0;

      // Act
      const found = [misconf, noReplicas].map((s) => withCode(run(s), 'MASTER_NOT_WRITABLE'));

      // Assess
      expect(found.map((f) => f.map((x) => x.details?.cause))).toEqual([['misconf-rdb'], ['noreplicas']]);
    });

    it('reads what INFO proves when the probe is off: PING MISCONF, too few good replicas, memory full', () => {
      // Prepare
      const misconf = healthySnapshot();
      node(misconf, 0).writeProbe = null;
      refusePing(node(misconf, 0), MISCONF);
      const noReplicas = healthySnapshot();
      node(noReplicas, 0).writeProbe = null;
      node(noReplicas, 0).config!['min-replicas-to-write'] = '1';
      node(noReplicas, 0).replication!.minReplicasGood = 0;
      const full = healthySnapshot();
      node(full, 0).writeProbe = null;
      setStats(node(full, 0), { usedMemory: 2000, maxMemory: 2000, maxMemoryPolicy: 'noeviction' });

      // Act
      const found = [misconf, noReplicas, full].map((s) => withCode(run(s), 'MASTER_NOT_WRITABLE')[0]);

      // Assess
      expect(found.map((f) => [f.details?.cause, f.details?.writeProbe])).toEqual([
        ['misconf-rdb', 'off'],
        ['noreplicas', 'off'],
        ['oom', 'off'],
      ]);
      expect(found[0].message).toContain(`the watcher's test write got "${MISCONF}"`);
      expect(found[1].message).toContain('(INFO shows it)');
    });

    it('believes a write that went through over INFO figures that look bad', () => {
      // Prepare: min_slaves_good_slaves 0 of 1 but the probe SET succeeded (the figure is stale)
      const current = healthySnapshot();
      node(current, 0).config!['min-replicas-to-write'] = '1';
      node(current, 0).replication!.minReplicasGood = 0;

      // Act
      const found = withCode(run(current), 'MASTER_NOT_WRITABLE');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised on a healthy master, nor on a snapshot stored before PING, stats and the probe existed', () => {
      // Act
      const healthy = run(healthySnapshot());
      const legacy = run(legacySnapshot(healthySnapshot()));

      // Assess
      expect(healthy.findings).toEqual([]);
      expect(legacy.findings).toEqual([]);
    });
  });

  describe('Code: MASTER_WRITES_AT_RISK', () => {
    it('warns when background saves fail while writes still go through', () => {
      // Prepare
      const current = healthySnapshot();
      setStats(node(current, 0), { rdbLastBgsaveOk: false });

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['MASTER_WRITES_AT_RISK']);
      expect(result.findings[0]).toMatchObject({
        severity: 'warning',
        subject: 'node 10.0.1.61:6379',
        details: { risks: ['bgsave-failing'] },
      });
      expect(result.findings[0].message).toContain('The master 10.0.1.61:6379 still takes writes, but');
      expect(result.findings[0].message).toContain('a restart loses everything since the last good save');
    });

    it('does not repeat "exactly min-replicas-to-write good replicas": the replica finding says it', () => {
      // Prepare: min-replicas-to-write 1, one of two replicas down, writes still go through
      const current = healthySnapshot();
      node(current, 0).config!['min-replicas-to-write'] = '1';
      node(current, 0).replication!.minReplicasGood = 1;
      fail(node(current, 2), 'refused');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['REPLICA_UNREACHABLE']);
    });

    it('warns about memory near maxmemory only under noeviction', () => {
      // Prepare
      const near = healthySnapshot();
      setStats(node(near, 0), { usedMemory: 950, maxMemory: 1000, maxMemoryPolicy: 'noeviction' });
      const cache = healthySnapshot();
      setStats(node(cache, 0), { usedMemory: 990, maxMemory: 1000, maxMemoryPolicy: 'allkeys-lru' });
      const roomy = healthySnapshot();
      setStats(node(roomy, 0), { usedMemory: 500, maxMemory: 1000, maxMemoryPolicy: 'noeviction' });

      // Act
      const found = [near, cache, roomy].map((s) => withCode(run(s), 'MASTER_WRITES_AT_RISK'));

      // Assess
      expect(found[0][0].message).toContain('it uses 95% of maxmemory');
      expect(found[1]).toEqual([]);
      expect(found[2]).toEqual([]);
    });

    it('warns when the master rejected connections at maxclients since the previous poll', () => {
      // Prepare
      const before = healthySnapshot({ at: NOW });
      const after = healthySnapshot({ at: NOW + MINUTE });
      setStats(node(after, 0), { rejectedConnections: 17, connectedClients: 10_000 });
      const first = run(before);

      // Act
      const result = run(after, { previous: before, state: first.state });

      // Assess
      expect(codesOf(result)).toEqual(['MASTER_WRITES_AT_RISK']);
      const [found] = result.findings;
      expect(found.subject).toBe('node 10.0.1.61:6379');
      expect(found.message).toContain('The master 10.0.1.61:6379 still takes writes, but');
      expect(found.message).toContain(
        'it rejected 17 connection(s) in the last 60 s (maxclients 10000 reached)',
      );
      expect(found.details).toEqual({ risks: ['connections-rejected'] });
    });

    it('reports the master’s risks when it is not the first node (after a failover), and no replica’s', () => {
      // Prepare: .62 is the master; .61, a replica, is near maxclients
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      setStats(node(current, 0), { connectedClients: 9_500 });
      setStats(node(current, 1), { rdbLastBgsaveOk: false });

      // Act
      const found = withCode(run(current), 'MASTER_WRITES_AT_RISK');

      // Assess
      expect(found.map((f) => [f.subject, f.details?.risks])).toEqual([
        ['node 10.0.1.62:6379', ['bgsave-failing']],
      ]);
    });

    it('does not count rejected connections from before the watcher first read the node, nor after a restart', () => {
      // Prepare
      const first = healthySnapshot({ at: NOW });
      setStats(node(first, 0), { rejectedConnections: 500 });
      const restarted = healthySnapshot({ at: NOW + MINUTE });
      setStats(node(restarted, 0), { rejectedConnections: 3 });

      // Act
      const a = run(first);
      const b = run(restarted, { previous: first, state: a.state });

      // Assess
      expect(a.findings).toEqual([]);
      expect(b.findings).toEqual([]);
    });

    it('warns when connections are near maxclients, and numbers several risks in one finding', () => {
      // Prepare
      const current = healthySnapshot();
      setStats(node(current, 0), { connectedClients: 9_500, rdbLastBgsaveOk: false });

      // Act
      const [found] = withCode(run(current), 'MASTER_WRITES_AT_RISK');

      // Assess
      expect(found.details).toEqual({ risks: ['bgsave-failing', 'connections-near-max'] });
      expect(found.message).toContain('(1) its last background save (RDB) failed');
      expect(found.message).toContain('(2) 9500 of maxclients 10000 connections are in use');
    });
  });
});
