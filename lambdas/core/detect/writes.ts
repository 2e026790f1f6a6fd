// Does the master take writes, and will it keep taking them? Every process can answer PING while
// writers get MISCONF, NOREPLICAS, OOM or BUSY: the deployment is down for them.
//   - MASTER_NOT_WRITABLE (critical): the write probe (a SET of the watcher's own key) was refused,
//     or, with the probe off, INFO proves writes are refused (PING answered MISCONF; fewer good
//     replicas than min-replicas-to-write; used memory at maxmemory under noeviction).
//   - MASTER_WRITES_AT_RISK (warning): what refuses writes next on the master: snapshots or AOF
//     failing while writes still go through, memory near maxmemory under noeviction, clients rejected
//     at maxclients since the last poll or connections near it. (Exactly min-replicas-to-write good
//     replicas left is always the consequence of a replica finding or of CONFIG_RISK: not repeated.)
// READONLY from the named master is MONITORED_MASTER_IS_REPLICA; NOPERM means the watcher's ACL
// does not allow the probe (the snapshot lists the probe as unavailable), not that writers fail.

import type { CommandCheck, Finding, NodeSnapshot } from '../types';
import { formatAddress } from '../types';
import { nodeSubject } from './codes';
import type { NodeCounters } from './state';
import { configInt, formatBytes, formatDuration } from './text';
import { nodeReadable, refusesEverything, roleOf, type View } from './view';

export type WriteRefusal =
  | 'misconf-rdb'
  | 'misconf-aof'
  | 'noreplicas'
  | 'oom'
  | 'busy'
  | 'loading'
  | 'masterdown'
  | 'other';

/** Used memory at or above this share of maxmemory (noeviction) is a risk. */
const MEMORY_RISK = 0.9;
const CLIENTS_RISK = 0.9;

export function detectWrites(view: View): Finding[] {
  const findings: Finding[] = [];
  const master = view.masterNode;
  const refusing = master ? refusesEverything(master) : null;
  if (master && refusing) {
    // Every command of the poll got BUSY or LOADING: the write probe would too.
    const reply = { ok: false, errorCode: refusing, message: master.error?.message ?? refusing };
    return [notWritable(master, { cause: refusing === 'BUSY' ? 'busy' : 'loading', reply })];
  }
  if (master && nodeReadable(master) && roleOf(master) === 'master' && !view.masterIsReplica) {
    const refusal = refusalOf(master);
    if (refusal) findings.push(notWritable(master, refusal));
  }
  if (master && nodeReadable(master) && roleOf(master) === 'master' && findings.length === 0) {
    const risks = [...masterRisks(master), ...connectionRisks(view, master)];
    if (risks.length > 0) findings.push(atRisk(master, risks));
  }
  return findings;
}

/** Why the master refuses writes, from the write probe, else from what INFO and PING prove. */
export function refusalOf(node: NodeSnapshot): { cause: WriteRefusal; reply: CommandCheck | null } | null {
  const probe = node.writeProbe ?? null;
  if (probe && !probe.ok) {
    const cause = causeOfReply(node, probe);
    if (cause) return { cause, reply: probe };
    // A reply that says nothing about writers (NOPERM: the watcher's own ACL) leaves INFO to judge.
  }
  if (probe?.ok) return null;
  // No usable probe: only what proves writes are refused right now.
  if (node.ping && !node.ping.ok && node.ping.errorCode === 'MISCONF') {
    return { cause: causeOfReply(node, node.ping) ?? 'misconf-rdb', reply: node.ping };
  }
  const min = configInt(node.config?.['min-replicas-to-write']);
  const good = node.replication?.minReplicasGood ?? null;
  if (min !== null && min > 0 && good !== null && good < min) return { cause: 'noreplicas', reply: null };
  const s = node.stats;
  if (
    s?.maxMemoryPolicy === 'noeviction' &&
    s.maxMemory &&
    s.usedMemory !== null &&
    s.usedMemory >= s.maxMemory
  ) {
    return { cause: 'oom', reply: null };
  }
  return null;
}

function causeOfReply(node: NodeSnapshot, reply: CommandCheck): WriteRefusal | null {
  switch (reply.errorCode) {
    case 'MISCONF':
      return node.stats?.aofLastWriteOk === false && node.stats.rdbLastBgsaveOk !== false
        ? 'misconf-aof'
        : 'misconf-rdb';
    case 'NOREPLICAS':
      return 'noreplicas';
    case 'OOM':
      return 'oom';
    case 'BUSY':
      return 'busy';
    case 'LOADING':
      return 'loading';
    case 'MASTERDOWN':
      return 'masterdown';
    case 'READONLY':
    case 'NOPERM':
    case 'NOAUTH':
    case 'WRONGPASS':
      return null;
    default:
      return 'other';
  }
}

