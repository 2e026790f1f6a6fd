// The master the sentinels name: can it be reached, is it really a master, is it the only one?

import type { Finding, NodeSnapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { nodeSubject } from './codes';
import type { DetectionState, ExtraMaster } from './state';
import { describeFault, formatDuration } from './text';
import { nodeDown, nodeReadable, refusesEverything, roleOf, sentinelUsable, type View } from './view';

export function detectMaster(view: View): {
  findings: Finding[];
  state: Pick<DetectionState, 'extraMasters'>;
} {
  const extra = multipleMasters(view);
  return {
    findings: [...masterHealth(view), ...extra.findings],
    state: { extraMasters: extra.extraMasters },
  };
}

/** MASTER_UNREACHABLE, MONITORED_MASTER_IS_REPLICA. An auth failure on the master is AUTH_FAILED only. */
function masterHealth(view: View): Finding[] {
  const node = view.masterNode;
  if (!node) return [];
  const address = formatAddress(node);
  // Up, but answering BUSY or LOADING to everything: writes.ts says so, with the cause.
  if (refusesEverything(node)) return [];
  if (nodeDown(node)) {
    const { what, hint } = describeFault(node.error);
    const flagged = view.snapshot.sentinels.filter((s) => sentinelUsable(s) && sameAddress(s.master, node));
    const odown = flagged.filter((s) => s.master!.flags.includes('o_down')).length;
    const sdown = flagged.filter((s) => s.master!.flags.some((f) => f === 's_down' || f === 'o_down')).length;
    const downAfter = flagged.find((s) => s.master!.downAfterMs !== null)?.master?.downAfterMs ?? null;
    // Lost it too, though not yet for down-after-milliseconds: its link is gone or its PINGs go unanswered.
    const lost = flagged.filter(
      (s) =>
        s.master!.flags.some((f) => f === 's_down' || f === 'o_down' || f === 'disconnected') ||
        (s.master!.lastOkPingReplyMs ?? 0) >= SENTINEL_PING_SILENCE_MS,
    ).length;
    const name = view.snapshot.masterName;
    let sentinelView: string;
    if (!view.quorum.possible && (lost > 0 || flagged.length === 0)) {
      // NO_QUORUM says why; here, what it means for this outage.
      sentinelView = `No failover will come: the sentinels cannot agree or authorise one (see NO_QUORUM). Bring the master back, or, if it is gone for good, force a failover from one sentinel with SENTINEL FAILOVER ${name} (it needs no agreement, only a good replica), then fix the sentinels.`;
    } else if (odown > 0) {
      sentinelView = `The sentinels agree it is down (o_down): a failover should follow; watch for MASTER_CHANGED, and if none comes check NO_FAILOVER_TARGET, FAILOVER_ABORTED and FAILOVER_IN_PROGRESS.`;
    } else if (sdown > 0) {
      sentinelView = `${sdown} of ${flagged.length} sentinels see it down too (s_down)${downAfter !== null ? `; they fail over once enough agree, after down-after-milliseconds (${formatDuration(downAfter)})` : ''}.`;
    } else if (lost > 0) {
      sentinelView = `${lost} of ${flagged.length} sentinels have lost it too; they see it down after down-after-milliseconds${downAfter !== null ? ` (${formatDuration(downAfter)})` : ''} and fail over once enough agree.`;
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
 *
 * An old master restarted with its old config claims master for ~10 s until Sentinel converts it; if
 * clients write to it meanwhile, those writes are lost. Its write counter (`rdb_changes_since_last_save`,
 * which counts writes with or without persistence) tells: once it grows, the finding says how much
 * and since when, and pages at once (`details.acceptingWrites`, no grace period).
 */
function multipleMasters(view: View): { findings: Finding[]; extraMasters: Record<string, ExtraMaster> } {
  const { snapshot } = view;
  const masters = snapshot.nodes.filter((n) => nodeReadable(n) && roleOf(n) === 'master');
  const named = snapshot.master;
  const extra = named ? masters.filter((n) => !sameAddress(n, named)) : masters.length > 1 ? masters : [];
  const promoting = (n: NodeSnapshot): boolean =>
    view.failover.length > 0 &&
    snapshot.sentinels.some((s) => s.replicas.some((r) => sameAddress(r, n) && r.flags.includes('promoted')));

  // When the named master is a replica, the node it follows is the real master, not a second one:
  // MONITORED_MASTER_IS_REPLICA names it.
  const followed = view.masterIsReplica ? view.masterNode?.replication : null;
  const isFollowed = (n: NodeSnapshot): boolean =>
    !!followed?.masterHost && sameAddress(n, { host: followed.masterHost, port: followed.masterPort ?? 0 });

  const extraMasters: Record<string, ExtraMaster> = {};
  const findings = extra
    .filter((n) => !promoting(n) && !isFollowed(n))
    .map((n) => {
      const key = nodeSubject(n);
      const before = view.state.extraMasters?.[key];
      const changes = n.stats?.changesSinceLastSave ?? null;
      const seen: ExtraMaster = before ?? { since: view.now, changes };
      extraMasters[key] = seen;
      return extraMasterFinding(view, n, seen, changes);
    });
  return { findings, extraMasters };
}

/** A sentinel PINGs every second: no acceptable reply for this long means it has lost the node too. */
const SENTINEL_PING_SILENCE_MS = 2000;

/** A node up for less than this is freshly (re)started: its write counter covers only that time. */
const FRESH_START_S = 300;

function extraMasterFinding(view: View, n: NodeSnapshot, seen: ExtraMaster, changes: number | null): Finding {
  const { snapshot } = view;
  const named = snapshot.master;
  const address = formatAddress(n);
  const against = named ? `the sentinels name ${formatAddress(named)}` : 'the sentinels agree on no master';
  const knownToSentinels = snapshot.sentinels.some(
    (s) => sameAddress(s.master, n) || s.replicas.some((r) => sameAddress(r, n)),
  );
  // Writes since the watcher first saw it; at first sight, only when it is known to have restarted
  // since it was last read (an old master restarted with its old config): its counter then covers
  // only its time as a stale master. Otherwise the counter holds writes from when it was the master.
  const firstSight = seen.since >= view.now;
  const uptime = n.server?.uptimeSeconds ?? null;
  const identity = view.state.identities[nodeSubject(n)];
  const restarted = !!identity?.runId && !!n.server?.runId && identity.runId !== n.server.runId;
  // Replaying an AOF at start counts every replayed write (measured on 7.0): only growth counts then.
  const replayed = n.stats?.aofEnabled === true;
  const written =
    changes === null
      ? null
      : !firstSight && seen.changes !== null
        ? changes - seen.changes
        : restarted && !replayed && uptime !== null && uptime < FRESH_START_S
          ? changes
          : null;
  const acceptingWrites = written !== null && written > 0;
  const duration = formatDuration(Math.max(0, view.now - seen.since));
  const writes = acceptingWrites
    ? `It has accepted about ${written} write(s) ${firstSight ? `since it started ${formatDuration((uptime ?? 0) * 1000)} ago` : `in the ${duration} since the watcher first saw it as master`}: they are lost when it becomes a replica again, and clients that wrote them were told they succeeded. `
    : '';
  let fix: string;
  if (!knownToSentinels) {
    fix = `No sentinel knows this node, so nothing will convert it: ${named ? `run REPLICAOF ${named.host} ${named.port} on it` : 'make it a replica of the right master'}, or stop it if it does not belong to this deployment.`;
  } else if (n.ping && !n.ping.ok) {
    fix = `Sentinel will not convert it while it answers PING with ${n.ping.errorCode ?? 'an error'} (${n.ping.message ?? ''}): fix that (for MISCONF, its disk or persistence), or run REPLICAOF ${named ? `${named.host} ${named.port}` : '<master ip> <port>'} on it yourself.`;
  } else {
    fix = `Sentinel converts an old master into a replica about 10 s after it is back; if this lasts longer, see SENTINEL_SEES_DOWN, or run REPLICAOF ${named ? `${named.host} ${named.port}` : '<master ip> <port>'} on it.`;
  }
  return {
    code: 'MULTIPLE_MASTERS',
    severity: 'critical',
    subject: nodeSubject(n),
    message:
      `${address} reports role:master but ${against}: two nodes accept writes, and writes that reach ${address} are lost when it becomes a replica again. ${writes}` +
      `${fix} Clients must find the master through Sentinel; min-replicas-to-write limits what an isolated old master accepts.`,
    details: {
      namedMaster: named ? formatAddress(named) : null,
      connectedReplicas: n.replication?.connectedReplicas ?? null,
      uptimeSeconds: n.server?.uptimeSeconds ?? null,
      knownToSentinels,
      acceptingWrites,
      writesAccepted: written,
      masterSinceMs: view.now - seen.since,
    },
  };
}
