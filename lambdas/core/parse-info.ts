// Parsers for `INFO` replies (data nodes and sentinels). Pure: text in, plain data out.
// Field names follow Redis 5.0-7.x, which still print `slave` spellings (`role:slave`, `slave0:`,
// `slave_repl_offset`, `slave_priority`); the `replica` spellings are accepted too in case a
// future version renames them.

import { BadReplyError } from './errors';
import { toFlag, toInt } from './parse-number';
import { releaseFromInfo } from './server-version';
import type { AttachedReplica, ClientInfo, NodeRole, NodeStats, ReplicationInfo, ServerInfo } from './types';

export type InfoFields = Readonly<Record<string, string>>;

/**
 * Flat `field -> value` map of an INFO reply: `# Section` headers, blank lines and lines without a
 * colon are skipped; the value is everything after the first colon (IPv6 addresses keep theirs).
 */
export const parseInfo = (text: string): Record<string, string> => {
  if (typeof text !== 'string') throw new BadReplyError('INFO', `expected text, got ${typeof text}`);
  const fields: Record<string, string> = Object.create(null);
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
};

const text = (fields: InfoFields, ...names: string[]): string | null => {
  for (const name of names) {
    const value = fields[name];
    if (value !== undefined) return value;
  }
  return null;
};

const int = (fields: InfoFields, ...names: string[]): number | null => toInt(text(fields, ...names));

const flag = (fields: InfoFields, ...names: string[]): boolean | null => toFlag(text(fields, ...names));

/** The `INFO server` fields the watcher uses; absent fields are null. */
export const parseServerInfo = (fields: InfoFields): ServerInfo => {
  const release = releaseFromInfo(fields);
  return {
    version: release?.version ?? null,
    flavour: release?.flavour ?? null,
    redisVersion: text(fields, 'redis_version'),
    runId: text(fields, 'run_id'),
    uptimeSeconds: int(fields, 'uptime_in_seconds'),
    // Valkey 8 renamed redis_mode to server_mode.
    mode: text(fields, 'redis_mode', 'server_mode'),
    tcpPort: int(fields, 'tcp_port'),
  };
};

const ROLES: Readonly<Record<string, NodeRole>> = { master: 'master', slave: 'replica', replica: 'replica' };

const REPLICA_LINE = /^(?:slave|replica)(\d+)$/;

/** `ip=10.0.1.62,port=6379,state=online,offset=1234,lag=0` → one attached replica. */
const parseReplicaLine = (key: string, value: string): AttachedReplica => {
  const parts: Record<string, string> = Object.create(null);
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const host = parts.ip;
  const port = toInt(parts.port);
  const state = parts.state;
  const offset = toInt(parts.offset);
  const lagSeconds = toInt(parts.lag);
  if (!host || port === null || !state || offset === null || lagSeconds === null) {
    throw new BadReplyError('INFO replication', `malformed ${key} line (needs ip, port, state, offset, lag)`);
  }
  return { host, port, state, offset, lagSeconds };
};

/**
 * `INFO replication` (or a full INFO) of a data node, master or replica. `role:slave` becomes
 * `'replica'`; `-1` values (`master_last_io_seconds_ago` and `master_link_down_since_seconds` when the
 * link has never been up) are kept as -1; absent fields are null.
 */
