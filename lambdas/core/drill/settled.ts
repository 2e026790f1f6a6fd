// Is the deployment settled around one master? The last word of a drill that changed something: the
// sentinels agree on a master that says it is one, no sentinel is still failing over, no other node
// claims to be a master, every node that answers follows the master with its link up, and no node
// hangs. A hung node matters most: Sentinel may have sent it `REPLICAOF NO ONE` that it has not read
// yet; when it wakes it applies it and becomes a second master, whatever the sentinels said before.

import type { SentinelEvent } from '../sentinel-event';
import { type Address, formatAddress, type Snapshot, sameAddress } from '../types';
import { describeError, followsWithLinkUp, nodeAt } from './facts';

export interface Settled {
  readonly passed: boolean;
  readonly master: Address | null;
  readonly role: string | null;
  /** What was seen, problems first. */
  readonly detail: string;
}

/**
 * `events`: the drill's timeline events, to name the replica Sentinel chose to promote
 * (`+selected-slave`) when it hangs.
 */
export function settledState(snapshot: Snapshot, events: readonly SentinelEvent[] = []): Settled {
  const master = snapshot.master;
  const node = nodeAt(snapshot, master);
  const role = node?.role ?? null;
  const agree = snapshot.consensus.votes[0]?.sentinels.length ?? 0;
  const answering = snapshot.sentinels.filter((s) => s.masterAddress !== null).length;
  const votes = snapshot.consensus.votes
    .map((v) => `${formatAddress(v.address)} x${v.sentinels.length}`)
    .join(', ');
  const head = master
    ? `${agree}/${answering} answering sentinels name ${formatAddress(master)}, which reports role:${role ?? `? (${node?.error?.message ?? 'not read'})`}${snapshot.consensus.unanimous ? '' : `; sentinels disagree: ${votes}`}`
    : answering === 0
      ? 'no sentinel named a master'
      : `sentinels disagree: ${votes}`;
  const masterOk = master !== null && snapshot.consensus.unanimous && role === 'master';

  const problems: string[] = [];
  for (const s of snapshot.sentinels) {
    const state = s.master?.failoverState ?? null;
    if (s.master?.flags.includes('failover_in_progress') || state !== null)
      problems.push(`${formatAddress(s)} is still failing over (${state ?? 'failover_in_progress'})`);
  }
  const selected = new Set(
    events.filter((e) => e.type === '+selected-slave' && e.instance).map((e) => formatAddress(e.instance!)),
  );
  for (const n of snapshot.nodes) {
    if (master && sameAddress(n, master)) continue;
    const where = formatAddress(n);
    if (n.error?.class === 'timeout') {
      const chosen = selected.has(where) ? ', and Sentinel chose it for promotion (+selected-slave)' : '';
      problems.push(
        `${where} does not answer (timeout)${chosen}: a hung node may still apply a promotion Sentinel sent it and become a second master when it wakes`,
      );
    } else if (!n.reachable || n.error !== null) {
    } else if (n.role === 'master') {
      problems.push(`${where} also reports role:master`);
    } else if (master && !followsWithLinkUp(n, master)) {
      const rep = n.replication;
      problems.push(
        `${where} follows ${rep?.masterHost ?? '?'}:${rep?.masterPort ?? '?'} with link ${rep?.masterLinkStatus ?? 'unknown'}`,
      );
    }
  }
  const down = snapshot.nodes
    .filter((n) => (!n.reachable || n.error !== null) && n.error?.class !== 'timeout')
    .filter((n) => !master || !sameAddress(n, master))
    .map((n) => `${formatAddress(n)} ${describeError(n)}`);
  const notes = down.length > 0 ? `; down: ${down.join(', ')}` : '';
  const passed = masterOk && problems.length === 0;
  return {
    passed,
    master,
    role,
    detail: problems.length > 0 ? `${head}; not settled: ${problems.join('; ')}${notes}` : `${head}${notes}`,
  };
}
