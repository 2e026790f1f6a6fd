import {
  expiryEpochSeconds,
  maxLagBytes,
  toSnapshotRecord,
  worstSeverity,
} from '../../../lambdas/core/snapshot-record';
import type {
  AttachedReplica,
  NodeSnapshot,
  ReplicationInfo,
  SentinelSnapshot,
  Snapshot,
} from '../../../lambdas/core/types';

// A small builder of plain snapshots: one master on :6379, replicas on :6380.., sentinels on :26379..
const HOST = '10.0.1.61';

const replication = (patch: Partial<ReplicationInfo>): ReplicationInfo => ({
  role: 'master',
  replId: 'a'.repeat(40),
  masterReplOffset: null,
  connectedReplicas: null,
  replicas: [],
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
  ...patch,
});

const node = (port: number, patch: Partial<NodeSnapshot> = {}): NodeSnapshot => ({
  host: HOST,
  port,
  discoveredBy: ['sentinel'],
  reachable: true,
  error: null,
  rttMs: 0.4,
  role: 'master',
  server: {
    version: '7.0.15',
    runId: 'r'.repeat(40),
    uptimeSeconds: 1000,
    mode: 'standalone',
    tcpPort: port,
  },
  replication: null,
  roleReply: null,
  config: { 'min-replicas-to-write': '0' },
  ...patch,
});

const master = (offset: number, replicas: readonly AttachedReplica[]): NodeSnapshot =>
  node(6379, {
    role: 'master',
    replication: replication({ masterReplOffset: offset, connectedReplicas: replicas.length, replicas }),
  });

const replica = (port: number, offset: number | null, patch: Partial<ReplicationInfo> = {}): NodeSnapshot =>
  node(port, {
    role: 'replica',
    replication: replication({
      role: 'replica',
      masterHost: HOST,
      masterPort: 6379,
      masterLinkStatus: 'up',
      replicaReplOffset: offset,
      masterReplOffset: offset,
      ...patch,
    }),
  });

const attached = (port: number, offset: number, lagSeconds: number): AttachedReplica => ({
  host: HOST,
  port,
  state: 'online',
  offset,
  lagSeconds,
});

const sentinel = (port: number, patch: Partial<SentinelSnapshot> = {}): SentinelSnapshot => ({
  host: HOST,
  port,
  discoveredBy: ['config'],
  reachable: true,
  error: null,
  rttMs: 0.3,
  version: '7.0.15',
  runId: 's'.repeat(40),
  tilt: false,
  masterAddress: { host: HOST, port: 6379 },
  master: {
    name: 'mymaster',
    host: HOST,
    port: 6379,
    runId: 'r'.repeat(40),
    flags: ['master'],
    quorum: 2,
    numReplicas: 2,
    numOtherSentinels: 2,
    downAfterMs: 5000,
    failoverTimeoutMs: 60000,
    parallelSyncs: 1,
    configEpoch: 3,
    failoverState: null,
    roleReported: 'master',
    lastOkPingReplyMs: 100,
  },
  replicas: [],
  sentinels: [],
  ckquorum: {
    ok: true,
    message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached',
    usableSentinels: 3,
  },
  ...patch,
});

const snapshot = (patch: Partial<Snapshot> = {}): Snapshot => ({
  deployment: 'prod-cache',
  masterName: 'mymaster',
  takenAt: '2025-03-01T12:00:00.000Z',
  durationMs: 42,
  master: { host: HOST, port: 6379 },
  consensus: {
    votes: [{ address: { host: HOST, port: 6379 }, sentinels: ['a', 'b', 'c'] }],
    unanimous: true,
  },
  nodes: [
    master(10_000, [attached(6380, 9_000, 0), attached(6381, 4_000, 7)]),
    replica(6380, 9_500),
    replica(6381, 4_000),
  ],
  sentinels: [sentinel(26379), sentinel(26380), sentinel(26381)],
  findings: [],
  truncated: false,
  ...patch,
});

