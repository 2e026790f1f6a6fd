// Pure readers: a batch outcome (plain data from the network port) in, a typed server snapshot out.
// They decide what counts as reachable and which error a server is reported with.

import type { BatchOutcome, RedisCommand, Reply } from './batch';
import { drillLockKey } from './drill-context';
import { BadReplyError } from './errors';
import {
  parseClientList,
  parseInfo,
  parseNodeStats,
  parseReplicationInfo,
  parseSentinelInfo,
  parseServerInfo,
} from './parse-info';
import { parseRoleReply } from './parse-role';
import {
  parseCkQuorum,
  parseMasterAddr,
  parseSentinelConfig,
  parseSentinelMaster,
  parseSentinelPeers,
  parseSentinelReplicas,
} from './parse-sentinel';
import { classifyError, type RawError, redact, toProbeError } from './probe-error';
import type {
  Address,
  ClientInfo,
  CommandCheck,
  NodeSnapshot,
  NodeStats,
  ProbeError,
  SentinelSnapshot,
} from './types';
import { isWriteCommand } from './write-commands';

export const sentinelCommands = (masterName: string): RedisCommand[] => [
  ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName],
  ['SENTINEL', 'MASTER', masterName],
  ['SENTINEL', 'REPLICAS', masterName],
  ['SENTINEL', 'SENTINELS', masterName],
  ['SENTINEL', 'CKQUORUM', masterName],
  ['INFO'],
  // Redis 6.2+: announce address and sentinel-to-sentinel credentials (read quietly: older sentinels
  // refuse it, and that is no fault of theirs).
  ['SENTINEL', 'CONFIG', 'GET', '*'],
  // Redis 6.2+: the id its peers list it under (not INFO's run_id, which changes on every restart).
  ['SENTINEL', 'MYID'],
];

/** Redis before 5.0 knows only `SENTINEL SLAVES`; the probe retries with it when REPLICAS is refused. */
export const legacyReplicasCommand = (masterName: string): RedisCommand => ['SENTINEL', 'SLAVES', masterName];

/** The key the write probe sets on the master, and how long it lives. */
export const writeProbeKey = (deployment: string): string => `sentinel-watch:probe:${deployment}`;
export const WRITE_PROBE_TTL_MS = 60_000;

/** Where each fact sits in a node's batch (the write probe, when asked, comes last). */
const NODE = {
  replication: 0,
  server: 1,
  role: 2,
  lockOwner: 3,
  lockTtl: 4,
  config: [5, 6, 7, 8, 9],
  ping: 10,
  stats: [11, 12, 13, 14],
  errorstats: 15,
  writeProbe: 16,
} as const;

export interface NodeCommandOptions {
  /** Set the write probe key (only on the node the sentinels name master); the value is the poll time. */
  readonly writeProbe?: { readonly value: string } | null;
}

// Separate INFO sections and one CONFIG parameter per call: Redis 5 accepts only one of each. The
// drill lock key tells a drill's own failover from an unplanned one (see drill-context.ts). PING and
// the write-health sections say whether the node takes writes, whatever INFO replication claims.
export const nodeCommands = (deployment: string, options: NodeCommandOptions = {}): RedisCommand[] => [
  ['INFO', 'replication'],
  ['INFO', 'server'],
  ['ROLE'],
  ['GET', drillLockKey(deployment)],
  ['PTTL', drillLockKey(deployment)],
  ['CONFIG', 'GET', 'replica-priority'],
  ['CONFIG', 'GET', 'min-replicas-to-write'],
  ['CONFIG', 'GET', 'masterauth'],
  ['CONFIG', 'GET', 'requirepass'],
  ['CONFIG', 'GET', 'min-replicas-max-lag'],
  ['PING'],
  ['INFO', 'persistence'],
  ['INFO', 'memory'],
  ['INFO', 'stats'],
  ['INFO', 'clients'],
  ['INFO', 'errorstats'],
  ...(options.writeProbe
    ? [['SET', writeProbeKey(deployment), options.writeProbe.value, 'PX', String(WRITE_PROBE_TTL_MS)]]
    : []),
];

/** Asked of a replica whose READONLY errors grew: who is still writing to it. */
export const writingClientsCommand: RedisCommand = ['CLIENT', 'LIST', 'TYPE', 'normal'];

const commandName = (command: RedisCommand): string =>
  command.slice(0, command[0] === 'SENTINEL' ? 2 : 1).join(' ');

interface Collector {
  readonly secrets: readonly (string | undefined)[];
  error: ProbeError | null;
}

