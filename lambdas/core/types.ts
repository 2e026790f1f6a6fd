// Plain-data types shared by the probe, detection, stores and reports. Everything here is JSON-safe
// so a snapshot can be printed, stored in DynamoDB and compared with the next one unchanged.

export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * Why a node or sentinel could not be read. Stable strings: detection and alerts key on them.
 * - `timeout`: no answer within the deadline (hung or frozen process, packet loss)
 * - `refused`: nothing listens on the port
 * - `unresolved`: the host name does not resolve
 * - `connection-lost`: the connection was reset or closed mid-conversation
 * - `auth-required`: the server wants a password and none was sent (`NOAUTH`)
 * - `auth-rejected`: the password (or user) is wrong (`WRONGPASS`, `ERR invalid password`)
 * - `auth-not-configured`: a password was sent to a server that has none (set on one side only)
 * - `unknown-master`: a sentinel does not monitor the configured master name
 * - `unsupported-command`: the server does not know a command (a sentinel where a data node was
 *   expected, or the reverse)
 * - `tls`: the TLS handshake failed (untrusted or expired certificate, wrong host name, TLS to a plain port)
 * - `protocol`: the peer does not speak RESP (or sent a reply the client could not parse)
 * - `bad-reply`: a well-formed reply that does not have the expected shape
 * - `reply-too-large`: the server sent more than the per-server byte budget of a poll
 *   (`maxReplyBytes`): the connection was closed there, replies after that point are missing
 * - `command-failed`: any other error reply
 */
export type ProbeErrorClass =
  | 'timeout'
  | 'refused'
  | 'unresolved'
  | 'connection-lost'
  | 'auth-required'
  | 'auth-rejected'
  | 'auth-not-configured'
  | 'unknown-master'
  | 'unsupported-command'
  | 'tls'
  | 'protocol'
  | 'bad-reply'
  | 'reply-too-large'
  | 'command-failed';

export interface ProbeError {
  readonly class: ProbeErrorClass;
  /** The server's or socket's message, with every configured secret redacted. */
  readonly message: string;
  /** The command that failed, when the failure belongs to one command (e.g. `SENTINEL CKQUORUM`). */
  readonly command?: string;
}

export type NodeRole = 'master' | 'replica' | 'sentinel' | 'unknown';

/** One replica as its master lists it (`slaveN:` lines of `INFO replication`). */
export interface AttachedReplica {
  readonly host: string;
  readonly port: number;
  /** `online`, `wait_bgsave`, `send_bulk`, ... */
  readonly state: string;
  /** The replica's acknowledged replication offset, as the master last saw it. */
  readonly offset: number;
  /** Seconds since the replica's last ACK (the `lag=` field): not a data delay. */
  readonly lagSeconds: number;
}

/** What `INFO replication` says, whichever role the node has. */
export interface ReplicationInfo {
  readonly role: NodeRole;
  readonly replId: string | null;
  readonly masterReplOffset: number | null;
  // As a master:
  readonly connectedReplicas: number | null;
  readonly replicas: readonly AttachedReplica[];
  // As a replica:
  readonly masterHost: string | null;
  readonly masterPort: number | null;
  readonly masterLinkStatus: 'up' | 'down' | null;
  readonly masterLastIoSecondsAgo: number | null;
  readonly masterSyncInProgress: boolean | null;
  /** `slave_repl_offset`: how far this replica has applied its master's stream. */
  readonly replicaReplOffset: number | null;
  readonly replicaPriority: number | null;
  readonly replicaReadOnly: boolean | null;
  readonly masterLinkDownSinceSeconds: number | null;
  /** `min_slaves_good_slaves` when `min-replicas-to-write` is set (Redis 5+). */
  readonly minReplicasGood: number | null;
}

/** The `INFO server` fields the watcher uses. */
export interface ServerInfo {
  /** The server's own version: `valkey_version` on Valkey, `redis_version` on Redis. */
  readonly version: string | null;
  /** `redis` or `valkey` (what `server_name` says); null when INFO names no version. */
  readonly flavour?: string | null;
  /** `redis_version` as reported: on Valkey, the Redis version it is compatible with (8.0.1 says 7.2.4). */
  readonly redisVersion?: string | null;
  readonly runId: string | null;
  readonly uptimeSeconds: number | null;
  readonly mode: string | null;
  readonly tcpPort: number | null;
}

/** Parsed `ROLE` reply. */
export type RoleReply =
  | {
      readonly role: 'master';
      readonly offset: number;
      readonly replicas: readonly { readonly host: string; readonly port: number; readonly offset: number }[];
    }
  | {
      readonly role: 'replica';
      readonly masterHost: string;
      readonly masterPort: number;
      /** `connect`, `connecting`, `sync`, `connected`, or `handshake`. */
      readonly state: string;
      readonly offset: number;
    }
  | { readonly role: 'sentinel'; readonly masterNames: readonly string[] };

