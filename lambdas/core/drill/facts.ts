// Small readings of a snapshot that preflight and verification share.

import {
  type Address,
  formatAddress,
  type NodeSnapshot,
  type SentinelSnapshot,
  type Snapshot,
  sameAddress,
} from '../types';
import type { CheckResult } from './types';

export const nodeAt = (snapshot: Snapshot, address: Address | null): NodeSnapshot | null =>
  address === null ? null : (snapshot.nodes.find((n) => sameAddress(n, address)) ?? null);

/** The configured sentinels as the snapshot saw them (a configured one missing counts as not asked). */
export function configuredSentinels(
  snapshot: Snapshot,
  configured: readonly Address[],
): { readonly address: Address; readonly sentinel: SentinelSnapshot | null }[] {
  return configured.map((address) => ({
    address,
    sentinel: snapshot.sentinels.find((s) => sameAddress(s, address)) ?? null,
  }));
}

export const describeError = (s: { readonly error: { class: string; message: string } | null }): string =>
  s.error ? `${s.error.class}: ${s.error.message}` : 'no answer';

/** Bytes of replication stream the replica has not applied yet, from both nodes' own offsets. */
export function lagBytes(replica: NodeSnapshot, master: NodeSnapshot | null): number | null {
  const masterOffset = master?.replication?.masterReplOffset;
  const own = replica.replication?.replicaReplOffset;
  if (masterOffset === null || masterOffset === undefined || own === null || own === undefined) return null;
  return Math.max(0, masterOffset - own);
}

/** The replica follows `master` (by its own INFO) and its link is up. */
export const followsWithLinkUp = (n: NodeSnapshot, master: Address): boolean =>
  n.reachable &&
  n.role === 'replica' &&
  n.replication?.masterHost === master.host &&
  n.replication?.masterPort === master.port &&
  n.replication?.masterLinkStatus === 'up';

/** Every sentinel that answered says CKQUORUM OK. */
export function ckquorumCheck(snapshot: Snapshot): CheckResult {
  const asked = snapshot.sentinels.filter((s) => s.ckquorum !== null);
  if (asked.length === 0) {
    return { name: 'ckquorum', passed: false, detail: 'no sentinel answered SENTINEL CKQUORUM' };
  }
  const bad = asked.filter((s) => !s.ckquorum?.ok);
  if (bad.length > 0) {
    return {
      name: 'ckquorum',
      passed: false,
      detail: bad.map((s) => `${formatAddress(s)}: ${s.ckquorum?.message}`).join('; '),
    };
  }
  return {
    name: 'ckquorum',
    passed: true,
    detail: `${asked.length} sentinel(s) say ${asked[0].ckquorum?.message}`,
  };
}

export const formatBytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1_048_576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1_048_576).toFixed(1)} MiB`;