/** Records the first error of a server; a later one never hides the first. */
const note = (collector: Collector, raw: RawError, command?: string): void => {
  collector.error ??= toProbeError(raw, collector.secrets, command);
};

/** Parses one reply; error replies and malformed ones are noted and give null. */
function read<T>(
  collector: Collector,
  reply: Reply | undefined,
  command: RedisCommand,
  parse: (v: unknown) => T,
): T | null {
  if (!reply) return null;
  const name = commandName(command);
  if (!reply.ok) {
    note(collector, reply.error, name);
    return null;
  }
  try {
    return parse(reply.value);
  } catch (error) {
    const raw = error instanceof BadReplyError ? error : new BadReplyError(name, String(error));
    note(collector, { message: raw.message, name: 'BadReplyError' }, name);
    return null;
  }
}

/**
 * A server is reachable when it answered anything over RESP, even an error: "it is up but refuses
 * our password" is a different alert from "it is down".
 */
function start(outcome: BatchOutcome, secrets: readonly (string | undefined)[]) {
  const collector: Collector = { secrets, error: null };
  // Error replies from the server count as answers; client-side failures (a peer that does not speak
  // RESP, a connection closed mid-batch) do not.
  const answered = [outcome.auth, ...outcome.replies].some(
    (r) => r && (r.ok || r.error.name === 'ReplyError'),
  );
  // An AUTH sent where no password is set still lets every command through: record it, read on.
  if (outcome.auth && !outcome.auth.ok) note(collector, outcome.auth.error, 'AUTH');
  if (outcome.error) note(collector, outcome.error);
  // Not a word of RESP came back: the first client-side failure says why (e.g. "Unknown RESP type").
  if (!answered) {
    const failed = [outcome.auth, ...outcome.replies].find((r) => r && !r.ok);
    if (failed && !failed.ok) note(collector, failed.error);
  }
  const authBlocked =
    outcome.auth !== null && !outcome.auth.ok && classifyError(outcome.auth.error) !== 'auth-not-configured';
  return { collector, reachable: outcome.connected && answered, usable: answered && !authBlocked };
}

export function readSentinel(
  address: Address,
  discoveredBy: SentinelSnapshot['discoveredBy'],
  outcome: BatchOutcome,
  commands: readonly RedisCommand[],
  secrets: readonly (string | undefined)[],
): SentinelSnapshot {
  const { collector, reachable, usable } = start(outcome, secrets);
  const r = usable ? outcome.replies : [];
  const masterAddress = read(collector, r[0], commands[0], parseMasterAddr);
  const master = read(collector, r[1], commands[1], parseSentinelMaster);
  const replicas = read(collector, r[2], commands[2], parseSentinelReplicas);
  const sentinels = read(collector, r[3], commands[3], parseSentinelPeers);
  // CKQUORUM answers NOQUORUM as an error reply: that is a result, not a probe failure.
  const ck = r[4];
  const ckquorum =
    ck && !ck.ok && /^NOQUORUM\b/.test(ck.error.message)
      ? parseCkQuorum(ck.error.message)
      : read(collector, ck, commands[4], (v) => parseCkQuorum(String(v)));
  const info = read(collector, r[5], commands[5], (v) => parseInfo(asText(v, 'INFO')));
  const server = info ? parseServerInfo(info) : null;
  const config = quiet(r[6], parseSentinelConfig);
  const myId = quiet(r[7], (v) => (typeof v === 'string' && /^[0-9a-f]{40}$/.test(v) ? v : null));
  return {
    host: address.host,
    port: address.port,
    discoveredBy,
    reachable,
    error: collector.error,
    rttMs: outcome.rttMs,
    version: server?.version ?? null,
    flavour: server?.flavour ?? null,
    runId: server?.runId ?? null,
    tilt: info ? parseSentinelInfo(info).tilt : null,
    masterAddress,
    master,
    replicas: replicas ?? [],
    sentinels: sentinels ?? [],
    ckquorum,
    config,
    myId,
  };
}

