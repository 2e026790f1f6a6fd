// Preflight: one poll, judged by the pure preflight checks. A refusal changes nothing. Also what a
// dry run prints: the plan, and how long the lock must hold for the longest possible drill.

import { preflight, type ReplicaCandidate } from '../../core/drill';
import { type Address, formatAddress, type Snapshot } from '../../core/types';
import type { DrillRun } from '../drill-run';
import { DRILL_DEFAULTS, drillKeyPrefix } from '../ports';

export interface Preflighted {
  readonly snapshot: Snapshot;
  readonly master: Address;
  readonly replicas: readonly ReplicaCandidate[];
  /** The replicas fit to be promoted. */
  readonly ready: readonly Address[];
}

/** Null when preflight refused (its checks say why). */
export async function runPreflight(run: DrillRun): Promise<Preflighted | null> {
  const snapshot = await run.poll();
  const pf = preflight(snapshot, run.d);
  for (const c of pf.checks) run.check('preflight', c, snapshot.durationMs);
  run.previousMaster = pf.master ?? snapshot.master;
  const master = pf.master;
  if (!pf.passed || !master) return null;
  const ready = pf.replicas.filter((r) => r.ready).map((r) => r.address);
  return { snapshot, master, replicas: pf.replicas, ready };
}

/**
 * The drill's longest possible duration plus a minute (every leg at its deadlines, the final settle
 * wait): the window its signed lock claims. A switch after it is never the drill's.
 */
export function drillWindowMs(run: DrillRun, snapshot: Snapshot): number {
  const legs = 1 + (run.o.failback ? (run.o.maxFailbackAttempts ?? DRILL_DEFAULTS.maxFailbackAttempts) : 0);
  const perLeg =
    run.switchTimeout(snapshot) +
    (run.o.verifyTimeoutMs ?? DRILL_DEFAULTS.verifyTimeoutMs) +
    DRILL_DEFAULTS.writerReadyMs +
    DRILL_DEFAULTS.priorityVisibleMs +
    run.d.pollTimeoutMs * 2;
  return legs * perLeg + (run.o.settleTimeoutMs ?? DRILL_DEFAULTS.settleTimeoutMs) + 60_000;
}

/** What a real drill would do, step by step (dry runs). */
export function planFor(
  run: DrillRun,
  master: Address,
  ready: readonly Address[],
  windowMs: number,
): string[] {
  const keys = drillKeyPrefix('<id>');
  const { d, o } = run;
  return [
    `take ${run.deps.lock.where} (${run.deps.drillKey ? 'signed with the drill key' : 'NOT signed: no drill key, so watchers will page the switch'}), renewed every ${o.heartbeatMs ?? DRILL_DEFAULTS.heartbeatMs} ms, for at most ${windowMs} ms`,
    `subscribe to the events of ${d.sentinels.length} sentinel(s)`,
    `write the canary ${keys}:canary to ${formatAddress(master)} and WAIT for ${ready.length} replica(s)`,
    `start a sentinel-aware client and a plain connection to ${formatAddress(master)}, each writing every ${o.writeIntervalMs ?? DRILL_DEFAULTS.writeIntervalMs} ms`,
    `send SENTINEL FAILOVER ${d.masterName} to ${formatAddress(d.sentinels[0])}; Sentinel would promote one of ${ready.map(formatAddress).join(', ') || 'none'}`,
    `wait up to ${run.switchTimeout(run.lastSnapshot)} ms for +switch-master, then up to ${o.verifyTimeoutMs ?? DRILL_DEFAULTS.verifyTimeoutMs} ms for every verification check`,
    ...(o.failback
      ? [
          `fail back until ${formatAddress(master)} is master again (at most ${o.maxFailbackAttempts ?? DRILL_DEFAULTS.maxFailbackAttempts} failovers)`,
        ]
      : []),
    'poll once more to report who is master, and release the lock',
  ];
}