export const parseReplicationInfo = (fields: InfoFields): ReplicationInfo => {
  const roleText = text(fields, 'role');
  if (roleText === null) throw new BadReplyError('INFO replication', 'no role field');
  const role = ROLES[roleText];
  if (role === undefined) {
    throw new BadReplyError('INFO replication', `unknown role ${JSON.stringify(roleText.slice(0, 40))}`);
  }

  const numbered: [number, AttachedReplica][] = [];
  for (const [key, value] of Object.entries(fields)) {
    const match = REPLICA_LINE.exec(key);
    if (match) numbered.push([Number(match[1]), parseReplicaLine(key, value)]);
  }
  numbered.sort((a, b) => a[0] - b[0]);

  const linkStatus = text(fields, 'master_link_status');
  return {
    role,
    replId: text(fields, 'master_replid'),
    masterReplOffset: int(fields, 'master_repl_offset'),
    connectedReplicas: int(fields, 'connected_slaves', 'connected_replicas'),
    replicas: numbered.map(([, replica]) => replica),
    masterHost: text(fields, 'master_host'),
    masterPort: int(fields, 'master_port'),
    masterLinkStatus: linkStatus === 'up' || linkStatus === 'down' ? linkStatus : null,
    masterLastIoSecondsAgo: int(fields, 'master_last_io_seconds_ago'),
    masterSyncInProgress: flag(fields, 'master_sync_in_progress'),
    replicaReplOffset: int(fields, 'slave_repl_offset', 'replica_repl_offset'),
    replicaPriority: int(fields, 'slave_priority', 'replica_priority'),
    replicaReadOnly: flag(fields, 'slave_read_only', 'replica_read_only'),
    masterLinkDownSinceSeconds: int(fields, 'master_link_down_since_seconds'),
    minReplicasGood: int(fields, 'min_slaves_good_slaves', 'min_replicas_good_replicas'),
  };
};

/** `INFO` (or `INFO sentinel`) of a sentinel: TILT mode and how many masters it monitors. */
export const parseSentinelInfo = (fields: InfoFields): { tilt: boolean | null; masters: number | null } => ({
  tilt: flag(fields, 'sentinel_tilt'),
  masters: int(fields, 'sentinel_masters'),
});

/** `errorstat_READONLY:count=12` lines → `{ READONLY: 12 }`. */
export const parseErrorCounts = (fields: InfoFields): Record<string, number> => {
  const counts: Record<string, number> = Object.create(null);
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith('errorstat_')) continue;
    const count = toInt(/(?:^|,)count=(\d+)/.exec(value)?.[1]);
    if (count !== null) counts[key.slice('errorstat_'.length)] = count;
  }
  return counts;
};

/**
 * The write-health facts of a node from its `INFO persistence`, `memory`, `stats` and `clients`
 * sections (any subset: absent fields are null) and the text of `INFO errorstats`. A server without
 * that section (Redis before 6.2) answers with an empty text; one with it prints at least its
 * `# Errorstats` header, so an empty section is "no errors", not "unknown".
 */
export const parseNodeStats = (fields: InfoFields, errorstatsText: string | null): NodeStats => {
  const status = (name: string): boolean | null => {
    const value = text(fields, name);
    return value === 'ok' ? true : value === 'err' ? false : null;
  };
  const hasErrorstats = errorstatsText !== null && /^# ?Errorstats/im.test(errorstatsText);
  return {
    rdbLastBgsaveOk: status('rdb_last_bgsave_status'),
    aofEnabled: flag(fields, 'aof_enabled'),
    aofLastWriteOk: status('aof_last_write_status'),
    changesSinceLastSave: int(fields, 'rdb_changes_since_last_save'),
    loading: flag(fields, 'loading'),
    usedMemory: int(fields, 'used_memory'),
    maxMemory: int(fields, 'maxmemory'),
    maxMemoryPolicy: text(fields, 'maxmemory_policy'),
    rejectedConnections: int(fields, 'rejected_connections'),
    connectedClients: int(fields, 'connected_clients'),
    maxClients: int(fields, 'maxclients'),
    errorCounts: hasErrorstats ? parseErrorCounts(parseInfo(errorstatsText)) : null,
  };
};

/** `CLIENT LIST` text → one entry per line (addr, name, last command). Malformed lines are skipped. */
export const parseClientList = (text: string): ClientInfo[] => {
  if (typeof text !== 'string') throw new BadReplyError('CLIENT LIST', `expected text, got ${typeof text}`);
  const clients: ClientInfo[] = [];
  for (const line of text.split('\n')) {
    const fields: Record<string, string> = Object.create(null);
    for (const part of line.trim().split(' ')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
    }
    if (fields.addr)
      clients.push({ addr: fields.addr, name: fields.name ?? '', lastCommand: fields.cmd ?? '' });
  }
  return clients;
};