export function readNode(
  address: Address,
  discoveredBy: NodeSnapshot['discoveredBy'],
  outcome: BatchOutcome,
  commands: readonly RedisCommand[],
  secrets: readonly (string | undefined)[],
): NodeSnapshot {
  const { collector, reachable, usable } = start(outcome, secrets);
  const r = usable ? outcome.replies : [];
  const replicationFields = read(collector, r[0], commands[0], (v) =>
    parseInfo(asText(v, 'INFO replication')),
  );
  const replication = replicationFields
    ? read(collector, { ok: true, value: replicationFields }, commands[0], (v) =>
        parseReplicationInfo(v as Record<string, string>),
      )
    : null;
  const serverFields = read(collector, r[1], commands[1], (v) => parseInfo(asText(v, 'INFO server')));
  const roleReply = read(collector, r[2], commands[2], parseRoleReply);
  const config = readConfig(NODE.config.map((i) => r[i]).filter((x): x is Reply => x !== undefined));
  const role = roleReply ? roleReply.role : (replication?.role ?? null);
  return {
    host: address.host,
    port: address.port,
    discoveredBy,
    reachable,
    error: collector.error,
    rttMs: outcome.rttMs,
    role,
    server: serverFields ? parseServerInfo(serverFields) : null,
    replication,
    roleReply,
    config,
    drillLock: readDrillLock(r[NODE.lockOwner], r[NODE.lockTtl]),
    ping: commandCheck(r[NODE.ping], secrets),
    stats: readStats(r),
    writeProbe: commands.length > NODE.writeProbe ? commandCheck(r[NODE.writeProbe], secrets) : null,
  };
}

/** A reply whose failure is a fact about the server (PING refused, a write refused), not a probe error. */
function commandCheck(
  reply: Reply | undefined,
  secrets: readonly (string | undefined)[],
): CommandCheck | null {
  if (!reply) return null;
  if (reply.ok) return { ok: true };
  // Only the server's own error replies are facts; a dropped connection says nothing about writes.
  if (reply.error.name !== 'ReplyError') return null;
  const message = redact(reply.error.message, secrets).slice(0, 200);
  return { ok: false, errorCode: /^[A-Z]+/.exec(message)?.[0] ?? 'ERR', message };
}

/** The write-health sections, read quietly: a server that refuses them is judged without them. */
function readStats(r: readonly Reply[]): NodeStats | null {
  const fields: Record<string, string> = {};
  let any = false;
  for (const i of NODE.stats) {
    const parsed = quiet(r[i], (v) => parseInfo(asText(v, 'INFO')));
    if (parsed) {
      Object.assign(fields, parsed);
      any = true;
    }
  }
  const errorstats = quiet(r[NODE.errorstats], (v) => asText(v, 'INFO errorstats'));
  if (!any && errorstats === null) return null;
  return parseNodeStats(fields, errorstats);
}

/** Parses a reply that is optional for the watcher: any failure gives null and no error. */
function quiet<T>(reply: Reply | undefined, parse: (v: unknown) => T): T | null {
  if (!reply?.ok) return null;
  try {
    return parse(reply.value);
  } catch {
    return null;
  }
}

/** `CLIENT LIST` of a replica: the clients whose last command was a write (they got READONLY). */
export function readWritingClients(reply: Reply | undefined): ClientInfo[] | null {
  const clients = quiet(reply, (v) => parseClientList(asText(v, 'CLIENT LIST')));
  return clients === null ? null : clients.filter((c) => isWriteCommand(c.lastCommand)).slice(0, 20);
}

/** Read quietly: an ACL that denies GET on the key costs the drill hint, not an error on the node. */
function readDrillLock(owner: Reply | undefined, pttl: Reply | undefined): NodeSnapshot['drillLock'] {
  if (!owner?.ok || typeof owner.value !== 'string' || owner.value === '') return null;
  const ms = pttl?.ok && typeof pttl.value === 'number' ? pttl.value : 0;
  // -1: the key has no expiry. A drill always sets one, so that is a sign of a forged lock.
  const ttl = ms > 0 || ms === -1 ? ms : 0;
  // A signed lock is ~400 bytes; anything much longer is not one (and must not bloat snapshots).
  return { owner: owner.value.slice(0, 1024), ttlMs: ttl };
}

/**
 * CONFIG may be renamed or denied by ACL: then config is null and no error is reported, because the
 * watcher works without it. `masterauth` is reduced to set/unset here, before it is stored anywhere.
 */
function readConfig(replies: readonly Reply[]): Record<string, string> | null {
  const config: Record<string, string> = {};
  for (const reply of replies) {
    if (!reply.ok || !Array.isArray(reply.value)) return null;
    const [name, value] = reply.value as unknown[];
    if (typeof name !== 'string') return null;
    const text = typeof value === 'string' ? value : '';
    config[name] = name === 'masterauth' || name === 'requirepass' ? (text ? 'set' : 'unset') : text;
  }
  return Object.keys(config).length > 0 ? config : null;
}

function asText(value: unknown, command: string): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw new BadReplyError(command, `expected text, got ${Array.isArray(value) ? 'an array' : typeof value}`);
}
