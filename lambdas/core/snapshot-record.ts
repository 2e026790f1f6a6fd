// The compact, stored form of one poll. A full Snapshot carries every INFO field, every sentinel's
// view of every replica and all finding messages: far more than history needs and, for ten nodes,
// uncomfortably close to DynamoDB's 400 KB item limit. A record keeps what an operator asks of the
// past (who was master, who was up, how far behind, what was wrong) in a few kilobytes.

import { labelOf } from './server-version';
import {
  type Address,
  formatAddress,
  type NodeRole,
  type NodeSnapshot,
  type ProbeErrorClass,
  type Severity,
  type Snapshot,
  sameAddress,
} from './types';

export interface NodeRecord {
  /** `host:port` (`[v6]:port`). */
  readonly address: string;
  readonly role: NodeRole | null;
  readonly reachable: boolean;
  /** The error class only: messages are long and may quote server text. */
  readonly error: ProbeErrorClass | null;
  /** `redis 7.0.15`, `valkey 8.0.1`; null when unknown (absent in records written before it was kept). */
  readonly version?: string | null;
  /** A master's `master_repl_offset`, a replica's own `slave_repl_offset`. */
  readonly offset: number | null;
  /** Replicas: bytes behind the master they follow (never negative); null when either offset is unknown. */
  readonly lagBytes: number | null;
  /** Replicas: seconds since their last ACK, as their master reports it (`slaveN:...,lag=`). */
  readonly ackAgeSeconds: number | null;
  /** Replicas: `master_link_status`. */
  readonly link: 'up' | 'down' | null;
  /** Replicas: the master they replicate from, `host:port`. */
  readonly follows: string | null;
}

export interface SentinelRecord {
  readonly address: string;
  readonly reachable: boolean;
  readonly error: ProbeErrorClass | null;
  /** `redis 7.0.15`, `valkey 8.0.1`; null when unknown (absent in records written before it was kept). */
  readonly version?: string | null;
  /** Whom this sentinel names as master, `host:port`. */
  readonly master: string | null;
  /** The master's flags as this sentinel sees them (`master`, `s_down`, `o_down`, ...). */
  readonly flags: readonly string[] | null;
  readonly ckquorumOk: boolean | null;
  readonly tilt: boolean | null;
}

export interface FindingRecord {
  readonly code: string;
  readonly severity: Severity;
  readonly subject: string;
  /** The silence that covered it at this poll (recorded all the same; see silence-policy.ts). */
  readonly silencedBy?: string;
}

export interface SnapshotRecord {
  readonly deployment: string;
  /** ISO-8601, as in the snapshot. */
  readonly takenAt: string;
  /** Epoch seconds after which DynamoDB may delete the record (its TTL attribute). */
  readonly expiresAt: number;
  readonly durationMs: number;
  /** The consensus master, `host:port`, or null. */
  readonly master: string | null;
  readonly unanimous: boolean;
  /** The poll's deadline cut some reads short. */
  readonly truncated: boolean;
  readonly nodes: readonly NodeRecord[];
  readonly sentinels: readonly SentinelRecord[];
  readonly findings: readonly FindingRecord[];
  /** The checks the poll could not make (`write-probe`, `acl-users`, ...); absent when none. */
  readonly unavailable?: readonly string[];
}

const DAY_SECONDS = 86_400;

