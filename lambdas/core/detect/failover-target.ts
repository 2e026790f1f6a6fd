// NO_FAILOVER_TARGET: if the master failed now, could Sentinel promote anyone without losing data?
// A replica is a target only if it is reachable, replicating from the master (link up), not flagged
// down by every sentinel that knows it, known to at least one sentinel (Sentinel only promotes
// replicas it lists), has replica-priority above 0, and is not lagging beyond the limit. When none
// qualifies, whatever the mix of reasons, automatic failover is impossible right now: critical.
//
// Not judged while a failover runs, while the named master is itself a replica, or when no replica's
// state can be known (the watcher cannot authenticate to them: AUTH_FAILED says so). When the reason
// every replica is unusable is only that the sentinels cannot reach them while the watcher can,
// SENTINEL_SEES_DOWN reports it (one cause, one page), and this finding stays quiet.

import type { Finding, NodeSnapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { DEPLOYMENT_SUBJECT } from './codes';
import { formatBytes } from './text';
import { authBlocked, nodeDown, nodeReadable, roleOf, sentinelUsable, type View } from './view';

export interface TargetVerdict {
  readonly node: NodeSnapshot;
  /** Why it cannot be promoted now; empty for a good target. Null: its state is unknown. */
  readonly reasons: readonly string[] | null;
  /** The only reason is that sentinels flag it down while it answers the watcher. */
  readonly onlySentinelsBlind: boolean;
}

const DOWN_FLAGS = ['s_down', 'o_down'];

export function judgeTargets(view: View): TargetVerdict[] {
  const master = view.masterAddress;
  const masterDown = view.effectiveMaster === null;
  const usable = view.snapshot.sentinels.filter((s) => sentinelUsable(s) && s.tilt !== true);
  return candidates(view).map((node) => {
    if (authBlocked(node)) return { node, reasons: null, onlySentinelsBlind: false };
    if (nodeDown(node)) return { node, reasons: ['down'], onlySentinelsBlind: false };
    if (!nodeReadable(node)) return { node, reasons: null, onlySentinelsBlind: false };
    const reasons: string[] = [];
    const r = node.replication;
    const listing = usable
      .map((s) => s.replicas.find((x) => sameAddress(x, node)))
      .filter((x) => x !== undefined);
    if (usable.length > 0 && listing.length === 0) reasons.push('unknown to the sentinels');
    const flaggedByAll =
      listing.length > 0 && listing.every((x) => x.flags.some((f) => DOWN_FLAGS.includes(f)));
    const priority =
      r?.replicaPriority ?? listing.find((x) => x.replicaPriority !== null)?.replicaPriority ?? null;
    if (priority === 0) reasons.push('replica-priority 0');
    const follows = r?.masterHost ? { host: r.masterHost, port: r.masterPort ?? 0 } : null;
    if (master && follows && !sameAddress(follows, master)) {
      const via = view.replicaNodes.find((n) => sameAddress(n, follows) && roleOf(n) === 'replica');
      if (!via) reasons.push(`follows ${formatAddress(follows)}, not the master`);
    }
    // With the master down, every replica's link is down: Sentinel still promotes them.
    if (!masterDown && r?.masterLinkStatus === 'down') reasons.push('not replicating (link down)');
    const lag = lagBytes(view, node);
    if (lag !== null && lag > view.settings.maxLagBytes) reasons.push(`${formatBytes(lag)} behind`);
    if (flaggedByAll) reasons.push('flagged down by the sentinels');
    return {
      node,
      reasons,
      onlySentinelsBlind: flaggedByAll && reasons.length === 1,
    };
  });
}

/** Data nodes that could be promoted: not the master, not another master, not only someone's upstream. */
function candidates(view: View): NodeSnapshot[] {
  return view.replicaNodes.filter(
    (n) => roleOf(n) !== 'master' && !(n.discoveredBy.length === 1 && n.discoveredBy[0] === 'upstream'),
  );
}

function lagBytes(view: View, node: NodeSnapshot): number | null {
  const masterOffset = view.effectiveMaster?.replication?.masterReplOffset ?? null;
  const own = node.replication?.replicaReplOffset ?? null;
  return masterOffset !== null && own !== null ? Math.max(0, masterOffset - own) : null;
}

export function detectFailoverTarget(view: View): Finding[] {
  const expected = view.settings.expectedReplicas;
  if (expected === 0 || !view.masterAddress || view.failover.length > 0 || view.masterIsReplica) return [];
  const verdicts = judgeTargets(view);
  if (verdicts.some((v) => v.reasons === null || v.reasons.length === 0)) return [];
  if (verdicts.length > 0 && verdicts.every((v) => v.onlySentinelsBlind)) return [];
  const master = formatAddress(view.masterAddress);
  const list = verdicts.map((v) => `${formatAddress(v.node)}: ${v.reasons!.join(', ')}`).join('; ');
  const message =
    verdicts.length === 0
      ? `Automatic failover is impossible now: the master ${master} has no replica (${expected} expected), so if it fails its data is gone and nothing takes over. Start replicas with replicaof ${master}, or set expectedReplicas to 0 if that is on purpose.`
      : `Automatic failover is impossible now: no replica can be promoted without losing data (${list}). If the master ${master} fails, it stays down. Fix one replica first: start it, let it resync, set replica-priority above 0 (CONFIG SET replica-priority 100, then CONFIG REWRITE), or REPLICAOF ${view.masterAddress.host} ${view.masterAddress.port} on it.`;
  return [
    {
      code: 'NO_FAILOVER_TARGET',
      severity: 'critical',
      subject: DEPLOYMENT_SUBJECT,
      message,
      details: {
        replicas: verdicts.map((v) => ({ address: formatAddress(v.node), reasons: v.reasons })),
        expectedReplicas: expected,
      },
    },
  ];
}
