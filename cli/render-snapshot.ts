// Human-readable rendering of a snapshot: what an operator wants at a glance in a terminal.

import { labelOf, type ReleaseGroup, releaseGroups } from '../lambdas/core/server-version';
import { textTable } from '../lambdas/core/text-table';
import {
  type Address,
  formatAddress,
  type NodeSnapshot,
  type ProbeError,
  type Snapshot,
} from '../lambdas/core/types';

const dash = '-';
const fmt = (n: number | null | undefined, suffix = ''): string =>
  n === null || n === undefined ? dash : `${n}${suffix}`;
const errorText = (e: ProbeError | null): string => (e ? `${e.class}: ${e.message}` : '');
const ms = (n: number | null): string => (n === null ? dash : `${n < 10 ? n.toFixed(1) : Math.round(n)}ms`);

/** Bytes behind the master, from the replica's own offset (its applied position). */
export function lagBytes(node: NodeSnapshot, master: NodeSnapshot | undefined): number | null {
  const masterOffset = master?.replication?.masterReplOffset;
  const own = node.replication?.replicaReplOffset;
  if (masterOffset === null || masterOffset === undefined || own === null || own === undefined) return null;
  return Math.max(0, masterOffset - own);
}

const isAt = (n: Address, a: Address | null): boolean => a !== null && n.host === a.host && n.port === a.port;

export function renderSnapshot(s: Snapshot & { readonly status?: string }): string {
  const out: string[] = [];
  const agree = s.consensus.votes[0]?.sentinels.length ?? 0;
  const answering = s.sentinels.filter((x) => x.masterAddress !== null).length;
  out.push(`${s.deployment} (master name "${s.masterName}") polled at ${s.takenAt} in ${s.durationMs} ms`);
  out.push(
    s.master
      ? `Master: ${formatAddress(s.master)}  (${agree}/${answering} answering sentinels agree${s.consensus.unanimous ? '' : '; SENTINELS DISAGREE'})`
      : answering === 0
        ? 'Master: unknown (no sentinel answered)'
        : `Master: unknown (sentinels are split: ${s.consensus.votes.map((v) => `${formatAddress(v.address)} x${v.sentinels.length}`).join(', ')})`,
  );
  const servers = serversLine(releaseGroups(s));
  if (servers) out.push(servers);
  if (s.status) out.push(`Status: ${s.status.toUpperCase()}`);
  if (s.truncated) out.push('Note: the poll deadline cut some reads short.');

  const master = s.nodes.find((n) => isAt(n, s.master));
  out.push('', 'Nodes');
  const nodeRows = s.nodes.map((n) => {
    const rep = n.replication;
    const link = n.role === 'replica' ? (rep?.masterLinkStatus ?? dash) : dash;
    const following = n.role === 'replica' && rep?.masterHost ? `${rep.masterHost}:${rep.masterPort}` : dash;
    const offset = n.role === 'replica' ? rep?.replicaReplOffset : rep?.masterReplOffset;
    const attached = master?.replication?.replicas.find((r) => r.host === n.host && r.port === n.port);
    return [
      `  ${formatAddress(n)}`,
      n.role ?? dash,
      n.reachable ? (n.error ? 'degraded' : 'ok') : 'DOWN',
      labelOf(n.server) ?? dash,
      following,
      link,
      fmt(offset),
      n.role === 'replica' ? fmt(lagBytes(n, master)) : dash,
      n.role === 'replica' ? fmt(attached?.lagSeconds) : dash,
      ms(n.rttMs),
      errorText(n.error),
    ];
  });
  out.push(
    ...textTable(
      [
        '  ADDRESS',
        'ROLE',
        'STATUS',
        'VERSION',
        'FOLLOWS',
        'LINK',
        'OFFSET',
        'LAG_BYTES',
        'ACK_AGE_S',
        'RTT',
        'ERROR',
      ],
      nodeRows,
    ),
  );

  out.push('', 'Sentinels');
  const sentinelRows = s.sentinels.map((x) => [
    `  ${formatAddress(x)}`,
    x.reachable ? (x.error ? 'degraded' : 'ok') : 'DOWN',
    labelOf(x) ?? dash,
    x.masterAddress ? formatAddress(x.masterAddress) : dash,
    x.master ? x.master.flags.join(',') : dash,
    x.master ? `${x.master.quorum}` : dash,
    x.master ? `${x.master.numReplicas}` : dash,
    x.master ? `${x.master.numOtherSentinels + 1}` : dash,
    x.ckquorum ? (x.ckquorum.ok ? 'OK' : 'NOQUORUM') : dash,
    x.tilt === null ? dash : x.tilt ? 'TILT' : 'no',
    x.discoveredBy.includes('config') ? 'config' : 'peer',
    errorText(x.error),
  ]);
  out.push(
    ...textTable(
      [
        '  ADDRESS',
        'STATUS',
        'VERSION',
        'MASTER',
        'FLAGS',
        'QUORUM',
        'REPLICAS',
        'SENTINELS',
        'CKQUORUM',
        'TILT',
        'FROM',
        'ERROR',
      ],
      sentinelRows,
    ),
  );

  out.push('');
  if (s.findings.length === 0) out.push('Findings: none');
  else {
    out.push('Findings');
    for (const f of s.findings)
      out.push(`  [${f.severity.toUpperCase()}] ${f.code} ${f.subject}: ${f.message}`);
  }
  // What this poll could not check, so "none" above is never read as more than it is.
  if (s.unavailable && s.unavailable.length > 0) {
    out.push('', 'Not checked');
    for (const u of s.unavailable) out.push(`  ${u.check}: ${u.reason}`);
  }
  return out.join('\n');
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * `Servers: redis 7.0.15`, or every release with who runs it when they differ (a rolling upgrade, or
 * one left half-done: detection says which when it is a risk). Null when no version is known.
 */
export function serversLine(groups: readonly ReleaseGroup[]): string | null {
  if (groups.length === 0) return null;
  if (groups.length === 1) return `Servers: ${groups[0].label}`;
  const who = (g: ReleaseGroup): string =>
    [
      g.nodes.length === 1 ? `node ${g.nodes[0]}` : g.nodes.length > 1 ? count(g.nodes.length, 'node') : '',
      g.sentinels.length === 1
        ? `sentinel ${g.sentinels[0]}`
        : g.sentinels.length > 1
          ? count(g.sentinels.length, 'sentinel')
          : '',
    ]
      .filter((x) => x !== '')
      .join(', ');
  return `Servers: MIXED ${groups.map((g) => `${g.label} (${who(g)})`).join(', ')}`;
}
