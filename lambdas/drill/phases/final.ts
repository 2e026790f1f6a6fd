// The end, whatever happened: undo steps last-in first-out, a final poll that says who is master, and
// the lock given back. After a drill that changed something, the final word waits (up to
// settleTimeoutMs) for a settled deployment: a promotion still pending on a hung replica must not be
// reported as "final-master ok".

import { settledState } from '../../core/drill';
import type { Snapshot } from '../../core/types';
import { type DrillRun, messageOf } from '../drill-run';
import { DRILL_DEFAULTS } from '../ports';
import { releaseLock } from './lock';

export async function finish(run: DrillRun): Promise<void> {
  while (run.cleanup.length > 0) {
    const step = run.cleanup.pop()!;
    try {
      await step.run();
    } catch (error) {
      run.mark('cleanup-failed', `${step.what}: ${messageOf(error)}`);
    }
  }
  const finalSnapshot = await finalPoll(run);
  if (run.lockHeld) await releaseLock(run, finalSnapshot);
  run.finishedAt = run.deps.now();
}

async function finalPoll(run: DrillRun): Promise<Snapshot | null> {
  let snapshot: Snapshot;
  // A dry run or a refusal changed nothing: its preflight poll is the final word.
  const changed = run.lockHeld && !run.o.dryRun;
  try {
    snapshot = changed || !run.lastSnapshot ? await run.poll() : run.lastSnapshot;
    if (changed) {
      const deadline = run.deps.now() + (run.o.settleTimeoutMs ?? DRILL_DEFAULTS.settleTimeoutMs);
      while (!settledState(snapshot, run.events).passed && run.deps.now() < deadline) {
        await run.sleepPollInterval();
        snapshot = await run.poll();
      }
    }
  } catch (error) {
    run.finalState = {
      master: null,
      unanimous: false,
      role: null,
      takenAt: new Date(run.deps.now()).toISOString(),
      detail: `the final poll failed: ${messageOf(error)}`,
    };
    run.check('final', { name: 'final-master', passed: false, detail: run.finalState.detail });
    return null;
  }
  const settled = settledState(snapshot, run.events);
  const { master, role, detail } = settled;
  run.finalState = {
    master,
    unanimous: snapshot.consensus.unanimous,
    role,
    takenAt: snapshot.takenAt,
    detail,
  };
  const masterOk = master !== null && snapshot.consensus.unanimous && role === 'master';
  run.check('final', { name: 'final-master', passed: changed ? settled.passed : masterOk, detail });
  return snapshot;
}
