// The end, whatever happened: undo steps last-in first-out, a final poll that says who is master, and
// the lock given back.

import { formatAddress, type Snapshot, sameAddress } from '../../core/types';
import { type DrillRun, messageOf } from '../drill-run';
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
  let snapshot: Snapshot | null = null;
  // A dry run or a refusal changed nothing: its preflight poll is the final word.
  const changed = run.lockHeld && !run.o.dryRun;
  try {
    snapshot = changed || !run.lastSnapshot ? await run.poll() : run.lastSnapshot;
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
  const master = snapshot.master;
  const node = master ? snapshot.nodes.find((n) => sameAddress(n, master)) : undefined;
  const role = node?.role ?? null;
  const agree = snapshot.consensus.votes[0]?.sentinels.length ?? 0;
  const answering = snapshot.sentinels.filter((s) => s.masterAddress !== null).length;
  const votes = snapshot.consensus.votes
    .map((v) => `${formatAddress(v.address)} x${v.sentinels.length}`)
    .join(', ');
  const detail = master
    ? `${agree}/${answering} answering sentinels name ${formatAddress(master)}, which reports role:${role ?? `? (${node?.error?.message ?? 'not read'})`}${snapshot.consensus.unanimous ? '' : `; sentinels disagree: ${votes}`}`
    : answering === 0
      ? 'no sentinel named a master'
      : `sentinels disagree: ${votes}`;
  run.finalState = {
    master,
    unanimous: snapshot.consensus.unanimous,
    role,
    takenAt: snapshot.takenAt,
    detail,
  };
  run.check('final', {
    name: 'final-master',
    passed: master !== null && snapshot.consensus.unanimous && role === 'master',
    detail,
  });
  return snapshot;
}
