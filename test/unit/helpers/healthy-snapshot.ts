// A healthy 1 master + 2 replicas + 3 sentinels snapshot, as the probe would fill it, that tests
// mutate to inject one fault at a time (snapshot-faults.ts). Everything is a fresh deep copy, so
// tests cannot leak into each other. It carries the field-true facts the probe reads today (PING,
// write probe, INFO stats, the sentinels' PING history and config).

import { masterConsensus } from '../../../lambdas/core/consensus';
import type {
  Address,
  NodeSnapshot,
  NodeStats,
  SentinelSnapshot,
  Snapshot,
} from '../../../lambdas/core/types';

export type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

export type MutableSnapshot = DeepMutable<Snapshot>;
export type MutableNode = DeepMutable<NodeSnapshot>;
export type MutableSentinel = DeepMutable<SentinelSnapshot>;

/** 2026-05-01T10:00:00.000Z */
export const NOW = Date.UTC(2026, 4, 1, 10, 0, 0);
export const MINUTE = 60_000;

export const DATA: readonly Address[] = [
  { host: '10.0.1.61', port: 6379 },
  { host: '10.0.1.62', port: 6379 },
  { host: '10.0.1.63', port: 6379 },
];
export const SENTINELS: readonly Address[] = [
  { host: '10.0.1.61', port: 26379 },
  { host: '10.0.1.62', port: 26379 },
  { host: '10.0.1.63', port: 26379 },
];
export const MASTER_NAME = 'mymaster';
export const OFFSET = 1_000_000;

const key = (a: Address): string => `${a.host}:${a.port}`;

export interface SnapshotOptions {
  /** Index into DATA of the master (default 0). */
  readonly masterIndex?: number;
  /** Epoch ms of the poll (default NOW). */
  readonly at?: number;
  /** The master's config epoch as the sentinels report it (default 1). */
  readonly configEpoch?: number;
}

export function healthySnapshot(options: SnapshotOptions = {}): MutableSnapshot {
  const masterIndex = options.masterIndex ?? 0;
  const master = DATA[masterIndex];
  const replicas = DATA.filter((_, i) => i !== masterIndex);
  const nodes = DATA.map((a, i) => (i === masterIndex ? masterNode(a, replicas) : replicaNode(a, master)));
  const sentinels = SENTINELS.map((a) => sentinel(a, master, replicas, options.configEpoch ?? 1));
  const snapshot: MutableSnapshot = {
    deployment: 'prod-cache',
    masterName: MASTER_NAME,
    takenAt: new Date(options.at ?? NOW).toISOString(),
    durationMs: 42,
    master: { ...master },
    consensus: { votes: [], unanimous: true },
    nodes,
    sentinels,
    findings: [],
    truncated: false,
    unavailable: [],
  };
  return recount(snapshot);
}

/** Recomputes the consensus master from the sentinels' `masterAddress`, as the probe does. */
export function recount(snapshot: MutableSnapshot): MutableSnapshot {
  const { master, consensus } = masterConsensus(snapshot.sentinels as SentinelSnapshot[]);
  snapshot.master = master ? { ...master } : null;
  snapshot.consensus = JSON.parse(JSON.stringify(consensus));
  return snapshot;
}

function masterNode(a: Address, replicas: readonly Address[]): MutableNode {
  return {
    ...a,
    discoveredBy: ['config', 'sentinel'],
    reachable: true,
    error: null,
    rttMs: 1,
    role: 'master',
    server: {
      version: '7.0.15',
      runId: `run-${key(a)}`,
      uptimeSeconds: 86_400,
      mode: 'standalone',
      tcpPort: a.port,
    },
    replication: {
      role: 'master',
      replId: 'a'.repeat(40),
      masterReplOffset: OFFSET,
      connectedReplicas: replicas.length,
      replicas: replicas.map((r) => ({
        host: r.host,
        port: r.port,
        state: 'online',
        offset: OFFSET,
        lagSeconds: 0,
      })),
      masterHost: null,
      masterPort: null,
      masterLinkStatus: null,
      masterLastIoSecondsAgo: null,
      masterSyncInProgress: null,
      replicaReplOffset: null,
      replicaPriority: 100,
      replicaReadOnly: true,
      masterLinkDownSinceSeconds: null,
      minReplicasGood: null,
    },
    roleReply: {
      role: 'master',
      offset: OFFSET,
      replicas: replicas.map((r) => ({ host: r.host, port: r.port, offset: OFFSET })),
    },
    config: {
      'replica-priority': '100',
      'min-replicas-to-write': '0',
      masterauth: 'set',
      requirepass: 'set',
      'min-replicas-max-lag': '10',
    },
    ping: { ok: true },
    stats: healthyStats(),
    writeProbe: { ok: true },
  };
}

