// How long a condition must last before it pages, and which events belong to an open incident rather
// than paging on their own. Pure policy for incidents.ts, kept apart so the numbers are in one place.

import type { Incident } from './incidents';
import type { Finding } from './types';

/**
 * Grace periods: conditions that every normal failover causes for a few seconds page only if they
 * outlast this; gone sooner, they are never announced (the MASTER_CHANGED event and its timeline tell
 * the story). Measured on loopback with down-after-milliseconds 1500: the failover finishes ~3 s after
 * the kill, a killed old master restarted with its config is converted ~10-11 s later, replicas resync
 * in under a second. A stuck failover (critical FAILOVER_IN_PROGRESS) and everything else page at once.
 */
export const GRACE_MS: Readonly<Record<string, number>> = {
  MASTER_UNREACHABLE: 10_000,
  FAILOVER_IN_PROGRESS: 30_000,
  MULTIPLE_MASTERS: 20_000,
  SENTINELS_DISAGREE: 15_000,
  REPLICA_LINK_DOWN: 15_000,
  // A sentinel reconnects to a restarted server within ~1 s; a wrong auth-pass lasts.
  SENTINEL_SEES_DOWN: 10_000,
  // Right after a failover the other replicas re-point and resync; a full sync of a large data set
  // legitimately takes longer, and then the page is right: the deployment is unprotected.
  NO_FAILOVER_TARGET: 30_000,
};

/** Causes of MASTER_NOT_WRITABLE that pass by themselves after a failover or a restart. */
const NOT_WRITABLE_GRACE_MS: Readonly<Record<string, number>> = {
  noreplicas: 15_000,
  loading: 30_000,
};

export const defaultGraceMs = (f: Pick<Finding, 'code' | 'severity' | 'details'>): number => {
  if (f.code === 'FAILOVER_IN_PROGRESS' && f.severity === 'critical') return 0;
  // An old master that takes writes loses them: say so at once, not after Sentinel's conversion time.
  if (f.code === 'MULTIPLE_MASTERS' && f.details?.acceptingWrites === true) return 0;
  if (f.code === 'MASTER_NOT_WRITABLE') return NOT_WRITABLE_GRACE_MS[String(f.details?.cause)] ?? 0;
  return GRACE_MS[f.code] ?? 0;
};

/**
 * A resolved incident that comes back within its cool-down is announced again once it has lasted
 * this long (and at least two polls): long enough that a flap does not page every cycle, short
 * enough that a real problem following a blip is not hidden for a reminder period.
 */
export const RETURN_CONFIRM_MS = 20_000;
export const confirmReturnMs = (graceMs: number): number => Math.max(graceMs, RETURN_CONFIRM_MS);

/**
 * The open incident an event belongs to: a NODE_RESTARTED of a server whose own condition is open
 * (it was unreachable, and this is it coming back). Critical events always page on their own.
 */
export function foldsInto(event: Finding, incidents: readonly Incident[]): Incident | null {
  if (event.code !== 'NODE_RESTARTED' || event.severity === 'critical') return null;
  return (
    incidents.find(
      (i) => i.subject === event.subject && i.status === 'open' && i.code.endsWith('_UNREACHABLE'),
    ) ?? null
  );
}
