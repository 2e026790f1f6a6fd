// The lock phase: take the drill lock before anything changes (a dry run only looks whether it is
// free), keep it alive with a heartbeat, and give it back at the end on whoever is master then.
//
// The lock is short-lived (15 s) and rewritten every 5 s with a fresh signed value: a drill process
// that dies leaves a lock that frees itself, and that no watcher trusts, within seconds. Watchers
// read the claims in it (core/drill-lock.ts, core/drill-context.ts) to tell the drill's own switch
// from a failure.

import { formatAddress, type Snapshot, sameAddress } from '../../core/types';
import { type DrillRun, messageOf } from '../drill-run';
import { DRILL_DEFAULTS, realEvery } from '../ports';
import { drillWindowMs, type Preflighted, planFor } from './preflight';

/** True when the drill may go on (a dry run stops here with its plan). */
export async function takeLock(run: DrillRun, pf: Preflighted): Promise<boolean> {
  const { master, snapshot } = pf;
  const ttlMs = run.lockTtlMs();
  const windowMs = drillWindowMs(run, snapshot);
  run.lockFrom = master;
  run.windowEndsAt = run.startedAt + windowMs;
  const request = { owner: run.id, ttlMs, master, value: run.lockValue() };
  const lock = run.o.dryRun ? await run.deps.lock.peek(request) : await run.deps.lock.acquire(request);
  const signed = run.deps.drillKey
    ? 'signed with the drill key, so watchers that have it report this drill’s own switch as info'
    : 'NOT signed (no drill key configured): every watcher will page this drill’s switch as critical';
  const until = (at: number) =>
    Number.isFinite(at) ? `until ${new Date(at).toISOString()}` : 'with no expiry';
  const lockDetail = lock.acquired
    ? `${run.o.dryRun ? 'free' : 'taken'}: ${run.deps.lock.where}, expires after ${ttlMs} ms unless its heartbeat renews it (the drill may run ${windowMs} ms); ${signed}`
    : `another drill holds ${run.deps.lock.where}: ${lock.heldBy}, ${until(lock.expiresAt)}`;
  if (!run.check('lock', { name: 'no-other-drill', passed: lock.acquired, detail: lockDetail })) return false;
  if (run.o.dryRun) {
    run.plan = planFor(run, master, pf.ready, windowMs);
    return false;
  }
  run.lockHeld = true;
  run.beats.lastOkAt = run.deps.now();
  const every = run.deps.every ?? realEvery;
  run.stopHeartbeat = every(run.o.heartbeatMs ?? DRILL_DEFAULTS.heartbeatMs, async () => {
    await beat(run);
  });
  return true;
}

/**
 * One heartbeat: the lock rewritten, with fresh claims, on the master the sentinels name now (after
 * the switch the key lives on the new master). `waitReplicas`: WAIT for them too, so that the replica
 * Sentinel promotes already has the claims written right before SENTINEL FAILOVER.
 */
export async function beat(run: DrillRun, waitReplicas = 0): Promise<boolean> {
  const master = (await namedMaster(run)) ?? run.lockFrom;
  const now = run.deps.now();
  let ok = false;
  let why = '';
  if (master) {
    try {
      ok = await run.deps.lock.refresh({
        owner: run.id,
        ttlMs: run.lockTtlMs(),
        master,
        value: run.lockValue(),
        waitReplicas,
      });
      if (!ok) why = 'another drill holds it';
    } catch (error) {
      why = messageOf(error);
    }
  } else {
    why = 'no master known';
  }
  if (ok) {
    run.beats.ok += 1;
    run.beats.longestGapMs = Math.max(run.beats.longestGapMs, now - run.beats.lastOkAt);
    run.beats.lastOkAt = now;
  } else {
    run.beats.failed += 1;
    run.mark('lock-heartbeat', `could not renew the lock on ${master ? formatAddress(master) : '?'}: ${why}`);
  }
  return ok;
}

/** The master the first answering configured sentinel names. */
async function namedMaster(run: DrillRun) {
  for (const address of run.d.sentinels) {
    const outcome = await run.deps.runBatch(
      run.sentinel(address),
      [['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', run.d.masterName]],
      run.d.timeoutMs,
    );
    const reply = outcome.replies[0];
    if (reply?.ok && Array.isArray(reply.value) && reply.value.length === 2) {
      const port = Number(reply.value[1]);
      if (Number.isInteger(port)) return { host: String(reply.value[0]), port };
    }
  }
  return null;
}

/** Stops the heartbeat, then releases the lock wherever a master may now be (the key replicates with the data). */
export async function releaseLock(run: DrillRun, finalSnapshot: Snapshot | null): Promise<void> {
  await run.stopHeartbeat?.();
  run.stopHeartbeat = null;
  const ttl = run.lockTtlMs();
  const gap = Math.max(run.beats.longestGapMs, run.deps.now() - run.beats.lastOkAt);
  run.check('final', {
    name: 'lock-heartbeat',
    passed: gap <= ttl,
    detail:
      gap <= ttl
        ? `renewed ${run.beats.ok} time(s), longest gap ${gap} ms (expiry ${ttl} ms)${run.beats.failed ? `; ${run.beats.failed} renewal(s) failed` : ''}`
        : `the lock went ${gap} ms without renewal (expiry ${ttl} ms): watchers may have seen it lapse and paged this drill’s switch`,
  });
  const masters = [
    ...(finalSnapshot?.master ? [finalSnapshot.master] : []),
    ...(finalSnapshot?.nodes.filter((n) => n.role === 'master') ?? []),
    ...(run.previousMaster ? [run.previousMaster] : []),
  ]
    .map((a) => ({ host: a.host, port: a.port }))
    .filter((a, i, all) => all.findIndex((b) => sameAddress(a, b)) === i);
  try {
    const released = await run.deps.lock.release(run.id, masters);
    run.check('final', {
      name: 'lock-released',
      passed: released,
      detail: released
        ? `released ${run.deps.lock.where}`
        : `${run.deps.lock.where} was no longer ours (expired?)`,
    });
  } catch (error) {
    run.check('final', {
      name: 'lock-released',
      passed: false,
      detail: `${messageOf(error)}; it expires on its own`,
    });
  }
}
