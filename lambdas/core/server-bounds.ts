// What one server reported, bounded and in one spelling, before discovery, detection, alerts or storage
// see it. Every string a server controls is cut to a length no real server needs, every list to the
// deployment's caps, and every address it names is canonical (see canonicalHost), so that a hostile or
// broken server cannot grow a finding, an alert or the poller's stored state beyond a known size, and
// "127.0.0.1" announced by one sentinel is the same node as "::ffff:127.0.0.1" announced by another.

import { canonicalHost } from './address';
import { MAX_DRILL_LOCK_LENGTH } from './drill-lock';
import { MAX_NODES, MAX_SENTINELS } from './limits';
import type { Address, CommandCheck, NodeSnapshot, NodeStats, ProbeError, SentinelSnapshot } from './types';

/** Longest text kept from a server: host names are at most 253 characters, run ids 40, versions ~10. */
export const MAX_TEXT = 256;
/** Shorter fields: run and replication ids, versions, states, one flag. */
const MAX_WORD = 64;
/** Sentinel flags per server (`s_down,master,disconnected,...`: a handful in every Redis version). */
const MAX_FLAGS = 8;

/** Cuts text to `max` characters, marking the cut. */
export const cut = (text: string, max = MAX_TEXT): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
const cutOrNull = (text: string | null, max = MAX_TEXT): string | null =>
  text === null ? null : cut(text, max);

const host = (h: string): string => cut(canonicalHost(h));
const hostOrNull = (h: string | null): string | null => (h === null ? null : host(h));
const address = <A extends Address>(a: A): A => ({ ...a, host: host(a.host) });
const flags = (list: readonly string[]): string[] => list.slice(0, MAX_FLAGS).map((f) => cut(f, 32));
const error = (e: ProbeError | null): ProbeError | null =>
  e ? { ...e, message: cut(e.message, 500) } : null;
const check = (c: CommandCheck | null | undefined): CommandCheck | null | undefined =>
  c && {
    ...c,
    ...(c.errorCode !== undefined ? { errorCode: cut(c.errorCode, MAX_WORD) } : {}),
    ...(c.message !== undefined ? { message: cut(c.message) } : {}),
  };
/** Error codes kept from `INFO errorstats` (a server may invent any number); READONLY is always kept. */
const MAX_ERROR_CODES = 32;
const stats = (st: NodeStats | null | undefined): NodeStats | null | undefined => {
  if (!st) return st;
  const counts = st.errorCounts && Object.entries(st.errorCounts);
  return {
    ...st,
    maxMemoryPolicy: cutOrNull(st.maxMemoryPolicy, MAX_WORD),
    errorCounts:
      counts &&
      Object.fromEntries(
        [...counts.filter(([k]) => k === 'READONLY'), ...counts.filter(([k]) => k !== 'READONLY')]
          .slice(0, MAX_ERROR_CODES)
          .map(([k, v]) => [cut(k, MAX_WORD), v]),
      ),
  };
};

export function boundSentinel(s: SentinelSnapshot): SentinelSnapshot {
  return {
    ...s,
    error: error(s.error),
    version: cutOrNull(s.version, MAX_WORD),
    runId: cutOrNull(s.runId, MAX_WORD),
    masterAddress: s.masterAddress && address(s.masterAddress),
    master: s.master && {
      ...s.master,
      name: cut(s.master.name),
      host: host(s.master.host),
      runId: cutOrNull(s.master.runId, MAX_WORD),
      flags: flags(s.master.flags),
      failoverState: cutOrNull(s.master.failoverState, MAX_WORD),
      roleReported: cutOrNull(s.master.roleReported, MAX_WORD),
    },
    replicas: s.replicas.slice(0, MAX_NODES).map((r) => ({
      ...address(r),
      runId: cutOrNull(r.runId, MAX_WORD),
      flags: flags(r.flags),
      masterHost: hostOrNull(r.masterHost),
    })),
    sentinels: s.sentinels.slice(0, MAX_SENTINELS).map((p) => ({
      ...address(p),
      runId: cutOrNull(p.runId, MAX_WORD),
      flags: flags(p.flags),
      ...(p.votedLeader !== undefined ? { votedLeader: cutOrNull(p.votedLeader, MAX_WORD) } : {}),
    })),
    ckquorum: s.ckquorum && { ...s.ckquorum, message: cut(s.ckquorum.message) },
    ...(s.config ? { config: { ...s.config, announceIp: hostOrNull(s.config.announceIp) } } : {}),
  };
}

export function boundNode(n: NodeSnapshot): NodeSnapshot {
  const rep = n.replication;
  const role = n.roleReply;
  return {
    ...n,
    error: error(n.error),
    server: n.server && {
      ...n.server,
      version: cutOrNull(n.server.version, MAX_WORD),
      runId: cutOrNull(n.server.runId, MAX_WORD),
      mode: cutOrNull(n.server.mode, MAX_WORD),
    },
    replication: rep && {
      ...rep,
      replId: cutOrNull(rep.replId, MAX_WORD),
      masterHost: hostOrNull(rep.masterHost),
      replicas: rep.replicas
        .slice(0, MAX_NODES)
        .map((r) => ({ ...address(r), state: cut(r.state, MAX_WORD) })),
    },
    roleReply:
      role === null
        ? null
        : role.role === 'master'
          ? { ...role, replicas: role.replicas.slice(0, MAX_NODES).map(address) }
          : role.role === 'replica'
            ? { ...role, masterHost: host(role.masterHost), state: cut(role.state, MAX_WORD) }
            : { ...role, masterNames: role.masterNames.slice(0, MAX_NODES).map((m) => cut(m)) },
    config: n.config && Object.fromEntries(Object.entries(n.config).map(([k, v]) => [k, cut(v)])),
    // A signed drill lock is longer than MAX_TEXT; cut to MAX_TEXT it could never be verified.
    ...(n.drillLock
      ? { drillLock: { ...n.drillLock, owner: cut(n.drillLock.owner, MAX_DRILL_LOCK_LENGTH) } }
      : {}),
    ...(n.ping !== undefined ? { ping: check(n.ping) } : {}),
    ...(n.writeProbe !== undefined ? { writeProbe: check(n.writeProbe) } : {}),
    ...(n.stats !== undefined ? { stats: stats(n.stats) } : {}),
    ...(n.writingClients
      ? {
          writingClients: n.writingClients.slice(0, MAX_NODES).map((c) => ({
            addr: cut(c.addr, MAX_WORD),
            name: cut(c.name, MAX_WORD),
            lastCommand: cut(c.lastCommand, MAX_WORD),
          })),
        }
      : {}),
  };
}