function notWritable(
  node: NodeSnapshot,
  refusal: { cause: WriteRefusal; reply: CommandCheck | null },
): Finding {
  const address = formatAddress(node);
  const s = node.stats;
  const min = configInt(node.config?.['min-replicas-to-write']);
  const good = node.replication?.minReplicasGood ?? null;
  const maxLag = configInt(node.config?.['min-replicas-max-lag']);
  const how = refusal.reply ? `the watcher's test write got "${refusal.reply.message}"` : 'INFO shows it';
  const text: Record<WriteRefusal, string> = {
    'misconf-rdb': `its last background save (RDB) failed, and with stop-writes-on-bgsave-error it refuses every write (MISCONF) until a save succeeds. Usual causes: a full or read-only disk, or the fork's child killed (OOM killer: see dmesg). Fix the disk or memory, then run BGSAVE; writes resume when it succeeds. Only as a stopgap, CONFIG SET stop-writes-on-bgsave-error no lets writes through unpersisted. While it answers PING with MISCONF the sentinels see it down and may fail it over.`,
    'misconf-aof': `its AOF writes fail (aof_last_write_status:err), so it refuses every write (MISCONF). Usual cause: a full disk. Free space on the AOF's disk; writes resume once an AOF write succeeds. While it answers PING with MISCONF the sentinels see it down and may fail it over.`,
    noreplicas: `min-replicas-to-write is ${min ?? '?'} but only ${good ?? '?'} replica(s) are connected and acknowledged within min-replicas-max-lag (${maxLag ?? '?'} s), so every write gets NOREPLICAS. Bring the replicas back (see their own alerts). Lowering min-replicas-to-write restores writes but gives up the protection against writes lost in a failover.`,
    oom: `it is at maxmemory (${s?.usedMemory != null ? formatBytes(s.usedMemory) : '?'} used of ${s?.maxMemory ? formatBytes(s.maxMemory) : '?'}) with maxmemory-policy ${s?.maxMemoryPolicy ?? 'noeviction'}, so writes that need memory get OOM. Raise maxmemory (CONFIG SET maxmemory, within the host's RAM), delete or expire keys, or use an eviction policy if the data is a cache.`,
    busy: `a Lua script or function has run longer than busy-reply-threshold (lua-time-limit) and it answers everything with BUSY. SCRIPT KILL (or FUNCTION KILL) stops it if it has not written yet; if it has, Redis refuses that (UNKILLABLE) and only a restart ends it, losing its writes. Sentinel itself sends SCRIPT KILL once it sees the master down.`,
    loading: `it is loading its data set (after a restart or a full sync) and refuses commands until done. Wait; if it lasts, check the data set size and the disk.`,
    masterdown: `it answers MASTERDOWN: it is a replica that lost its master and is set not to serve stale data.`,
    other: `writes fail with an unexpected error. Check its log.`,
  };
  return {
    code: 'MASTER_NOT_WRITABLE',
    severity: 'critical',
    subject: nodeSubject(node),
    message: `The master ${address} does not take writes (${how}): ${text[refusal.cause]} Clients that write are down until this is fixed.`,
    details: {
      cause: refusal.cause,
      errorCode: refusal.reply?.errorCode ?? null,
      writeProbe: node.writeProbe ? 'used' : 'off',
      ...(refusal.cause === 'noreplicas' ? { minReplicasToWrite: min, goodReplicas: good } : {}),
    },
  };
}

interface Risk {
  readonly risk: string;
  readonly text: string;
}

function masterRisks(node: NodeSnapshot): Risk[] {
  const s = node.stats;
  const risks: Risk[] = [];
  if (s?.rdbLastBgsaveOk === false) {
    risks.push({
      risk: 'bgsave-failing',
      text: 'its last background save (RDB) failed while writes still go through (stop-writes-on-bgsave-error is off or no save points are set): a restart loses everything since the last good save. Check the disk and the OOM killer, then BGSAVE.',
    });
  }
  if (s?.aofEnabled && s.aofLastWriteOk === false) {
    risks.push({
      risk: 'aof-failing',
      text: 'its AOF writes fail: writes are not persisted, and Redis will refuse writes (MISCONF) when it notices. Free disk space on the AOF volume.',
    });
  }
  if (s?.maxMemoryPolicy === 'noeviction' && s.maxMemory && s.usedMemory !== null) {
    const share = s.usedMemory / s.maxMemory;
    if (share >= MEMORY_RISK && share < 1) {
      risks.push({
        risk: 'memory-near-max',
        text: `it uses ${Math.round(share * 100)}% of maxmemory (${formatBytes(s.usedMemory)} of ${formatBytes(s.maxMemory)}) with maxmemory-policy noeviction: writes get OOM once it is full. Raise maxmemory or free keys.`,
      });
    }
  }
  return risks;
}

/** Clients refused at maxclients since the previous poll, or connections near the limit. */
function connectionRisks(view: View, node: NodeSnapshot): Risk[] {
  const s = node.stats;
  const risks: Risk[] = [];
  const before: NodeCounters | undefined = view.state.counters?.[nodeSubject(node)];
  const rejected = s?.rejectedConnections ?? null;
  if (rejected !== null && before?.rejectedConnections != null && rejected > before.rejectedConnections) {
    const grew = rejected - before.rejectedConnections;
    risks.push({
      risk: 'connections-rejected',
      text: `it rejected ${grew} connection(s) in the last ${formatDuration(view.now - before.at)} (maxclients ${s?.maxClients ?? '?'} reached): clients cannot connect. Raise maxclients (and the file descriptor limit), or find the client leaking connections (CLIENT LIST).`,
    });
  } else if (
    s?.maxClients &&
    s.connectedClients !== null &&
    s.connectedClients >= s.maxClients * CLIENTS_RISK
  ) {
    risks.push({
      risk: 'connections-near-max',
      text: `${s.connectedClients} of maxclients ${s.maxClients} connections are in use: new clients will be rejected soon.`,
    });
  }
  return risks;
}

function atRisk(node: NodeSnapshot, risks: readonly Risk[]): Finding {
  const text = risks.length === 1 ? risks[0].text : risks.map((r, i) => `(${i + 1}) ${r.text}`).join(' ');
  return {
    code: 'MASTER_WRITES_AT_RISK',
    severity: 'warning',
    subject: nodeSubject(node),
    message: `The master ${formatAddress(node)} still takes writes, but: ${text}`,
    details: { risks: risks.map((r) => r.risk) },
  };
}
