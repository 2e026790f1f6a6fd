// The failover phase: every sentinel's events recorded as the timeline, then one SENTINEL FAILOVER
// (a "leg") under the writers, the wait for +switch-master, verification, and the write count. The
// failback repeats legs.

import {
  abortReasonFromEvents,
  abortReasonFromReply,
  type DrillPhase,
  type FailoverLeg,
  isTimelineEvent,
  timelineEntry,
} from '../../core/drill';
import { isFailoverAbort } from '../../core/sentinel-event';
import { type Address, formatAddress, sameAddress } from '../../core/types';
import type { DrillRun } from '../drill-run';
import { beat } from './lock';
import { verifyLeg } from './verify';
import { startWriters } from './writers';

/** Subscribes to every configured sentinel's events for the rest of the drill. */
export async function subscribeEvents(run: DrillRun): Promise<boolean> {
  const sentinels = run.d.sentinels.map((a) => run.sentinel(a));
  const subscription = await run.deps.subscribe({
    sentinels,
    masterName: run.d.masterName,
    timeoutMs: run.d.timeoutMs,
    now: run.deps.now,
    onEvent: (e) => {
      if (!isTimelineEvent(e)) return;
      run.events.push(e);
      run.timeline.push(timelineEntry(e, run.startedAt));
    },
  });
  run.cleanup.push({ what: 'close the event subscriptions', run: () => subscription.close() });
  const n = subscription.subscribed();
  return run.check('failover', {
    name: 'events-subscribed',
    passed: n > 0,
    detail: `subscribed to ${n}/${sentinels.length} sentinels' events`,
  });
}

export interface LegHooks {
  /** Runs right after the switch is seen, before verification. */
  readonly afterSwitch?: () => Promise<void>;
  /** The sentinel to send SENTINEL FAILOVER to first. */
  readonly via?: Address | null;
}

/** One SENTINEL FAILOVER from `from`, measured and verified. Null when it could not be started. */
export async function failoverLeg(
  run: DrillRun,
  purpose: 'drill' | 'failback',
  attempt: number,
  from: Address,
  hooks: LegHooks = {},
): Promise<FailoverLeg | null> {
  const phase: DrillPhase = purpose === 'drill' ? 'failover' : 'failback';
  const verifyPhase: DrillPhase = purpose === 'drill' ? 'verify' : 'failback';
  const writers = await startWriters(run, phase, purpose === 'drill' ? 'drill' : `failback-${attempt}`, from);
  if (!writers) return null;

  // The lock claims this failover before it is asked for, and the replicas have the claim: a watcher
  // that reads the lock from the promoted replica must find it there.
  run.lockFrom = from;
  run.failoverAt = run.deps.now();
  await beat(run, run.d.expectedReplicas);

  const eventsBefore = run.events.length;
  const sentAt = run.deps.now();
  const startedAtMs = sentAt - run.startedAt;
  const reply = await sendFailover(run, hooks.via ?? null);
  run.mark(
    'failover',
    `SENTINEL FAILOVER ${run.d.masterName} -> ${reply.sentinel ?? 'no sentinel answered'}: ${reply.error ?? 'OK'}`,
  );
  const base = { purpose, attempt, from, sentinel: reply.sentinel, startedAtMs };
  // A leg that ended before any switch: nothing to verify, and the old master's writes are all still there.
  const unswitched = (abortReason: string) =>
    run.addLeg({
      ...base,
      to: null,
      timeToSwitchMs: null,
      timeToVerifiedMs: null,
      verified: false,
      abortReason,
      clientWrites: null,
      oldMasterWrites: null,
    });
  if (reply.error !== null) {
    run.check(phase, {
      name: 'failover-accepted',
      passed: false,
      detail: `${reply.sentinel ?? 'no sentinel'}: ${reply.error}`,
    });
    await writers.stop();
    const abortReason = reply.sentinel
      ? abortReasonFromReply(reply.sentinel, reply.error)
      : `SENTINEL FAILOVER not sent: ${reply.error}`;
    return unswitched(abortReason);
  }
  run.check(phase, { name: 'failover-accepted', passed: true, detail: `${reply.sentinel} answered OK` });

  const switched = await waitForSwitch(run, from, eventsBefore, sentAt);
  const newEvents = run.events.slice(eventsBefore);
  let abortReason = abortReasonFromEvents(newEvents);
  if (!switched.to) {
    abortReason ??= switched.reason;
    run.check(phase, { name: 'switch-announced', passed: false, detail: abortReason });
    await writers.stop();
    // Sentinel never switched: what the old master acknowledged is still there, nothing to count.
    return unswitched(abortReason);
  }
  const to = switched.to;
  const timeToSwitchMs = switched.at === null ? null : switched.at - sentAt;
  run.check(phase, {
    name: 'switch-announced',
    passed: true,
    detail:
      switched.at === null
        ? `no +switch-master event seen, but the sentinels name ${formatAddress(to)}`
        : `+switch-master ${formatAddress(from)} -> ${formatAddress(to)} after ${timeToSwitchMs} ms`,
  });

  await hooks.afterSwitch?.();

  const verification = await verifyLeg(run, from, verifyPhase, sentAt);
  const newMaster = verification.newMaster ?? to;
  const { clientWrites, oldMasterWrites } = await writers.count(newMaster, switched.at);
  return run.addLeg({
    ...base,
    to: newMaster,
    timeToSwitchMs,
    timeToVerifiedMs: verification.verifiedAt === null ? null : verification.verifiedAt - sentAt,
    verified: verification.verifiedAt !== null,
    abortReason,
    clientWrites,
    oldMasterWrites,
  });
}

/** Sends SENTINEL FAILOVER to `first` (if given), else to the first configured sentinel that answers. */
async function sendFailover(
  run: DrillRun,
  first: Address | null,
): Promise<{ sentinel: string | null; error: string | null }> {
  let last = 'no sentinel configured';
  const order = first ? [first, ...run.d.sentinels.filter((a) => !sameAddress(a, first))] : run.d.sentinels;
  for (const address of order) {
    const outcome = await run.deps.runBatch(
      run.sentinel(address),
      [['SENTINEL', 'FAILOVER', run.d.masterName]],
      run.d.timeoutMs,
    );
    const reply = outcome.replies[0];
    if (reply) return { sentinel: formatAddress(address), error: reply.ok ? null : reply.error.message };
    last = `${formatAddress(address)}: ${outcome.error?.message ?? 'no reply'}`;
  }
  return { sentinel: null, error: last };
}

async function waitForSwitch(
  run: DrillRun,
  from: Address,
  eventsBefore: number,
  sentAt: number,
): Promise<{ to: Address | null; at: number | null; reason: string }> {
  const timeout = run.switchTimeout(run.lastSnapshot);
  const deadline = sentAt + timeout;
  for (;;) {
    const events = run.events.slice(eventsBefore);
    const sw = events.find(
      (e) => e.type === '+switch-master' && e.switch && sameAddress(e.switch.from, from),
    );
    if (sw?.switch) return { to: sw.switch.to, at: sw.at, reason: '' };
    if (events.some(isFailoverAbort)) break;
    if (run.deps.now() >= deadline) break;
    await run.deps.sleep(25);
  }
  // No event: maybe the subscriptions missed it. Ask the sentinels themselves.
  const snapshot = await run.poll();
  const named = snapshot.master;
  if (named && !sameAddress(named, from) && snapshot.consensus.unanimous)
    return { to: named, at: null, reason: '' };
  return {
    to: null,
    at: null,
    reason: `no +switch-master within ${timeout} ms; the sentinels name ${named ? formatAddress(named) : 'no agreed master'}`,
  };
}
