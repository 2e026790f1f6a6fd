// Parsers for `SENTINEL` subcommand replies (Redis 5.0-7.x). Map replies arrive either as flat
// `[k1, v1, k2, v2, ...]` string arrays (RESP2, or ioredis' default `replyMapping: 'legacy'`) or as
// plain objects (ioredis with `protocol: 3, replyMapping: 'resp3'`); `toFieldMap` accepts both.

import { BadReplyError } from './errors';
import { toInt } from './parse-number';
import type {
  Address,
  CkQuorum,
  SentinelConfigView,
  SentinelMasterView,
  SentinelPeerView,
  SentinelReplicaView,
} from './types';

export type FieldMap = Readonly<Record<string, string>>;

const kindOf = (value: unknown): string =>
  Array.isArray(value) ? `an array of ${value.length}` : value === null ? 'null' : typeof value;

/** A map reply as `field -> value`. Odd-length arrays, non-string keys or values → BadReplyError. */
export const toFieldMap = (reply: unknown, command: string): Record<string, string> => {
  const fields: Record<string, string> = Object.create(null);
  if (Array.isArray(reply)) {
    if (reply.length % 2 !== 0) throw new BadReplyError(command, `odd-length field list (${reply.length})`);
    for (let i = 0; i < reply.length; i += 2) {
      const key: unknown = reply[i];
      const value: unknown = reply[i + 1];
      if (typeof key !== 'string' || typeof value !== 'string') {
        throw new BadReplyError(
          command,
          `field ${i / 2} is not a string pair (${kindOf(key)}, ${kindOf(value)})`,
        );
      }
      fields[key] = value;
    }
    return fields;
  }
  if (typeof reply === 'object' && reply !== null) {
    for (const [key, value] of Object.entries(reply)) {
      if (typeof value !== 'string') {
        throw new BadReplyError(command, `field ${JSON.stringify(key.slice(0, 40))} is ${kindOf(value)}`);
      }
      fields[key] = value;
    }
    return fields;
  }
  throw new BadReplyError(command, `expected a field list or map, got ${kindOf(reply)}`);
};

const requireText = (fields: FieldMap, name: string, command: string): string => {
  const value = fields[name];
  if (value === undefined || value === '') throw new BadReplyError(command, `missing ${name}`);
  return value;
};

const requireInt = (fields: FieldMap, name: string, command: string): number => {
  const n = toInt(fields[name]);
  if (n === null) throw new BadReplyError(command, `${name} is missing or not an integer`);
  return n;
};

/** The first of `names` present, as an integer; null when absent or not numeric. */
const optionalInt = (fields: FieldMap, ...names: string[]): number | null => {
  for (const name of names) {
    if (fields[name] !== undefined) return toInt(fields[name]);
  }
  return null;
};

/** Empty strings (a runid Sentinel has not learned yet) and `?` (an unknown master host) are null. */
const optionalText = (fields: FieldMap, name: string): string | null => {
  const value = fields[name];
  return value === undefined || value === '' || value === '?' ? null : value;
};

const parseFlags = (value: string): string[] => value.split(',').filter((flag) => flag !== '');

const requireList = (reply: unknown, command: string): unknown[] => {
  if (!Array.isArray(reply)) throw new BadReplyError(command, `expected an array, got ${kindOf(reply)}`);
  return reply;
};

/** `SENTINEL MASTER <name>`. */
export const parseSentinelMaster = (reply: unknown): SentinelMasterView => {
  const command = 'SENTINEL MASTER';
  const fields = toFieldMap(reply, command);
  const failoverState = optionalText(fields, 'failover-state');
  return {
    name: requireText(fields, 'name', command),
    host: requireText(fields, 'ip', command),
    port: requireInt(fields, 'port', command),
    runId: optionalText(fields, 'runid'),
    flags: parseFlags(requireText(fields, 'flags', command)),
    quorum: requireInt(fields, 'quorum', command),
    numReplicas: requireInt(fields, 'num-slaves', command),
    numOtherSentinels: requireInt(fields, 'num-other-sentinels', command),
    downAfterMs: optionalInt(fields, 'down-after-milliseconds'),
    failoverTimeoutMs: optionalInt(fields, 'failover-timeout'),
    parallelSyncs: optionalInt(fields, 'parallel-syncs'),
    configEpoch: optionalInt(fields, 'config-epoch'),
    failoverState: failoverState === 'none' ? null : failoverState,
    roleReported: optionalText(fields, 'role-reported'),
    ...pingHistory(fields),
    sDownTimeMs: optionalInt(fields, 's-down-time'),
    oDownTimeMs: optionalInt(fields, 'o-down-time'),
    infoRefreshMs: optionalInt(fields, 'info-refresh'),
  };
};

/** The sentinel's PING history with an instance: when it last got an acceptable reply, and any reply. */
const pingHistory = (fields: FieldMap) => ({
  lastOkPingReplyMs: optionalInt(fields, 'last-ok-ping-reply'),
  lastPingReplyMs: optionalInt(fields, 'last-ping-reply'),
});

