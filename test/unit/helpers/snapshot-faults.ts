// Faults injected into a healthy snapshot (healthy-snapshot.ts), one at a time, the way the probe
// would report them; `legacySnapshot` strips the field-true facts to what a snapshot stored before
// they existed looks like.

import type { Address, NodeStats, ProbeErrorClass } from '../../../lambdas/core/types';
import {
  type DeepMutable,
  healthyStats,
  type MutableNode,
  type MutableSentinel,
  type MutableSnapshot,
  OFFSET,
  SENTINELS,
  sentinelAt,
} from './healthy-snapshot';

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
