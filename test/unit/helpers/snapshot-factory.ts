// A healthy 1 master + 2 replicas + 3 sentinels snapshot, as the probe would fill it, that tests
// mutate to inject one fault at a time. Everything is a fresh deep copy, so tests cannot leak into
// each other. It carries the field-true facts the probe reads today (PING, write probe, INFO stats,
// the sentinels' PING history and config); `legacySnapshot` strips them to what a snapshot stored
// before they existed looks like.

import { masterConsensus } from '../../../lambdas/core/consensus';
import {
  type DetectionSettings,
  type DetectionState,
  type DetectResult,
  type DrillContext,
  detect,
  emptyDetectionState,
} from '../../../lambdas/core/detect';
import { parseSentinelEvent, type SentinelEvent } from '../../../lambdas/core/sentinel-event';
import type {
  Address,
  NodeSnapshot,
  NodeStats,
  ProbeErrorClass,
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

/** Makes a server unreadable the way the probe reports it. Auth failures keep `reachable: true`. */
export function fail(server: MutableNode | MutableSentinel, errorClass: ProbeErrorClass): void {
  const answered = errorClass.startsWith('auth-') || errorClass === 'unknown-master';
  server.reachable = answered;
  server.error = { class: errorClass, message: `simulated ${errorClass}` };
  server.rttMs = answered ? 1 : null;
  if (errorClass === 'auth-not-configured') return; // commands still run: the data is there
  if ('replication' in server) {
    server.role = null;
    server.server = null;
    server.replication = null;
    server.roleReply = null;
    server.config = null;
    server.ping = null;
    server.stats = null;
    server.writeProbe = null;
  } else {
    server.version = null;
    server.runId = null;
    server.tilt = null;
    server.masterAddress = null;
    server.master = null;
    server.replicas = [];
    server.sentinels = [];
    server.ckquorum = null;
    server.config = null;
  }
}

export const testSettings = (overrides: Partial<DetectionSettings> = {}): DetectionSettings => ({
  expectedReplicas: 2,
  expectedSentinels: 3,
  maxLagBytes: 1_048_576,
  maxLagSeconds: 10,
  minDownAfterMs: 1500,
  flapWindowMs: null,
  flapWindowFallbackMs: 600_000,
  failoverTimeoutFallbackMs: 180_000,
  ...overrides,
});

export interface RunOptions {
  readonly previous?: MutableSnapshot | null;
  readonly state?: DetectionState;
  readonly settings?: Partial<DetectionSettings>;
  readonly now?: number;
  readonly drill?: DrillContext;
  /** Sentinel events heard recently (watch, or the poller between polls). */
  readonly events?: readonly SentinelEvent[];
}

/**
 * A drill the watcher verified (a lock signed with its drill key, heartbeat fresh) that fails over
 * `from` and has sent SENTINEL FAILOVER at `startedAt`.
 */
export const trustedDrill = (
  id: string,
  startedAt: number,
  from: Address = DATA[0],
  patch: Partial<DrillContext> = {},
): DrillContext => ({ id, startedAt, verified: true, from, failoverAt: startedAt, ...patch });

/** Runs detection on a snapshot with test defaults. */
export function run(current: MutableSnapshot, options: RunOptions = {}): DetectResult {
  return detect({
    current: current as Snapshot,
    previous: (options.previous ?? null) as Snapshot | null,
    state: options.state ?? emptyDetectionState(),
    settings: testSettings(options.settings),
    now: options.now ?? Date.parse(current.takenAt),
    ...(options.drill ? { context: { drill: options.drill } } : {}),
    ...(options.events ? { events: options.events } : {}),
  });
}

/** The findings of one code, for assertions. */
export const withCode = (result: DetectResult, code: string) =>
  result.findings.filter((f) => f.code === code);

/** The codes of a result, in its order: for "nothing else fires" assertions. */
export const codesOf = (result: DetectResult): string[] => result.findings.map((f) => f.code);

/** A sentinel's view of one server (its master, a replica or a peer), as SENTINEL MASTER/REPLICAS/SENTINELS give it. */
type SentinelViewOf = {
  flags: string[];
  lastOkPingReplyMs?: number | null;
  lastPingReplyMs?: number | null;
};

/**
 * Sets a sentinel's PING history with a server: ms since its last acceptable reply (PONG), and
 * since any reply (an error such as NOAUTH counts).
 */
export function pingHistory(view: SentinelViewOf, okAgoMs: number | null, anyAgoMs: number | null): void {
  view.lastOkPingReplyMs = okAgoMs;
  view.lastPingReplyMs = anyAgoMs;
}

/**
 * A sentinel flags a server down (`s_down`, `disconnected`) for a minute: `answers: 'errors'` as
 * with a wrong auth-pass (it gets NOAUTH back), `'nothing'` as with a network fault.
 */
export function flagDown(view: SentinelViewOf, answers: 'errors' | 'nothing', forMs = 60_000): void {
  view.flags = ['s_down', ...view.flags.filter((f) => f !== 's_down'), 'disconnected'];
  pingHistory(view, forMs, answers === 'errors' ? 400 : forMs);
}

/** Every sentinel flags the master and every replica down, as with one auth-pass wrong everywhere. */
export function sentinelsCannotAuthenticate(snapshot: MutableSnapshot, indexes = [0, 1, 2]): void {
  for (const i of indexes) {
    const s = sentinelAt(snapshot, i);
    flagDown(s.master!, 'errors');
    for (const r of s.replicas) flagDown(r, 'errors');
  }
  if (indexes.length >= 2) for (const i of indexes) sentinelAt(snapshot, i).master!.flags.unshift('o_down');
}

/** Changes a node's INFO stats. */
export function setStats(n: MutableNode, stats: Partial<NodeStats>): void {
  n.stats = { ...(n.stats ?? healthyStats()), ...(stats as DeepMutable<NodeStats>) };
}

/** The watcher's write probe on a node was refused with this error reply. */
export function refuseWrites(n: MutableNode, message: string): void {
  n.writeProbe = { ok: false, errorCode: /^[A-Z]+/.exec(message)?.[0] ?? 'ERR', message };
}

/** A node answers the watcher's PING with this error reply. */
export function refusePing(n: MutableNode, message: string): void {
  n.ping = { ok: false, errorCode: /^[A-Z]+/.exec(message)?.[0] ?? 'ERR', message };
}

/** A node reports role:master (as an old master restarted with its old config does). */
export function claimMaster(n: MutableNode, options: { uptimeSeconds?: number; runId?: string } = {}): void {
  n.role = 'master';
  n.replication = {
    ...n.replication!,
    role: 'master',
    masterHost: null,
    masterPort: null,
    masterLinkStatus: null,
    connectedReplicas: 0,
    replicas: [],
  };
  n.roleReply = { role: 'master', offset: OFFSET, replicas: [] };
  if (options.uptimeSeconds !== undefined) n.server!.uptimeSeconds = options.uptimeSeconds;
  if (options.runId !== undefined) n.server!.runId = options.runId;
}

/** A Sentinel pub/sub event as the watcher parses it (payload in Sentinel's own format). */
export const sentinelEvent = (
  at: number,
  type: string,
  payload: string,
  sentinel = `${SENTINELS[0].host}:${SENTINELS[0].port}`,
): SentinelEvent => parseSentinelEvent(type, payload, sentinel, at);

/** `master mymaster <ip> <port>`: the payload of an event about the master at DATA[index]. */
export const masterPayload = (index = 0): string =>
  `master ${MASTER_NAME} ${DATA[index].host} ${DATA[index].port}`;

/**
 * The snapshot as one stored before the field-true facts existed: no PING, write probe, stats,
 * writing clients, sentinel PING history, election votes, sentinel config or unavailable checks.
 */
export function legacySnapshot(snapshot: MutableSnapshot): MutableSnapshot {
  const copy = JSON.parse(JSON.stringify(snapshot)) as Record<string, unknown> & MutableSnapshot;
  delete copy.unavailable;
  for (const n of copy.nodes) {
    delete n.ping;
    delete n.stats;
    delete n.writeProbe;
    delete n.writingClients;
  }
  for (const s of copy.sentinels) {
    delete s.config;
    if (s.master) {
      delete s.master.lastPingReplyMs;
      delete s.master.sDownTimeMs;
      delete s.master.oDownTimeMs;
      delete s.master.infoRefreshMs;
    }
    for (const r of s.replicas) {
      delete r.lastOkPingReplyMs;
      delete r.lastPingReplyMs;
      delete r.masterLinkDownTimeMs;
      delete r.infoRefreshMs;
    }
    for (const p of s.sentinels) {
      delete p.lastOkPingReplyMs;
      delete p.lastPingReplyMs;
      delete p.votedLeader;
      delete p.votedLeaderEpoch;
    }
  }
  return copy;
}

/**
 * The sentinel at SENTINELS[index] announces `wrong` (a bad announce-ip / announce-port): its peers
 * list its run id under that address, and the probe, which learns peers from them, finds nothing
 * answering there.
 */
export function announceWrongAddress(snapshot: MutableSnapshot, index: number, wrong: Address): void {
  const real = SENTINELS[index];
  for (const s of snapshot.sentinels) {
    for (const p of s.sentinels) {
      if (p.host === real.host && p.port === real.port) {
        p.host = wrong.host;
        p.port = wrong.port;
        flagDown(p, 'nothing');
      }
    }
  }
  sentinelAt(snapshot, index).config!.announceIp = wrong.host;
  const phantom: MutableSentinel = JSON.parse(JSON.stringify(sentinelAt(snapshot, index)));
  Object.assign(phantom, { host: wrong.host, port: wrong.port, discoveredBy: ['sentinel'] });
  fail(phantom, 'timeout');
  snapshot.sentinels.push(phantom);
}

/** The watcher lists the first sentinel only and finds the others from its peers. */
export function listedByOneAddress(snapshot: MutableSnapshot): MutableSnapshot {
  for (const s of snapshot.sentinels.slice(1)) s.discoveredBy = ['sentinel'];
  return snapshot;
}

/**
 * Every sentinel still lists a replaced sentinel at `host`:26379 (an old run id, flagged down), and
 * counts it; with `probed`, the watcher also tried that address, as it does with every peer.
 */
export function staleSentinelEntry(snapshot: MutableSnapshot, host: string, probed: boolean): void {
  for (const s of snapshot.sentinels) {
    s.master!.numOtherSentinels += 1;
    s.sentinels.push({
      host,
      port: 26379,
      runId: 'old-run-id',
      flags: ['s_down', 'sentinel', 'disconnected'],
      lastHelloMessageMs: 900_000,
      lastOkPingReplyMs: 900_000,
      lastPingReplyMs: 900_000,
      votedLeader: null,
      votedLeaderEpoch: 0,
    });
  }
  if (!probed) return;
  const stale: MutableSentinel = JSON.parse(JSON.stringify(sentinelAt(snapshot, 0)));
  Object.assign(stale, { host, discoveredBy: ['sentinel'] });
  fail(stale, 'timeout');
  snapshot.sentinels.push(stale);
}
