import { BadReplyError } from '../../../lambdas/core/errors';
import { parseInfo, parseReplicationInfo } from '../../../lambdas/core/parse-info';
import { type FixtureVersion, fixture } from '../helpers/fixtures';

const info = (version: FixtureVersion, name: string) => parseInfo(fixture(version, name));

describe('Function: parseReplicationInfo', () => {
  it('reads a real Redis 7 master with one online replica', () => {
    // Prepare
    const fields = info('redis7', 'info-master.txt');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication).toEqual({
      role: 'master',
      replId: 'c4144fcae472bd831e3cab189aebcb533b8dffd3',
      masterReplOffset: 4805,
      connectedReplicas: 1,
      replicas: [{ host: '127.0.0.1', port: 6691, state: 'online', offset: 4805, lagSeconds: 0 }],
      masterHost: null,
      masterPort: null,
      masterLinkStatus: null,
      masterLastIoSecondsAgo: null,
      masterSyncInProgress: null,
      replicaReplOffset: null,
      replicaPriority: null,
      replicaReadOnly: null,
      masterLinkDownSinceSeconds: null,
      minReplicasGood: null,
    });
  });

  it('shows the lag and offset gap of a frozen replica on a real Redis 7 master', () => {
    // Prepare
    const fields = info('redis7', 'info-replication-master-replica-lagging.txt');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication.masterReplOffset).toBe(29075);
    expect(replication.replicas).toEqual([
      { host: '127.0.0.1', port: 6691, state: 'online', offset: 7895, lagSeconds: 5 },
    ]);
  });

  it('reads a real Redis 7 replica with its link up (role:slave becomes replica)', () => {
    // Prepare
    const fields = info('redis7', 'info-replica.txt');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication).toEqual({
      role: 'replica',
      replId: 'c4144fcae472bd831e3cab189aebcb533b8dffd3',
      masterReplOffset: 4805,
      connectedReplicas: 0,
      replicas: [],
      masterHost: '127.0.0.1',
      masterPort: 6690,
      masterLinkStatus: 'up',
      masterLastIoSecondsAgo: 1,
      masterSyncInProgress: false,
      replicaReplOffset: 4805,
      replicaPriority: 100,
      replicaReadOnly: true,
      // Redis 7 prints master_link_down_since_seconds only while the link is down.
      masterLinkDownSinceSeconds: null,
      minReplicasGood: null,
    });
  });

  it('keeps -1 for a real Redis 7 replica whose link has never been up', () => {
    // Prepare
    const fields = info('redis7', 'info-replication-replica-link-never-up.txt');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication.role).toBe('replica');
    expect(replication.masterLinkStatus).toBe('down');
    expect(replication.masterLastIoSecondsAgo).toBe(-1);
    expect(replication.masterLinkDownSinceSeconds).toBe(-1);
    expect(replication.replicaReplOffset).toBe(1);
    expect(replication.masterReplOffset).toBe(0);
  });

  it('reads a real Redis 5 master with two replicas and min-replicas-to-write', () => {
    // Prepare
    const fields = info('redis5', 'info-master.txt');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    const offset = Number(fields.master_repl_offset);
    expect(offset).toBeGreaterThan(0);
    expect(replication.role).toBe('master');
    expect(replication.connectedReplicas).toBe(2);
    expect(replication.minReplicasGood).toBe(2);
    expect(replication.masterReplOffset).toBe(offset);
    const replicas = [...replication.replicas].sort((a, b) => a.port - b.port);
    expect(replicas).toEqual([
      {
        host: '127.0.0.1',
        port: 8301,
        state: 'online',
        offset: expect.any(Number),
        lagSeconds: expect.any(Number),
      },
      {
        host: '127.0.0.1',
        port: 8302,
        state: 'online',
        offset: expect.any(Number),
        lagSeconds: expect.any(Number),
      },
    ]);
    // Acknowledged offsets trail the master's by at most its last replication PINGs.
    for (const r of replicas) expect(offset - r.offset).toBeGreaterThanOrEqual(0);
    for (const r of replicas) expect(offset - r.offset).toBeLessThan(1000);
  });

  it('reads a real Redis 5 replica whose master was killed', () => {
    // Prepare
    const fields = info('redis5', 'info-replica-link-down.txt');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication).toMatchObject({
      role: 'replica',
      masterHost: '127.0.0.1',
      masterPort: 8300,
      masterLinkStatus: 'down',
      masterLastIoSecondsAgo: -1,
      masterLinkDownSinceSeconds: Number(fields.master_link_down_since_seconds),
      replicaPriority: 100,
      replicaReadOnly: true,
      replicaReplOffset: Number(fields.slave_repl_offset),
    });
    expect(replication.masterLinkDownSinceSeconds).toBeGreaterThan(0);
  });

  it('reads a real Valkey 8 master the same way', () => {
    // Prepare
    const fields = info('valkey8', 'info-master.txt');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication.role).toBe('master');
    expect(replication.replicas.map((r) => r.port).sort()).toEqual([8301, 8302]);
    for (const r of replication.replicas) expect(r.offset).toBeGreaterThan(0);
    for (const r of replication.replicas)
      expect(r.offset).toBeLessThanOrEqual(Number(fields.master_repl_offset));
    expect(replication.minReplicasGood).toBe(2);
  });

  it('accepts the replica spellings a future version may use', () => {
    // Prepare
    const fields = parseInfo(
      [
        'role:replica',
        'master_host:10.0.1.61',
        'master_port:6379',
        'master_link_status:up',
        'master_sync_in_progress:1',
        'replica_repl_offset:900',
        'replica_priority:10',
        'replica_read_only:0',
        'connected_replicas:1',
        'min_replicas_good_replicas:1',
        'replica0:ip=10.0.1.64,port=6380,state=wait_bgsave,offset=0,lag=0',
      ].join('\r\n'),
    );

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication).toMatchObject({
      role: 'replica',
      masterSyncInProgress: true,
      replicaReplOffset: 900,
      replicaPriority: 10,
      replicaReadOnly: false,
      connectedReplicas: 1,
      minReplicasGood: 1,
      replicas: [{ host: '10.0.1.64', port: 6380, state: 'wait_bgsave', offset: 0, lagSeconds: 0 }],
    });
  });

  it('orders replicas by their number and keeps IPv6 addresses whole', () => {
    // Prepare
    const fields = parseInfo(
      [
        'role:master',
        'slave10:ip=10.0.0.10,port=6379,state=online,offset=10,lag=0',
        'slave2:ip=::1,port=6379,state=online,offset=2,lag=0',
        'slave_expires_tracked_keys:0',
        'replica_announced:1',
      ].join('\n'),
    );

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication.replicas.map((r) => r.host)).toEqual(['::1', '10.0.0.10']);
  });

  it('gives null, never NaN, for garbage numbers', () => {
    // Prepare
    const fields = parseInfo('role:slave\nmaster_port:abc\nmaster_repl_offset:1.5\nslave_read_only:yes\n');

    // Act
    const replication = parseReplicationInfo(fields);

    // Assess
    expect(replication.masterPort).toBeNull();
    expect(replication.masterReplOffset).toBeNull();
    expect(replication.replicaReadOnly).toBeNull();
  });

  it('throws BadReplyError when there is no role field (e.g. INFO of a sentinel)', () => {
    // Prepare
    const fields = info('redis7', 'info-sentinel.txt');

    // Act & Assess
    expect(() => parseReplicationInfo(fields)).toThrow(BadReplyError);
    expect(() => parseReplicationInfo({})).toThrow('unexpected reply to INFO replication: no role field');
  });

  it('throws BadReplyError for an unknown role', () => {
    // Prepare
    const fields = parseInfo('role:leader\r\n');

    // Act & Assess
    expect(() => parseReplicationInfo(fields)).toThrow(BadReplyError);
  });

  it('throws BadReplyError for a malformed replica line', () => {
    // Prepare
    const fields = parseInfo('role:master\r\nslave0:ip=10.0.1.62,state=online,offset=1,lag=0\r\n');

    // Act & Assess
    expect(() => parseReplicationInfo(fields)).toThrow(BadReplyError);
  });
});