describe('Function: toSnapshotRecord', () => {
  it('names the release of each server (a Valkey by its own version), null when unknown', () => {
    // Prepare
    const valkey = { version: '8.0.1', flavour: 'valkey', redisVersion: '7.2.4' };
    const s = snapshot({
      nodes: [
        node(6379, { server: { ...node(6379).server!, ...valkey } }),
        node(6380, { reachable: false, server: null }),
      ],
      sentinels: [sentinel(26379, { version: '8.0.1', flavour: 'valkey' }), sentinel(26380)],
    });

    // Act
    const record = toSnapshotRecord(s, { retentionDays: 1 });

    // Assess
    expect(record.nodes.map((n) => n.version)).toEqual(['valkey 8.0.1', null]);
    expect(record.sentinels.map((x) => x.version)).toEqual(['valkey 8.0.1', 'redis 7.0.15']);
  });

  it('keeps the poll summary and sets the TTL retentionDays after takenAt', () => {
    // Act
    const record = toSnapshotRecord(snapshot(), { retentionDays: 30 });

    // Assess
    expect(record).toMatchObject({
      deployment: 'prod-cache',
      takenAt: '2025-03-01T12:00:00.000Z',
      durationMs: 42,
      master: '10.0.1.61:6379',
      unanimous: true,
      truncated: false,
    });
    expect(record.expiresAt).toBe(Date.parse('2025-03-31T12:00:00.000Z') / 1000);
    expect(Number.isInteger(record.expiresAt)).toBe(true);
  });

  it("computes lag bytes from the master's offset and the replica's own, and ACK age from the master's list", () => {
    // Act
    const [m, r1, r2] = toSnapshotRecord(snapshot(), { retentionDays: 30 }).nodes;

    // Assess
    expect(m).toEqual({
      address: '10.0.1.61:6379',
      role: 'master',
      reachable: true,
      error: null,
      version: 'redis 7.0.15',
      offset: 10_000,
      lagBytes: null,
      ackAgeSeconds: null,
      link: null,
      follows: null,
    });
    expect(r1).toMatchObject({ role: 'replica', offset: 9_500, lagBytes: 500, ackAgeSeconds: 0, link: 'up' });
    expect(r1.follows).toBe('10.0.1.61:6379');
    expect(r2).toMatchObject({ offset: 4_000, lagBytes: 6_000, ackAgeSeconds: 7 });
  });

  it('never reports negative lag, and null lag when either offset is unknown', () => {
    // Prepare: a replica read after its master has moved on; one whose offset is unknown; no master.
    const ahead = snapshot({ nodes: [master(100, []), replica(6380, 150), replica(6381, null)] });
    const noMaster = snapshot({
      master: null,
      nodes: [replica(6380, 150, { masterHost: null, masterPort: null })],
    });

    // Act
    const aheadNodes = toSnapshotRecord(ahead, { retentionDays: 1 }).nodes;
    const orphan = toSnapshotRecord(noMaster, { retentionDays: 1 }).nodes[0];

    // Assess
    expect(aheadNodes[1]).toMatchObject({ lagBytes: 0, ackAgeSeconds: null });
    expect(aheadNodes[2].lagBytes).toBeNull();
    expect(orphan).toMatchObject({ lagBytes: null, follows: null });
  });

  it('measures a replica against the master it follows when that differs from the consensus', () => {
    // Prepare: after a switch to :6380, :6381 still follows the old master :6379.
    const old = node(6379, { role: 'master', replication: replication({ masterReplOffset: 5_000 }) });
    const promoted = node(6380, { role: 'master', replication: replication({ masterReplOffset: 90_000 }) });
    const s = snapshot({ master: { host: HOST, port: 6380 }, nodes: [old, promoted, replica(6381, 4_000)] });

    // Act
    const lagging = toSnapshotRecord(s, { retentionDays: 1 }).nodes[2];

    // Assess
    expect(lagging).toMatchObject({ follows: '10.0.1.61:6379', lagBytes: 1_000 });
  });

  it('keeps error classes only, sentinel views and finding codes without messages', () => {
    // Prepare
    const s = snapshot({
      master: null,
      consensus: { votes: [], unanimous: false },
      nodes: [
        node(6379, {
          reachable: false,
          role: null,
          replication: null,
          error: { class: 'auth-rejected', message: 'WRONGPASS invalid username-password pair' },
        }),
      ],
      sentinels: [
        sentinel(26379, { tilt: true, master: { ...sentinel(26379).master!, flags: ['s_down', 'master'] } }),
        sentinel(26380, {
          reachable: false,
          error: { class: 'timeout', message: 'no answer in 500 ms' },
          tilt: null,
          masterAddress: null,
          master: null,
          ckquorum: null,
        }),
      ],
      findings: [
        {
          code: 'AUTH_FAILED',
          severity: 'critical',
          subject: 'node 10.0.1.61:6379',
          message: 'the password was rejected',
          details: { secret: 'never stored' },
        },
      ],
    });

    // Act
    const record = toSnapshotRecord(s, { retentionDays: 7 });

    // Assess
    expect(record.master).toBeNull();
    expect(record.unanimous).toBe(false);
    expect(record.nodes[0]).toMatchObject({
      reachable: false,
      role: null,
      error: 'auth-rejected',
      offset: null,
    });
    expect(record.sentinels).toEqual([
      {
        address: '10.0.1.61:26379',
        reachable: true,
        error: null,
        version: 'redis 7.0.15',
        master: '10.0.1.61:6379',
        flags: ['s_down', 'master'],
        ckquorumOk: true,
        tilt: true,
      },
      {
        address: '10.0.1.61:26380',
        reachable: false,
        error: 'timeout',
        version: 'redis 7.0.15',
        master: null,
        flags: null,
        ckquorumOk: null,
        tilt: null,
      },
    ]);
    expect(record.findings).toEqual([
      { code: 'AUTH_FAILED', severity: 'critical', subject: 'node 10.0.1.61:6379' },
    ]);
    expect(JSON.stringify(record)).not.toMatch(/WRONGPASS|never stored|password was/);
  });

  it('stays small: a 1 master + 2 replicas + 3 sentinels record is under 4 KB of JSON', () => {
    // Prepare
    const s = snapshot({
      findings: [
        {
          code: 'REPLICA_LAGGING',
          severity: 'warning',
          subject: 'node 10.0.1.61:6381',
          message: 'x'.repeat(500),
        },
        {
          code: 'CONFIG_RISK',
          severity: 'info',
          subject: 'sentinel 10.0.1.61:26379',
          message: 'y'.repeat(500),
        },
      ],
    });

    // Act
    const bytes = Buffer.byteLength(JSON.stringify(toSnapshotRecord(s, { retentionDays: 30 })));

    // Assess
    expect(bytes).toBeLessThan(4 * 1024);
    expect(bytes).toBeLessThan(Buffer.byteLength(JSON.stringify(s)) / 2);
  });

  it('rejects a takenAt that is not a time and a non-positive retention', () => {
    expect(() => toSnapshotRecord(snapshot({ takenAt: 'yesterday' }), { retentionDays: 30 })).toThrow(
      RangeError,
    );
    expect(() => expiryEpochSeconds('2025-03-01T12:00:00Z', 0)).toThrow(/retentionDays/);
  });
});

describe('Function: worstSeverity', () => {
  it('ranks critical over warning over info, and is null with no findings', () => {
    // Prepare
    const f = (severity: 'critical' | 'warning' | 'info') => ({ code: 'X', severity, subject: 'deployment' });

    // Act / Assess
    expect(worstSeverity({ findings: [] })).toBeNull();
    expect(worstSeverity({ findings: [f('info'), f('warning')] })).toBe('warning');
    expect(worstSeverity({ findings: [f('warning'), f('critical'), f('info')] })).toBe('critical');
  });
});

describe('Function: maxLagBytes', () => {
  it('is the largest known replica lag, or null when none is known', () => {
    // Prepare
    const record = toSnapshotRecord(snapshot(), { retentionDays: 1 });

    // Act / Assess
    expect(maxLagBytes(record)).toBe(6_000);
    expect(maxLagBytes({ nodes: [] })).toBeNull();
  });
});
