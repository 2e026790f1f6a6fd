// The lock phase: take the drill lock (a dry run only looks whether it is free) before anything
// changes, and give it back at the end on whoever is master then.

import { type Snapshot, sameAddress } from '../../core/types';
import { type DrillRun, messageOf } from '../drill-run';
import { lockTtl, type Preflighted, planFor } from './preflight';

/** True when the drill may go on (a dry run stops here with its plan). */
export async function takeLock(run: DrillRun, pf: Preflighted): Promise<boolean> {
  const { master, snapshot } = pf;
  const ttlMs = run.o.lockTtlMs ?? lockTtl(run, snapshot);
  const request = { owner: run.id, ttlMs, master };
  const lock = run.o.dryRun ? await run.deps.lock.peek(request) : await run.deps.lock.acquire(request);
  const lockDetail = lock.acquired
    ? `${run.o.dryRun ? 'free' : 'taken'}: ${run.deps.lock.where}, expires after ${ttlMs} ms`
    : `another drill holds ${run.deps.lock.where}: ${lock.heldBy}, until ${new Date(lock.expiresAt).toISOString()}`;
  if (!run.check('lock', { name: 'no-other-drill', passed: lock.acquired, detail: lockDetail })) return false;
  if (run.o.dryRun) {
    run.plan = planFor(run, master, pf.ready, ttlMs);
    return false;
  }
  run.lockHeld = true;
  return true;
}

/** Releases the lock wherever a master may now be (the key replicates with the data). */
export async function releaseLock(run: DrillRun, finalSnapshot: Snapshot | null): Promise<void> {
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
