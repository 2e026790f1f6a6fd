// The master the sentinels name: can it be reached, is it really a master, is it the only one?

import type { Finding, NodeSnapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { nodeSubject } from './codes';
import { describeFault, formatDuration } from './text';
import { nodeDown, nodeReadable, roleOf, sentinelUsable, type View } from './view';

export function detectMaster(view: View): Finding[] {
  return [...masterHealth(view), ...multipleMasters(view)];
}

/** MASTER_UNREACHABLE, MONITORED_MASTER_IS_REPLICA. An auth failure on the master is AUTH_FAILED only. */
function masterHealth(view: View): Finding[] {
  const node = view.masterNode;
  if (!node) return [];
  const address = formatAddress(node);
  if (nodeDown(node)) {
    const { what, hint } = describeFault(node.error);
    const flagged = view.snapshot.sentinels.filter((s) => sentinelUsable(s) && sameAddress(s.master, node));
    const odown = flagged.filter((s) => s.master!.flags.includes('o_down')).length;
    const sdown = flagged.filter((s) => s.master!.flags.some((f) => f === 's_down' || f === 'o_down')).length;
    const downAfter = flagged.find((s) => s.master!.downAfterMs !== null)?.master?.downAfterMs ?? null;
    let sentinelView: string;
    if (odown > 0) {
      sentinelView = `The sentinels agree it is down (o_down): a failover should follow; watch for MASTER_CHANGED, and if none comes check NO_QUORUM, FAILOVER_IN_PROGRESS and CONFIG_RISK.`;
    } else if (sdown > 0) {
      sentinelView = `${sdown} of ${flagged.length} sentinels see it down too (s_down)${downAfter !== null ? `; they fail over once enough agree, after down-after-milliseconds (${formatDuration(downAfter)})` : ''}.`;
    } else if (flagged.length > 0) {
      sentinelView =
        'The sentinels still reach it, so no failover will start: the problem is probably between the watcher and the node (network, security group, bind or protected-mode).';
    } else {
      sentinelView = '';
    }
    return [
      {
        code: 'MASTER_UNREACHABLE',
        severity: 'critical',
        subject: nodeSubject(node),
        message:
          `The master ${address} ${what}: writes fail until it is back or a failover completes. ${hint} ${sentinelView}`.trim(),
        details: {
          errorClass: node.error?.class ?? null,
          sentinelsSeeingItDown: sdown,
          sentinelsAgreeingDown: odown,
        },
      },
    ];
  }
  if (nodeReadable(node) && roleOf(node) === 'replica') {
    const r = node.replication;
    const follows = r?.masterHost
      ? `${formatAddress({ host: r.masterHost, port: r.masterPort ?? 0 })}`
      : 'another node';
    const name = view.snapshot.masterName;
    return [
      {
        code: 'MONITORED_MASTER_IS_REPLICA',
        severity: 'critical',
        subject: nodeSubject(node),
        message:
          `The sentinels name ${address} as master, but it reports role:slave (it follows ${follows}): clients that ask the sentinels for the master get a read-only node and every write fails with READONLY. ` +
          `If a failover has just finished this clears within seconds. Otherwise the sentinels watch the wrong node: on each sentinel run SENTINEL REMOVE ${name}, then SENTINEL MONITOR ${name} <real master ip> <port> <quorum> and set auth-pass again; or, if ${address} should be the master, run REPLICAOF NO ONE on it.`,
        details: {
          masterHost: r?.masterHost ?? null,
          masterPort: r?.masterPort ?? null,
          linkStatus: r?.masterLinkStatus ?? null,
        },
      },
    ];
  }
  return [];
}

/**
 * MULTIPLE_MASTERS: a data node other than the named master reports role:master. Not raised for the
 * replica a running failover is promoting (it is a master for a second before the sentinels switch),
 * nor for the node a replica-named-as-master follows (that is the real master).
 * Without a consensus master, raised only when two or more nodes report role:master.
 */
function multipleMasters(view: View): Finding[] {
  const { snapshot } = view;
  const masters = snapshot.nodes.filter((n) => nodeReadable(n) && roleOf(n) === 'master');
  const named = snapshot.master;
  const extra = named ? masters.filter((n) => !sameAddress(n, named)) : masters.length > 1 ? masters : [];
  const promoting = (n: NodeSnapshot): boolean =>
    view.failover.length > 0 &&
    snapshot.sentinels.some((s) => s.replicas.some((r) => sameAddress(r, n) && r.flags.includes('promoted')));
  const knownToSentinels = (n: NodeSnapshot): boolean =>
    snapshot.sentinels.some((s) => sameAddress(s.master, n) || s.replicas.some((r) => sameAddress(r, n)));

  // When the named master is a replica, the node it follows is the real master, not a second one:
  // MONITORED_MASTER_IS_REPLICA names it.
  const followed = view.masterIsReplica ? view.masterNode?.replication : null;
  const isFollowed = (n: NodeSnapshot): boolean =>
    !!followed?.masterHost && sameAddress(n, { host: followed.masterHost, port: followed.masterPort ?? 0 });

  return extra
    .filter((n) => !promoting(n) && !isFollowed(n))
    .map((n) => {
      const address = formatAddress(n);
      const against = named
        ? `the sentinels name ${formatAddress(named)}`
        : 'the sentinels agree on no master';
      const uptime = n.server?.uptimeSeconds ?? null;
      const fix = knownToSentinels(n)
        ? `Sentinel converts an old master into a replica about 10 s after it is back; if this lasts longer, check that every sentinel can reach and authenticate to ${address} (sentinel auth-pass).`
        : `No sentinel knows this node, so nothing will convert it: ${named ? `run REPLICAOF ${named.host} ${named.port} on it` : 'make it a replica of the right master'}, or stop it if it does not belong to this deployment.`;
      return {
        code: 'MULTIPLE_MASTERS',
        severity: 'critical' as const,
        subject: nodeSubject(n),
        message:
          `${address} reports role:master but ${against}: two nodes accept writes, and writes that reach ${address} are lost when it becomes a replica again. ` +
          `${fix} Clients must find the master through Sentinel; min-replicas-to-write limits what an isolated old master accepts.`,
        details: {
          namedMaster: named ? formatAddress(named) : null,
          connectedReplicas: n.replication?.connectedReplicas ?? null,
          uptimeSeconds: uptime,
          knownToSentinels: knownToSentinels(n),
        },
      };
    });
}
