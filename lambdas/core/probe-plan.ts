// What a poll asks beyond its fixed batches, and what it could not check. Pure: the probe shell asks
// these questions of plain data and does the I/O.

import type { DeploymentConfig } from './config';
import {
  type Address,
  formatAddress,
  type NodeSnapshot,
  type Snapshot,
  sameAddress,
  type UnavailableCheck,
} from './types';

/** Errors counted per node whose growth means clients write to a replica (`INFO errorstats`). */
export const readonlyErrors = (n: NodeSnapshot | undefined): number | null =>
  n?.stats?.errorCounts ? (n.stats.errorCounts.READONLY ?? 0) : null;

/**
 * Ask a replica who writes to it (CLIENT LIST) only when its READONLY count grew since the previous
 * poll: the list can be long, and it is only worth its bytes when there is someone to name.
 */
export function askWhoWrites(node: NodeSnapshot, previous: Snapshot | null): boolean {
  if (node.role !== 'replica' || !previous) return false;
  const now = readonlyErrors(node);
  const before = readonlyErrors(previous.nodes.find((n) => sameAddress(n, node)));
  return now !== null && before !== null && now > before;
}

/** Checks that this poll could not make, so `check` and alerts can say so instead of staying silent. */
export function unavailableChecks(
  deployment: Pick<DeploymentConfig, 'writeProbe'>,
  nodes: readonly NodeSnapshot[],
  writeTo: Address | null,
): UnavailableCheck[] {
  const out: UnavailableCheck[] = [];
  if (!deployment.writeProbe) {
    out.push({
      check: 'write-probe',
      reason:
        'turned off (writeProbe: false): a master that refuses writes is seen only where INFO shows it (MISCONF, NOREPLICAS), not OOM, BUSY or an ACL that blocks writers',
    });
  } else if (writeTo === null) {
    out.push({ check: 'write-probe', reason: 'the sentinels agree on no master to write to' });
  } else if (nodes.find((n) => sameAddress(n, writeTo))?.writeProbe?.errorCode === 'NOPERM') {
    out.push({
      check: 'write-probe',
      reason:
        "refused by the watcher's ACL (NOPERM): it needs +set ~sentinel-watch:*, or set writeProbe: false; meanwhile only what INFO shows is judged",
    });
  }
  const noErrorstats = nodes.filter((n) => n.reachable && n.stats && n.stats.errorCounts === null);
  if (noErrorstats.length > 0) {
    const which = noErrorstats
      .map((n) => `${formatAddress(n)}${n.server?.version ? ` runs ${n.server.version}` : ''}`)
      .join(', ');
    out.push({
      check: 'clients-writing-to-replicas',
      reason: `needs INFO errorstats (Redis 6.2 or newer): ${which}`,
    });
  }
  return out;
}