function replicaNode(a: Address, master: Address): MutableNode {
  return {
    ...a,
    discoveredBy: ['config', 'sentinel'],
    reachable: true,
    error: null,
    rttMs: 1,
    role: 'replica',
    server: {
      version: '7.0.15',
      runId: `run-${key(a)}`,
      uptimeSeconds: 86_400,
      mode: 'standalone',
      tcpPort: a.port,
    },
    replication: {
      role: 'replica',
      replId: 'a'.repeat(40),
      masterReplOffset: OFFSET,
      connectedReplicas: 0,
      replicas: [],
      masterHost: master.host,
      masterPort: master.port,
      masterLinkStatus: 'up',
      masterLastIoSecondsAgo: 1,
      masterSyncInProgress: false,
      replicaReplOffset: OFFSET,
      replicaPriority: 100,
      replicaReadOnly: true,
      masterLinkDownSinceSeconds: null,
      minReplicasGood: null,
    },
    roleReply: {
      role: 'replica',
      masterHost: master.host,
      masterPort: master.port,
      state: 'connected',
      offset: OFFSET,
    },
    config: {
      'replica-priority': '100',
      'min-replicas-to-write': '0',
      masterauth: 'set',
      requirepass: 'set',
      'min-replicas-max-lag': '10',
    },
    ping: { ok: true },
    stats: healthyStats(),
    writeProbe: null,
  };
}

/**
 * What INFO persistence/memory/stats/clients/errorstats say on a healthy Redis 7 node: the values of
 * the captured test/fixtures/redis7/info-master.txt, with no writes and no errors yet.
 */
export const healthyStats = (): DeepMutable<NodeStats> => ({
  rdbLastBgsaveOk: true,
  aofEnabled: false,
  aofLastWriteOk: true,
  changesSinceLastSave: 0,
  loading: false,
  usedMemory: 1_304_024,
  maxMemory: 0,
  maxMemoryPolicy: 'noeviction',
  rejectedConnections: 0,
  connectedClients: 5,
  maxClients: 10_000,
  errorCounts: {},
});

function sentinel(
  a: Address,
  master: Address,
  replicas: readonly Address[],
  configEpoch: number,
): MutableSentinel {
  return {
    ...a,
    discoveredBy: ['config', 'sentinel'],
    reachable: true,
    error: null,
    rttMs: 1,
    version: '7.0.15',
    runId: `sentinel-run-${key(a)}`,
    tilt: false,
    masterAddress: { ...master },
    master: {
      name: MASTER_NAME,
      host: master.host,
      port: master.port,
      runId: `run-${key(master)}`,
      flags: ['master'],
      quorum: 2,
      numReplicas: replicas.length,
      numOtherSentinels: SENTINELS.length - 1,
      downAfterMs: 5000,
      failoverTimeoutMs: 60_000,
      parallelSyncs: 1,
      configEpoch,
      failoverState: null,
      roleReported: 'master',
      lastOkPingReplyMs: 300,
      lastPingReplyMs: 300,
      sDownTimeMs: null,
      oDownTimeMs: null,
      infoRefreshMs: 5000,
    },
    replicas: replicas.map((r) => ({
      host: r.host,
      port: r.port,
      runId: `run-${key(r)}`,
      flags: ['slave'],
      masterLinkStatus: 'ok',
      masterHost: master.host,
      masterPort: master.port,
      replicaPriority: 100,
      replOffset: OFFSET,
      lastOkPingReplyMs: 300,
      lastPingReplyMs: 300,
      masterLinkDownTimeMs: 0,
      infoRefreshMs: 5000,
    })),
    sentinels: SENTINELS.filter((p) => key(p) !== key(a)).map((p) => ({
      host: p.host,
      port: p.port,
      runId: `sentinel-run-${key(p)}`,
      flags: ['sentinel'],
      lastHelloMessageMs: 500,
      lastOkPingReplyMs: 300,
      lastPingReplyMs: 300,
      votedLeader: null,
      votedLeaderEpoch: 0,
    })),
    ckquorum: {
      ok: true,
      message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached',
      usableSentinels: 3,
    },
    config: { announceIp: null, announcePort: null, sentinelUser: 'unset', sentinelPass: 'unset' },
  };
}

export function node(snapshot: MutableSnapshot, index: number): MutableNode {
  const n = snapshot.nodes.find((x) => x.host === DATA[index].host && x.port === DATA[index].port);
  if (!n) throw new Error(`no node ${key(DATA[index])} in the snapshot`);
  return n;
}

export function sentinelAt(snapshot: MutableSnapshot, index: number): MutableSentinel {
  const s = snapshot.sentinels.find(
    (x) => x.host === SENTINELS[index].host && x.port === SENTINELS[index].port,
  );
  if (!s) throw new Error(`no sentinel ${key(SENTINELS[index])} in the snapshot`);
  return s;
}
