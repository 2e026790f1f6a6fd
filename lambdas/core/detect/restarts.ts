// NODE_RESTARTED: a server's run id changed, or its uptime went down, since the watcher last read it.
// Identities are kept in the state, so a restart is still seen when the server was unreachable in
// between (kill, then start again); the previous snapshot is the fallback for a fresh state.

import type { Finding, NodeSnapshot, SentinelSnapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { nodeSubject, sentinelSubject } from './codes';
import type { DetectionState, ServerIdentity } from './state';
import { formatDuration } from './text';
import { nodeReadable, roleOf, type View } from './view';

/** Identities of servers not seen for this long are forgotten (a node removed for good). */
const FORGET_AFTER_MS = 7 * 24 * 3600 * 1000;

export function detectRestarts(view: View): {
  findings: Finding[];
  state: Pick<DetectionState, 'identities'>;
} {
  const { snapshot, previous, now } = view;
  const identities: Record<string, ServerIdentity> = {};
  for (const [key, id] of Object.entries(view.state.identities)) {
    if (now - id.seenAt < FORGET_AFTER_MS) identities[key] = id;
  }
  const findings: Finding[] = [];

  for (const node of snapshot.nodes) {
    if (!nodeReadable(node) || !node.server) continue;
    const key = nodeSubject(node);
    const current = { runId: node.server.runId, uptimeSeconds: node.server.uptimeSeconds, seenAt: now };
    const prior = identities[key] ?? nodeIdentity(previous?.nodes.find((n) => sameAddress(n, node)));
    if (prior && restarted(prior, current)) findings.push(nodeRestarted(view, node, prior));
    identities[key] = current;
  }
  for (const s of snapshot.sentinels) {
    if (!s.reachable || s.runId === null) continue;
    const key = sentinelSubject(s);
    const current = { runId: s.runId, uptimeSeconds: null, seenAt: now };
    const before = previous?.sentinels.find((p) => sameAddress(p, s));
    const prior =
      identities[key] ?? (before?.runId ? { runId: before.runId, uptimeSeconds: null, seenAt: 0 } : null);
    if (prior && restarted(prior, current)) findings.push(sentinelRestarted(s));
    identities[key] = current;
  }
  return { findings, state: { identities } };
}

const nodeIdentity = (n: NodeSnapshot | undefined): ServerIdentity | null =>
  n?.server ? { runId: n.server.runId, uptimeSeconds: n.server.uptimeSeconds, seenAt: 0 } : null;

function restarted(prior: ServerIdentity, current: ServerIdentity): boolean {
  if (prior.runId !== null && current.runId !== null) return prior.runId !== current.runId;
  return (
    prior.uptimeSeconds !== null &&
    current.uptimeSeconds !== null &&
    current.uptimeSeconds < prior.uptimeSeconds
  );
}

function nodeRestarted(view: View, node: NodeSnapshot, prior: ServerIdentity): Finding {
  const address = formatAddress(node);
  const uptime = node.server?.uptimeSeconds ?? null;
  const up = uptime !== null ? ` ${formatDuration(uptime * 1000)} ago` : '';
  const isMaster = sameAddress(node, view.snapshot.master) && roleOf(node) === 'master';
  const before = view.previous?.master ?? view.state.lastMaster;
  // The master restarted and no failover happened: with no persistence it came back empty, and its
  // replicas then copy the empty data set. That is worth a page.
  const masterWithoutFailover = isMaster && sameAddress(before, node);
  const message = masterWithoutFailover
    ? `The master ${address} restarted${up} without a failover (it was back before down-after-milliseconds ran out). If it has no persistence (RDB or AOF) it came back empty and its replicas have resynced the empty data set: check the data now. Find out why it restarted (OOM killer, crash, deploy).`
    : `Node ${address}${isMaster ? ' (the master)' : ''} restarted${up}. Check that it resynced (master_link_status:up on a replica) and why it restarted (log, OOM killer, deploy).`;
  return {
    code: 'NODE_RESTARTED',
    severity: masterWithoutFailover ? 'critical' : 'warning',
    subject: nodeSubject(node),
    message,
    details: {
      previousRunId: prior.runId,
      runId: node.server?.runId ?? null,
      previousUptimeSeconds: prior.uptimeSeconds,
      uptimeSeconds: uptime,
      role: roleOf(node),
    },
  };
}

function sentinelRestarted(s: SentinelSnapshot): Finding {
  return {
    code: 'NODE_RESTARTED',
    severity: 'info',
    subject: sentinelSubject(s),
    message: `Sentinel ${formatAddress(s)} restarted (its run id changed). Harmless if planned; check it still knows every peer (SENTINEL_COUNT_MISMATCH would say) and why it restarted if not.`,
    details: { runId: s.runId },
  };
}