export interface NodeSnapshot extends Address {
  /**
   * How the watcher learned of this node: config, a sentinel, a master's replica list
   * (`master-info`), or only as the node some replica follows (`upstream`).
   */
  readonly discoveredBy: readonly ('config' | 'sentinel' | 'master-info' | 'upstream')[];
  readonly reachable: boolean;
  /** The first error that stopped or spoiled the read; null when everything answered. */
  readonly error: ProbeError | null;
  /** Round trip of the probe's command batch, in milliseconds. */
  readonly rttMs: number | null;
  readonly role: NodeRole | null;
  readonly server: ServerInfo | null;
  readonly replication: ReplicationInfo | null;
  readonly roleReply: RoleReply | null;
  /** Selected `CONFIG GET` values, when the server allows CONFIG (null when it refuses). */
  readonly config: Readonly<Record<string, string>> | null;
  /**
   * The drill lock key (`sentinel-watch:drill-lock:<deployment>`) when a drill holds it: `owner` is the
   * key's value (a signed lock, see drill-lock.ts, or whatever someone wrote), `ttlMs` its PTTL (-1:
   * no expiry).
   */
  readonly drillLock?: { readonly owner: string; readonly ttlMs: number } | null;
  /** The watcher's own PING: a node can answer INFO yet refuse PING (MISCONF, renamed PING). */
  readonly ping?: CommandCheck | null;
  readonly stats?: NodeStats | null;
  /** The write probe (a SET of the watcher's own key), on the node the sentinels name master only. */
  readonly writeProbe?: CommandCheck | null;
  /** Clients that ran a write command on this replica (asked only after READONLY errors grew). */
  readonly writingClients?: readonly ClientInfo[] | null;
}

/** A sentinel's `SENTINEL MASTER <name>` reply, typed. */
export interface SentinelMasterView {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly runId: string | null;
  /** e.g. `['master']`, `['s_down', 'master']`, `['o_down', 'master']`, `['master', 'failover_in_progress']` */
  readonly flags: readonly string[];
  readonly quorum: number;
  readonly numReplicas: number;
  readonly numOtherSentinels: number;
  readonly downAfterMs: number | null;
  readonly failoverTimeoutMs: number | null;
  readonly parallelSyncs: number | null;
  readonly configEpoch: number | null;
  /** `failover-state` when a failover is under way (absent on an idle master). */
  readonly failoverState: string | null;
  readonly roleReported: string | null;
  /** Ms since the sentinel last got an acceptable PING reply (PONG, LOADING, MASTERDOWN). */
  readonly lastOkPingReplyMs: number | null;
  /**
   * Ms since the sentinel last got any PING reply, errors included. Recent while `lastOkPingReplyMs`
   * is old: the node answers the sentinel with errors (NOAUTH from a wrong auth-pass, MISCONF, a
   * renamed PING). Absent on stored snapshots older than this field.
   */
  readonly lastPingReplyMs?: number | null;
  /** Ms the master has been subjectively / objectively down for this sentinel (present while flagged). */
  readonly sDownTimeMs?: number | null;
  readonly oDownTimeMs?: number | null;
  /** Ms since the sentinel last refreshed the master's INFO (every 10 s when healthy). */
  readonly infoRefreshMs?: number | null;
}

/** One entry of `SENTINEL REPLICAS <name>`. */
export interface SentinelReplicaView {
  readonly host: string;
  readonly port: number;
  readonly runId: string | null;
  readonly flags: readonly string[];
  readonly masterLinkStatus: 'ok' | 'err' | null;
  readonly masterHost: string | null;
  readonly masterPort: number | null;
  readonly replicaPriority: number | null;
  readonly replOffset: number | null;
  /** See SentinelMasterView: the sentinel's own PING history with this replica. */
  readonly lastOkPingReplyMs?: number | null;
  readonly lastPingReplyMs?: number | null;
  /** Ms the replica's link to its master has been down, as the sentinel last read it (0 when up). */
  readonly masterLinkDownTimeMs?: number | null;
  readonly infoRefreshMs?: number | null;
}

/** One entry of `SENTINEL SENTINELS <name>`: another sentinel this one knows. */
export interface SentinelPeerView {
  readonly host: string;
  readonly port: number;
  readonly runId: string | null;
  readonly flags: readonly string[];
  readonly lastHelloMessageMs: number | null;
  readonly lastOkPingReplyMs?: number | null;
  readonly lastPingReplyMs?: number | null;
  /** The run id this peer last voted for as failover leader (`?` when none), and in which epoch. */
  readonly votedLeader?: string | null;
  readonly votedLeaderEpoch?: number | null;
}

/**
 * What `SENTINEL CONFIG GET *` says (Redis 6.2+; null before or when refused). Passwords are reduced
 * to set/unset before anything is stored.
 */
export interface SentinelConfigView {
  readonly announceIp: string | null;
  readonly announcePort: number | null;
  readonly sentinelUser: 'set' | 'unset' | null;
  readonly sentinelPass: 'set' | 'unset' | null;
}