/** Epoch seconds `retentionDays` after an ISO time: a DynamoDB TTL value. */
export function expiryEpochSeconds(iso: string, retentionDays: number): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 time: ${JSON.stringify(iso)}`);
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new RangeError(`retentionDays must be a positive number, got ${retentionDays}`);
  }
  return Math.floor(ms / 1000) + Math.round(retentionDays * DAY_SECONDS);
}

const at = (nodes: readonly NodeSnapshot[], a: Address | null): NodeSnapshot | undefined =>
  a === null ? undefined : nodes.find((n) => sameAddress(n, a));

/**
 * The master a replica's offsets compare with: the node it says it follows when that node was polled
 * (offsets are only comparable within one replication stream), else the consensus master.
 */
function upstreamOf(node: NodeSnapshot, snapshot: Snapshot): NodeSnapshot | undefined {
  const rep = node.replication;
  const followed =
    rep?.masterHost != null && rep.masterPort != null
      ? at(snapshot.nodes, { host: rep.masterHost, port: rep.masterPort })
      : undefined;
  return followed?.replication?.role === 'master' ? followed : at(snapshot.nodes, snapshot.master);
}

function nodeRecord(node: NodeSnapshot, snapshot: Snapshot): NodeRecord {
  const rep = node.replication;
  const isReplica = (node.role ?? rep?.role) === 'replica';
  const base = {
    address: formatAddress(node),
    role: node.role,
    reachable: node.reachable,
    error: node.error?.class ?? null,
    version: labelOf(node.server),
  };
  if (!isReplica) {
    return {
      ...base,
      offset: rep?.masterReplOffset ?? null,
      lagBytes: null,
      ackAgeSeconds: null,
      link: null,
      follows: null,
    };
  }
  const upstream = upstreamOf(node, snapshot);
  const masterOffset = upstream?.replication?.masterReplOffset ?? null;
  const own = rep?.replicaReplOffset ?? null;
  const attached = upstream?.replication?.replicas.find((r) => sameAddress(r, node));
  return {
    ...base,
    offset: own,
    // A replica polled a moment after its master can be ahead of the master's figure: that is no lag.
    lagBytes: masterOffset === null || own === null ? null : Math.max(0, masterOffset - own),
    ackAgeSeconds: attached?.lagSeconds ?? null,
    link: rep?.masterLinkStatus ?? null,
    follows:
      rep?.masterHost != null && rep.masterPort != null
        ? formatAddress({ host: rep.masterHost, port: rep.masterPort })
        : null,
  };
}

/** The compact record of one poll, with its TTL `retentionDays` after the poll. */
export function toSnapshotRecord(
  snapshot: Snapshot,
  opts: { readonly retentionDays: number },
): SnapshotRecord {
  return {
    deployment: snapshot.deployment,
    takenAt: snapshot.takenAt,
    expiresAt: expiryEpochSeconds(snapshot.takenAt, opts.retentionDays),
    durationMs: snapshot.durationMs,
    master: snapshot.master ? formatAddress(snapshot.master) : null,
    unanimous: snapshot.consensus.unanimous,
    truncated: snapshot.truncated,
    nodes: snapshot.nodes.map((n) => nodeRecord(n, snapshot)),
    sentinels: snapshot.sentinels.map((s) => ({
      address: formatAddress(s),
      reachable: s.reachable,
      error: s.error?.class ?? null,
      version: labelOf(s),
      master: s.masterAddress ? formatAddress(s.masterAddress) : null,
      flags: s.master ? [...s.master.flags] : null,
      ckquorumOk: s.ckquorum?.ok ?? null,
      tilt: s.tilt,
    })),
    findings: snapshot.findings.map((f) => ({ code: f.code, severity: f.severity, subject: f.subject })),
    ...(snapshot.unavailable?.length ? { unavailable: snapshot.unavailable.map((u) => u.check) } : {}),
  };
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 3, warning: 2, info: 1 };

/** The worst severity among a record's findings, or null when there are none. */
export function worstSeverity(record: Pick<SnapshotRecord, 'findings'>): Severity | null {
  let worst: Severity | null = null;
  for (const f of record.findings) {
    if (worst === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]) worst = f.severity;
  }
  return worst;
}

/** The largest replica lag in bytes, or null when no replica's lag is known. */
export function maxLagBytes(record: Pick<SnapshotRecord, 'nodes'>): number | null {
  const known = record.nodes.map((n) => n.lagBytes).filter((b): b is number => b !== null);
  return known.length === 0 ? null : Math.max(...known);
}
