// SENTINEL_SEES_DOWN: a sentinel flags a server down (s_down) that answers the watcher. Sentinel's own
// flags are facts: a sentinel that cannot use the master casts a standing "down" vote, one that cannot
// use a replica will not promote it, and one that cannot reach its peers cannot get a failover
// authorised. The watcher reaching the same server tells where the fault is, and the sentinel's PING
// history tells which fault:
//   - it gets replies, but no acceptable one (`last-ping-reply` recent, `last-ok-ping-reply` old): the
//     server answers it with errors: a wrong or missing auth-pass (sentinel-pass between sentinels),
//     or PING renamed;
//   - it gets no reply at all: the network between them, or an address that does not reach the server.
// A server that refuses the watcher's own PING too (MISCONF, BUSY, LOADING) is not reported here: its
// own condition explains what the sentinels see (MASTER_NOT_WRITABLE, MULTIPLE_MASTERS).
//
// One finding for the deployment, listing every sentinel and what it cannot use: one cause is usually
// one setting on several sentinels (a password rotated on the nodes only).

import type { Address, Finding, NodeSnapshot, SentinelSnapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { DEPLOYMENT_SUBJECT, nodeSubject } from './codes';
import { formatDuration } from './text';
import { nodeReadable, sentinelUsable, type View } from './view';

export type SentinelBlindCause = 'auth' | 'ping-renamed' | 'maxclients' | 'sentinel-auth' | 'network';

export interface BlindSpot {
  readonly sentinel: SentinelSnapshot;
  /** The server the sentinel flags down. */
  readonly target: Address;
  readonly kind: 'master' | 'replica' | 'sentinel';
  readonly cause: SentinelBlindCause;
  readonly lastOkPingReplyMs: number | null;
  readonly lastPingReplyMs: number | null;
}

const DOWN_FLAGS = ['s_down', 'o_down'];
const isFlaggedDown = (flags: readonly string[]): boolean => flags.some((f) => DOWN_FLAGS.includes(f));

/** Every server a sentinel flags down while it answers the watcher, with the likely cause. */
export function blindSpots(view: View): BlindSpot[] {
  const { snapshot } = view;
  const spots: BlindSpot[] = [];
  for (const s of snapshot.sentinels) {
    if (!sentinelUsable(s) || s.tilt === true) continue;
    const downAfter = s.master!.downAfterMs ?? 30_000;
    const consider = (
      target: Address,
      kind: BlindSpot['kind'],
      flags: readonly string[],
      ping: { lastOkPingReplyMs?: number | null; lastPingReplyMs?: number | null },
    ): void => {
      if (!isFlaggedDown(flags)) return;
      const lastOk = ping.lastOkPingReplyMs ?? null;
      // A flag about to clear (an OK reply within down-after) is a blip, not a blind spot.
      if (lastOk !== null && lastOk < downAfter) return;
      const cause = causeOf(view, target, kind, ping.lastPingReplyMs ?? null, downAfter);
      if (cause) {
        spots.push({
          sentinel: s,
          target,
          kind,
          cause,
          lastOkPingReplyMs: lastOk,
          lastPingReplyMs: ping.lastPingReplyMs ?? null,
        });
      }
    };
    consider(s.master!, 'master', s.master!.flags, s.master!);
    for (const r of s.replicas) consider(r, 'replica', r.flags, r);
    for (const p of s.sentinels) consider(p, 'sentinel', p.flags, p);
  }
  return spots;
}

/** Why the sentinel cannot use a server the watcher reads; null when the watcher cannot read it either. */
function causeOf(
  view: View,
  target: Address,
  kind: BlindSpot['kind'],
  lastPingReplyMs: number | null,
  downAfter: number,
): SentinelBlindCause | null {
  const answersWithErrors = lastPingReplyMs !== null && lastPingReplyMs < downAfter;
  if (kind === 'sentinel') {
    const peer = view.snapshot.sentinels.find((p) => sameAddress(p, target));
    if (!peer?.reachable || peer.error?.class === 'unsupported-command') return null;
    return answersWithErrors ? 'sentinel-auth' : 'network';
  }
  const node: NodeSnapshot | undefined = view.snapshot.nodes.find((n) => sameAddress(n, target));
  if (!node || !nodeReadable(node)) return null;
  if (node.ping && !node.ping.ok) {
    // The node refuses PING to everyone: renamed or disabled is the sentinels' problem; MISCONF,
    // BUSY, LOADING are the node's own, reported by its own findings.
    return /unknown command/i.test(node.ping.message ?? '') ? 'ping-renamed' : null;
  }
  // Full to maxclients: a sentinel that reconnects is refused (with an error, or closed at once).
  const s = node.stats;
  const before = view.state.counters?.[nodeSubject(node)]?.rejectedConnections ?? null;
  const rejecting = s?.rejectedConnections != null && before !== null && s.rejectedConnections > before;
  if ((s?.maxClients && s.connectedClients !== null && s.connectedClients >= s.maxClients - 1) || rejecting) {
    return 'maxclients';
  }
  return answersWithErrors ? 'auth' : 'network';
}

export function detectSentinelView(view: View): Finding[] {
  const spots = blindSpots(view);
  if (spots.length === 0) return [];
  const name = view.snapshot.masterName;
  const master = view.snapshot.master;

  const bySentinel = new Map<string, BlindSpot[]>();
  for (const spot of spots) {
    const key = formatAddress(spot.sentinel);
    bySentinel.set(key, [...(bySentinel.get(key) ?? []), spot]);
  }
  const lines = [...bySentinel.entries()].map(([sentinel, list]) => describeSentinel(sentinel, list, name));

  // Sentinels that flag the named master down while it answers: enough of them fail it over, or try
  // to every 2 x failover-timeout and abort when no replica is usable to them either.
  const masterVotes = new Set(
    spots
      .filter((s) => s.kind === 'master' && sameAddress(s.target, master))
      .map((s) => formatAddress(s.sentinel)),
  );
  const quorum = Math.max(1, view.quorum.quorum || view.quorum.majority);
  const usable = view.snapshot.sentinels.filter((s) => sentinelUsable(s) && s.tilt !== true);
  const replicasBlocked = noReplicaUsable(view, spots, usable);
  const critical = masterVotes.size >= quorum || replicasBlocked;

  const consequences: string[] = [];
  if (masterVotes.size >= quorum) {
    consequences.push(
      `${masterVotes.size} sentinels (quorum ${quorum}) consider the master down although it works: they keep trying to fail it over, and a real failure is not handled normally`,
    );
  } else if (masterVotes.size > 0) {
    consequences.push(
      `${[...masterVotes].join(', ')} cast${masterVotes.size === 1 ? 's' : ''} a standing "down" vote for the master: ${Math.max(0, quorum - masterVotes.size)} more sentinel losing sight of it for down-after-milliseconds starts a failover`,
    );
  }
  if (replicasBlocked) {
    consequences.push('no sentinel can use any replica, so no failover can succeed');
  } else if (spots.some((s) => s.kind === 'replica')) {
    consequences.push(
      'a sentinel that cannot use a replica will not promote it or re-point it after a failover',
    );
  }
  if (spots.some((s) => s.kind === 'sentinel')) {
    consequences.push('sentinels that cannot reach each other cannot authorise a failover together');
  }

  return [
    {
      code: 'SENTINEL_SEES_DOWN',
      severity: critical ? 'critical' : 'warning',
      subject: DEPLOYMENT_SUBJECT,
      message: `Sentinels flag servers down that answer the watcher: ${lines.join(' ')} Consequence: ${consequences.join('; ')}.`,
      details: {
        masterDownVotes: masterVotes.size,
        quorum,
        replicasBlocked,
        spots: spots.map((s) => ({
          sentinel: formatAddress(s.sentinel),
          target: formatAddress(s.target),
          kind: s.kind,
          cause: s.cause,
          lastOkPingReplyMs: s.lastOkPingReplyMs,
          lastPingReplyMs: s.lastPingReplyMs,
        })),
      },
    },
  ];
}

/** Every replica is flagged down by every usable sentinel that lists it (and at least one lists it). */
function noReplicaUsable(
  view: View,
  spots: readonly BlindSpot[],
  usable: readonly SentinelSnapshot[],
): boolean {
  const listed = new Map<string, SentinelSnapshot[]>();
  for (const s of usable) {
    for (const r of s.replicas) {
      if (!sameAddress(r, view.snapshot.master)) {
        listed.set(formatAddress(r), [...(listed.get(formatAddress(r)) ?? []), s]);
      }
    }
  }
  if (listed.size === 0) return false;
  return [...listed.entries()].every(([replica, sentinels]) =>
    sentinels.every((s) =>
      spots.some(
        (spot) => spot.sentinel === s && spot.kind === 'replica' && formatAddress(spot.target) === replica,
      ),
    ),
  );
}

function describeSentinel(sentinel: string, spots: readonly BlindSpot[], name: string): string {
  const parts: string[] = [];
  for (const cause of ['auth', 'ping-renamed', 'maxclients', 'sentinel-auth', 'network'] as const) {
    const of = spots.filter((s) => s.cause === cause);
    if (of.length === 0) continue;
    const targets = of.map((s) => `${s.kind} ${formatAddress(s.target)}`).join(', ');
    const okAgo = of[0].lastOkPingReplyMs;
    const lastOk =
      okAgo !== null ? `no acceptable reply for ${formatDuration(okAgo)}` : 'no acceptable reply';
    parts.push(`it flags ${targets} down (${lastOk}): ${CAUSE_TEXT[cause](sentinel, name)}`);
  }
  return `Sentinel ${sentinel}: ${parts.join('; ')}.`;
}

const CAUSE_TEXT: Record<SentinelBlindCause, (sentinel: string, name: string) => string> = {
  auth: (_s, name) =>
    `they answer it with errors, so its auth-pass for ${name} is most likely missing or wrong (the nodes' requirepass was changed or not given to it; with ACL users, check auth-user too, and any "sentinel rename-command" for PING in its config). Fix: SENTINEL SET ${name} auth-pass <the nodes' password> on it (it rewrites its config)`,
  'ping-renamed': (_s, name) =>
    `PING is renamed or disabled on the node (rename-command), and Sentinel needs it. Fix: SENTINEL SET ${name} rename-command PING <the new name> on every sentinel, or restore PING on the node`,
  maxclients: () =>
    `the server is at its maxclients limit, so the sentinel's reconnections are refused. Raise maxclients (CONFIG SET maxclients, and the open-files limit) or find the client that leaks connections (CLIENT LIST): a master the sentinels cannot reach gets failed over`,
  'sentinel-auth': () =>
    `they answer it with errors, so it most likely cannot authenticate to its peers: set the same sentinel-user/sentinel-pass on every sentinel to match their requirepass or ACL user (SENTINEL CONFIG SET sentinel-pass <password> on Redis 6.2+, else in sentinel.conf and restart); a "sentinel rename-command" for PING in its config gives the same errors, since it applies to its peers too`,
  network: () =>
    `it gets no reply at all while the watcher does: the network between them (firewall or security group, bind, protected-mode, maxclients) or an address that does not reach the server (announce-ip, replica-announce-ip, NAT). Check with redis-cli -h <ip> -p <port> PING from the sentinel's host`,
};