/** The reply to the watcher's own PING, or to its write probe: `ok`, or the error's first word. */
export interface CommandCheck {
  readonly ok: boolean;
  /** The error reply's first word (`MISCONF`, `NOREPLICAS`, `OOM`, `READONLY`, `BUSY`, `NOPERM`, `ERR`, ...). */
  readonly errorCode?: string;
  /** The error reply, secrets redacted, shortened. */
  readonly message?: string;
}

/**
 * Server-side facts that say whether a node can take writes, and will keep taking them: `INFO
 * persistence`, `memory`, `stats`, `clients` and `errorstats`. Each part is null when the server did
 * not answer it; `errorstats` is also null on servers without that section (Redis before 6.2).
 */
export interface NodeStats {
  readonly rdbLastBgsaveOk: boolean | null;
  readonly aofEnabled: boolean | null;
  readonly aofLastWriteOk: boolean | null;
  /** `rdb_changes_since_last_save`: every write counts, with or without persistence configured. */
  readonly changesSinceLastSave: number | null;
  readonly loading: boolean | null;
  readonly usedMemory: number | null;
  /** 0 when unlimited. */
  readonly maxMemory: number | null;
  readonly maxMemoryPolicy: string | null;
  readonly rejectedConnections: number | null;
  readonly connectedClients: number | null;
  readonly maxClients: number | null;
  /** `errorstat_<CODE>:count=N` → `{ CODE: N }`; null when the server has no errorstats section. */
  readonly errorCounts: Readonly<Record<string, number>> | null;
}

/** A client connection as `CLIENT LIST` shows it (only the fields alerts use). */
export interface ClientInfo {
  readonly addr: string;
  readonly name: string;
  /** The last command it ran (`set`, `incr`, ...). */
  readonly lastCommand: string;
}

export interface CkQuorum {
  readonly ok: boolean;
  /** `OK 3 usable Sentinels. Quorum and failover authorization can be reached` or `NOQUORUM ...` */
  readonly message: string;
  readonly usableSentinels: number | null;
}

export interface SentinelSnapshot extends Address {
  readonly discoveredBy: readonly ('config' | 'sentinel')[];
  readonly reachable: boolean;
  readonly error: ProbeError | null;
  readonly rttMs: number | null;
  /** The sentinel's own version (`valkey_version` on Valkey). */
  readonly version: string | null;
  /** `redis` or `valkey`; null (or absent, in snapshots stored before it was read) when unknown. */
  readonly flavour?: string | null;
  readonly runId: string | null;
  readonly tilt: boolean | null;
  /** The answer to `SENTINEL GET-MASTER-ADDR-BY-NAME`: whom this sentinel calls master. */
  readonly masterAddress: Address | null;
  readonly master: SentinelMasterView | null;
  readonly replicas: readonly SentinelReplicaView[];
  readonly sentinels: readonly SentinelPeerView[];
  readonly ckquorum: CkQuorum | null;
  readonly config?: SentinelConfigView | null;
  /** `SENTINEL MYID` (6.2+): the id peers list this sentinel under in SENTINEL SENTINELS. */
  readonly myId?: string | null;
}

/** How the sentinels voted on who the master is. */
export interface MasterConsensus {
  /** Every distinct address named, with the sentinels naming it, most votes first. */
  readonly votes: readonly { readonly address: Address; readonly sentinels: readonly string[] }[];
  /** True when every sentinel that answered names the same master. */
  readonly unanimous: boolean;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  /** What the finding is about: `deployment`, `node 10.0.1.61:6379`, `sentinel 10.0.1.61:26379`. */
  readonly subject: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Snapshot {
  /** The deployment's name from config (defaults to the master name). */
  readonly deployment: string;
  readonly masterName: string;
  /** ISO-8601 time at which the poll started. */
  readonly takenAt: string;
  readonly durationMs: number;
  /** The master most sentinels name, or null when none answered or the vote is tied. */
  readonly master: Address | null;
  readonly consensus: MasterConsensus;
  readonly nodes: readonly NodeSnapshot[];
  readonly sentinels: readonly SentinelSnapshot[];
  readonly findings: readonly Finding[];
  /** True when the poll's overall deadline cut some reads short. */
  readonly truncated: boolean;
  /** Checks this poll could not make, and why (a server version without the feature, a setting). */
  readonly unavailable?: readonly UnavailableCheck[];
  /**
   * Servers that were named (by sentinels or a master) but not probed because the deployment's caps
   * (MAX_SENTINELS, MAX_NODES in limits.ts) were reached, with up to five of their addresses. Absent
   * when none were left out.
   */
  readonly unprobed?: {
    readonly sentinels: number;
    readonly nodes: number;
    readonly examples: readonly string[];
  };
}

export interface UnavailableCheck {
  /** A stable name, e.g. `write-probe`, `clients-writing-to-replicas`. */
  readonly check: string;
  readonly reason: string;
}

export const formatAddress = (a: Address): string =>
  a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;

export const sameAddress = (a: Address | null, b: Address | null): boolean =>
  a !== null && b !== null && a.host === b.host && a.port === b.port;