/** `SENTINEL REPLICAS <name>` (Redis 5+: `SENTINEL SLAVES <name>`, same shape). */
export const parseSentinelReplicas = (reply: unknown): SentinelReplicaView[] => {
  const command = 'SENTINEL REPLICAS';
  return requireList(reply, command).map((entry) => {
    const fields = toFieldMap(entry, command);
    const linkStatus = fields['master-link-status'];
    return {
      host: requireText(fields, 'ip', command),
      port: requireInt(fields, 'port', command),
      runId: optionalText(fields, 'runid'),
      flags: parseFlags(requireText(fields, 'flags', command)),
      masterLinkStatus: linkStatus === 'ok' || linkStatus === 'err' ? linkStatus : null,
      masterHost: optionalText(fields, 'master-host'),
      masterPort: optionalInt(fields, 'master-port'),
      replicaPriority: optionalInt(fields, 'slave-priority', 'replica-priority'),
      replOffset: optionalInt(fields, 'slave-repl-offset', 'replica-repl-offset'),
      ...pingHistory(fields),
      masterLinkDownTimeMs: optionalInt(fields, 'master-link-down-time'),
      infoRefreshMs: optionalInt(fields, 'info-refresh'),
    };
  });
};

/** `SENTINEL SENTINELS <name>`: the other sentinels this one knows (itself excluded). */
export const parseSentinelPeers = (reply: unknown): SentinelPeerView[] => {
  const command = 'SENTINEL SENTINELS';
  return requireList(reply, command).map((entry) => {
    const fields = toFieldMap(entry, command);
    return {
      host: requireText(fields, 'ip', command),
      port: requireInt(fields, 'port', command),
      runId: optionalText(fields, 'runid'),
      flags: parseFlags(requireText(fields, 'flags', command)),
      lastHelloMessageMs: optionalInt(fields, 'last-hello-message'),
      ...pingHistory(fields),
      votedLeader: optionalText(fields, 'voted-leader'),
      votedLeaderEpoch: optionalInt(fields, 'voted-leader-epoch'),
    };
  });
};

/** `SENTINEL GET-MASTER-ADDR-BY-NAME <name>`: `[host, port]`, or null (nil) for an unknown name. */
export const parseMasterAddr = (reply: unknown): Address | null => {
  const command = 'SENTINEL GET-MASTER-ADDR-BY-NAME';
  if (reply === null || reply === undefined) return null;
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new BadReplyError(command, `expected [host, port], got ${kindOf(reply)}`);
  }
  const [host, portValue] = reply;
  const port = toInt(portValue);
  if (typeof host !== 'string' || host === '' || port === null) {
    throw new BadReplyError(command, 'expected [host, port] with a non-empty host and an integer port');
  }
  return { host, port };
};

const CKQUORUM = /^(OK|NOQUORUM)\s+(\d+)\s+usable\b/;

/**
 * `SENTINEL CKQUORUM <name>`: the status text of the OK reply (`OK 3 usable Sentinels. ...`) or the
 * message of the error reply (`NOQUORUM 1 usable Sentinels. ...`). Other text (e.g. `ERR No such
 * master with that name`) is not a quorum answer → BadReplyError.
 */
export const parseCkQuorum = (text: string): CkQuorum => {
  const command = 'SENTINEL CKQUORUM';
  if (typeof text !== 'string') throw new BadReplyError(command, `expected text, got ${kindOf(text)}`);
  const message = text.trim();
  const match = CKQUORUM.exec(message);
  if (match) return { ok: match[1] === 'OK', message, usableSentinels: toInt(match[2]) };
  if (message === 'OK' || message.startsWith('OK ')) return { ok: true, message, usableSentinels: null };
  if (message.startsWith('NOQUORUM')) return { ok: false, message, usableSentinels: null };
  throw new BadReplyError(command, 'expected OK ... or NOQUORUM ...');
};

/**
 * `SENTINEL CONFIG GET *` (Redis 6.2+): the announce address and whether sentinel-to-sentinel
 * credentials are set. The reply carries `sentinel-pass` in clear text: it is reduced to set/unset
 * here, and nothing else of the reply is kept.
 */
export const parseSentinelConfig = (reply: unknown): SentinelConfigView => {
  const fields = toFieldMap(reply, 'SENTINEL CONFIG GET');
  const setOrUnset = (name: string): 'set' | 'unset' | null =>
    fields[name] === undefined ? null : fields[name] === '' ? 'unset' : 'set';
  const port = optionalInt(fields, 'announce-port');
  return {
    announceIp: optionalText(fields, 'announce-ip'),
    announcePort: port === 0 ? null : port,
    sentinelUser: setOrUnset('sentinel-user'),
    sentinelPass: setOrUnset('sentinel-pass'),
  };
};
