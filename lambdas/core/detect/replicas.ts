// Replicas: reachable, linked to the right master, keeping up, and enough of them.
//
// Precedence, per node, so one problem is one alert (first match wins):
//   1. AUTH_FAILED (auth.ts): the node's state is unknown; it is not judged here and counts as present.
//   2. REPLICA_UNREACHABLE: down; no link or lag finding for it.
//   3. MULTIPLE_MASTERS (master.ts): it reports role:master; no link or lag finding for it.
//   4. REPLICA_LINK_DOWN: link down, following another master, or not listed by the master; no lag.
//   5. REPLICA_LAGGING.
// And for the deployment:
//   - When the master is down or unreadable, replicas whose link to it is down are not reported: the
//     master's alert explains them (they are counted as present).
//   - While a failover runs, link and lag are not judged: replicas are being re-pointed. Nor when the
//     named master is itself a replica (MONITORED_MASTER_IS_REPLICA): there is nothing to judge against.
//   - REPLICA_COUNT_LOW adds no alert for a replica that already has its own: it fires when fewer
//     replicas are known than expected (one vanished from every list). None usable at all is
//     NO_FAILOVER_TARGET (failover-target.ts).
//   - A node known only as what some replica follows (`upstream`) is not a replica here.

import type { AttachedReplica, Finding, NodeSnapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { DEPLOYMENT_SUBJECT, nodeSubject } from './codes';
import { describeFault, formatBytes, formatDuration } from './text';
import { authBlocked, nodeDown, nodeReadable, roleOf, type View } from './view';

type Health = 'healthy' | 'unhealthy' | 'unknown';

export function detectReplicas(view: View): Finding[] {
  const findings: Finding[] = [];
  const health: Health[] = [];
  for (const node of view.replicaNodes) {
    // Known only as the node some replica follows: not a replica of this deployment (the replica
    // following it is REPLICA_LINK_DOWN `wrong-master`), so neither a target lost nor a replica count.
    if (node.discoveredBy.length === 1 && node.discoveredBy[0] === 'upstream') continue;
    const result = judge(view, node);
    health.push(result.health);
    if (result.finding) findings.push(result.finding);
  }
  findings.push(...countLow(view, health));
  return findings;
}

function judge(view: View, node: NodeSnapshot): { health: Health; finding?: Finding } {
  if (authBlocked(node)) return { health: 'unknown' };
  if (nodeDown(node)) return { health: 'unhealthy', finding: unreachable(view, node) };
  if (!nodeReadable(node)) return { health: 'unknown' };
  const role = roleOf(node);
  if (role === 'master') return { health: 'unhealthy' }; // MULTIPLE_MASTERS
  if (role !== 'replica' || !node.replication) return { health: 'unknown' };
  if (view.failover.length > 0 || view.masterIsReplica) return { health: 'unknown' };

  const master = view.masterAddress;
  const masterUnreadable = view.effectiveMaster === null;
  const r = node.replication;
  const follows = r.masterHost && r.masterPort ? { host: r.masterHost, port: r.masterPort } : null;
  const followsMaster = master !== null && sameAddress(follows, master);

  // Following some other node: a chain through a known replica is allowed, anything else is wrong.
  if (master && follows && !followsMaster) {
    const via = view.replicaNodes.find((n) => sameAddress(n, follows));
    if (!(via && roleOf(via) === 'replica')) {
      return {
        health: 'unhealthy',
        finding: linkDown(view, node, 'wrong-master', { follows: formatAddress(follows) }),
      };
    }
  }
  if (r.masterLinkStatus === 'down') {
    if (followsMaster && masterUnreadable) return { health: 'unknown' };
    return { health: 'unhealthy', finding: linkDown(view, node, 'link-down', {}) };
  }
  const m = view.effectiveMaster;
  if (!m?.replication || !followsMaster) return { health: 'healthy' };

  const attached = findAttached(view, node, m.replication.replicas);
  if (!attached && r.masterLinkStatus === 'up') {
    return { health: 'unhealthy', finding: linkDown(view, node, 'not-listed', {}) };
  }
  const lag = lagging(view, node, m, attached);
  return lag ? { health: 'unhealthy', finding: lag } : { health: 'healthy' };
}

/**
 * The master's `slaveN` entry for a replica. By address first; failing that, by port among entries that
 * match no known node (the master sees a replica under its announced or NATed address).
 */
function findAttached(
  view: View,
  node: NodeSnapshot,
  list: readonly AttachedReplica[],
): AttachedReplica | null {
  const exact = list.find((a) => sameAddress(a, node));
  if (exact) return exact;
  const strangers = list.filter(
    (a) => !view.snapshot.nodes.some((n) => sameAddress(n, a)) && a.port === node.port,
  );
  return strangers.length === 1 ? strangers[0] : null;
}

function unreachable(view: View, node: NodeSnapshot): Finding {
  const { what, hint } = describeFault(
    node.role === 'sentinel' ? { class: 'unsupported-command', message: '' } : node.error,
  );
  const wasMaster =
    sameAddress(node, view.state.lastMaster) || sameAddress(node, view.previous?.master ?? null);
  return {
    code: 'REPLICA_UNREACHABLE',
    severity: 'warning',
    subject: nodeSubject(node),
    message: `Replica ${formatAddress(node)}${wasMaster ? ' (the master until the last switch)' : ''} ${what}: one failover target fewer. ${hint} Once back it resyncs from the master by itself.`,
    details: { errorClass: node.error?.class ?? null, discoveredBy: node.discoveredBy },
  };
}

type LinkReason = 'link-down' | 'wrong-master' | 'not-listed';

function linkDown(
  view: View,
  node: NodeSnapshot,
  reason: LinkReason,
  extra: Record<string, unknown>,
): Finding {
  const address = formatAddress(node);
  const master = view.masterAddress ? formatAddress(view.masterAddress) : 'the master';
  const r = node.replication!;
  let message: string;
  if (reason === 'wrong-master') {
    message =
      `Replica ${address} follows ${String(extra.follows)}, not the master ${master}: it does not receive the master's writes and is no safe failover target. ` +
      `Sentinel normally re-points replicas within seconds of a failover; if this persists, run REPLICAOF ${view.masterAddress?.host ?? '<master ip>'} ${view.masterAddress?.port ?? '<port>'} on it and check it appears in SENTINEL REPLICAS ${view.snapshot.masterName}.`;
  } else if (reason === 'not-listed') {
    message =
      `Replica ${address} says its link to ${master} is up, but the master does not list it among its replicas: the link has just dropped, or the master sees it under another address (replica-announce-ip, NAT). ` +
      `Compare INFO replication on both; if it persists, restart replication with REPLICAOF on the replica.`;
  } else {
    const since =
      r.masterLinkDownSinceSeconds !== null && r.masterLinkDownSinceSeconds >= 0
        ? ` for ${formatDuration(r.masterLinkDownSinceSeconds * 1000)}`
        : '';
    const sync = r.masterSyncInProgress
      ? ' A full sync is in progress: if it keeps restarting, raise client-output-buffer-limit replica and repl-backlog-size on the master.'
      : '';
    message =
      `Replica ${address} is not replicating: master_link_status:down${since}, so it falls further behind ${master} and may be skipped by a failover.${sync} ` +
      `Read its log for the reason: a wrong or missing masterauth (the master answers NOAUTH or WRONGPASS), the master unreachable from the replica, or a failing full sync.`;
  }
  return {
    code: 'REPLICA_LINK_DOWN',
    severity: 'warning',
    subject: nodeSubject(node),
    message,
    details: {
      reason,
      masterLinkStatus: r.masterLinkStatus,
      linkDownSinceSeconds: r.masterLinkDownSinceSeconds,
      syncInProgress: r.masterSyncInProgress,
      ...extra,
    },
  };
}

/**
 * REPLICA_LAGGING. Bytes: the master's offset minus the replica's own `slave_repl_offset` (read from the
 * replica; the master's `slaveN offset` only when the replica gave none). Seconds: `lag=` of the
 * master's `slaveN` line, the time since the replica's last ACK, which is not how far behind its data is.
 */
function lagging(
  view: View,
  node: NodeSnapshot,
  master: NodeSnapshot,
  attached: AttachedReplica | null,
): Finding | null {
  const { maxLagBytes, maxLagSeconds } = view.settings;
  const masterOffset = master.replication?.masterReplOffset ?? null;
  const ownOffset = node.replication?.replicaReplOffset ?? null;
  const replicaOffset = ownOffset ?? attached?.offset ?? null;
  // The two offsets are read a moment apart: a replica read later can be ahead; that is no lag.
  const lagBytes =
    masterOffset !== null && replicaOffset !== null ? Math.max(0, masterOffset - replicaOffset) : null;
  const lagSeconds = attached?.lagSeconds ?? null;
  const bytesTripped = lagBytes !== null && lagBytes > maxLagBytes;
  const secondsTripped = lagSeconds !== null && lagSeconds > maxLagSeconds;
  if (!bytesTripped && !secondsTripped) return null;

  const parts: string[] = [];
  if (bytesTripped) {
    parts.push(
      `its data is ${formatBytes(lagBytes!)} behind the master (offset gap; limit ${formatBytes(maxLagBytes)})`,
    );
  }
  if (secondsTripped) {
    parts.push(
      `it has not acknowledged the master for ${lagSeconds} s (INFO lag=, the time since its last ACK, not data delay; limit ${maxLagSeconds} s)`,
    );
  }
  return {
    code: 'REPLICA_LAGGING',
    severity: 'warning',
    subject: nodeSubject(node),
    message:
      `Replica ${formatAddress(node)} is lagging: ${parts.join(', and ')}. A failover to it now would lose those writes. ` +
      `Check the replica's CPU, disk and network (a frozen or overloaded process stops ACKing), and whether a write burst or a big key is being replicated.`,
    details: {
      lagBytes,
      lagSeconds,
      maxLagBytes,
      maxLagSeconds,
      tripped: [...(bytesTripped ? ['bytes'] : []), ...(secondsTripped ? ['seconds'] : [])],
      masterOffset,
      replicaOffset,
      replicaOffsetSource: ownOffset !== null ? 'replica' : 'master-list',
    },
  };
}

/**
 * REPLICA_COUNT_LOW: fewer replicas known than expected (one vanished from every list). None at all,
 * or none usable, is NO_FAILOVER_TARGET (failover-target.ts): critical, and one alert for it.
 */
function countLow(view: View, health: readonly Health[]): Finding[] {
  const expected = view.settings.expectedReplicas;
  if (expected === 0 || !view.masterAddress) return [];
  const known = health.length;
  const present = health.filter((h) => h !== 'unhealthy').length;
  const master = formatAddress(view.masterAddress);
  if (known > 0 && known < expected) {
    return [
      {
        code: 'REPLICA_COUNT_LOW',
        severity: 'warning',
        subject: DEPLOYMENT_SUBJECT,
        message: `Only ${known} replica(s) are known to the sentinels and the master, ${expected} expected: one was removed, never attached, or forgotten by the sentinels. Start it with replicaof ${master} (or add it to the watcher's nodes to have it checked), or set expectedReplicas to ${known} if the deployment was shrunk on purpose.`,
        details: { known, healthy: present, expected },
      },
    ];
  }
  return [];
}
