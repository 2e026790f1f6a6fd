// The failback phase (--failback): fail over again until the original master is master, preferring it
// by replica-priority so that Sentinel picks it, and put its priority back at the end.

import { type Address, formatAddress, sameAddress } from '../../core/types';
import { type DrillRun, replyError } from '../drill-run';
import { DRILL_DEFAULTS } from '../ports';
import { failoverLeg } from './failover';

export async function failback(
  run: DrillRun,
  original: Address,
  current: Address,
  preferred: boolean,
): Promise<void> {
  const max = run.o.maxFailbackAttempts ?? DRILL_DEFAULTS.maxFailbackAttempts;
  let master = current;
  for (let attempt = 1; attempt <= max && !sameAddress(master, original); attempt++) {
    const via = preferred ? await waitPriorityVisible(run, original) : null;
    const leg = await failoverLeg(run, 'failback', attempt, master, { via });
    if (!leg?.verified || !leg.to) break;
    master = leg.to;
  }
  const back = sameAddress(master, original);
  run.check('failback', {
    name: 'failback-complete',
    passed: back,
    detail: back
      ? `${formatAddress(original)} is master again`
      : `${formatAddress(original)} is not master again; master is ${formatAddress(master)}`,
  });
}

/**
 * Sentinel picks the replica to promote by priority, offset and run id, not by history, so a plain
 * second failover often promotes the other replica. For a failback the original master is made the
 * preferred candidate (replica-priority 1) right after the drill's switch, while Sentinel converts
 * it anyway; the priority is restored at the end. False when it could not be changed (failback then
 * retries plain failovers).
 */
export async function preferOriginal(run: DrillRun, original: Address): Promise<boolean> {
  const read = await run.batch(original, [['CONFIG', 'GET', 'replica-priority']]);
  const reply = read.replies[0];
  const pair = reply?.ok && Array.isArray(reply.value) ? reply.value : null;
  const before = pair ? Number(pair[1]) : Number.NaN;
  if (!Number.isInteger(before) || before <= 1) {
    run.mark(
      'prefer-original',
      `replica-priority of ${formatAddress(original)} left as is (${pair ? before : (replyError(read, 0) ?? 'unreadable')})`,
    );
    return before === 1;
  }
  const set = await run.batch(original, [['CONFIG', 'SET', 'replica-priority', '1']]);
  if (replyError(set, 0) !== null) {
    run.mark('prefer-original', `CONFIG SET replica-priority failed: ${replyError(set, 0)}`);
    return false;
  }
  run.mark(
    'prefer-original',
    `replica-priority of ${formatAddress(original)} set from ${before} to 1 for the failback`,
  );
  run.cleanup.push({
    what: `restore replica-priority ${before} on ${formatAddress(original)}`,
    run: async () => {
      // Sentinel rewrote the node's config file while the priority was 1: rewrite it again.
      const restore = await run.batch(original, [
        ['CONFIG', 'SET', 'replica-priority', String(before)],
        ['CONFIG', 'REWRITE'],
      ]);
      const failed = replyError(restore, 0);
      const rewrite = replyError(restore, 1);
      run.check('final', {
        name: 'replica-priority-restored',
        passed: failed === null,
        detail:
          failed === null
            ? `replica-priority ${before} restored on ${formatAddress(original)}${rewrite ? ` (CONFIG REWRITE: ${rewrite})` : ''}`
            : `could not restore replica-priority ${before} on ${formatAddress(original)}: ${failed}`,
      });
    },
  });
  return true;
}

/**
 * Waits until a sentinel has read replica-priority 1 from the original master (it refreshes INFO
 * every 10 s) and returns it: a forced failover is run by the sentinel that receives it, with its
 * own view of the replicas, so that is the one to ask.
 */
async function waitPriorityVisible(run: DrillRun, original: Address): Promise<Address | null> {
  const deadline = run.deps.now() + DRILL_DEFAULTS.priorityVisibleMs;
  for (;;) {
    const snapshot = await run.poll();
    const seeing = snapshot.sentinels.find(
      (s) =>
        s.reachable &&
        run.d.sentinels.some((c) => sameAddress(c, s)) &&
        s.replicas.some((r) => sameAddress(r, original) && r.replicaPriority === 1),
    );
    if (seeing) return { host: seeing.host, port: seeing.port };
    if (run.deps.now() >= deadline) break;
    await run.sleepPollInterval();
  }
  run.mark('prefer-original', 'no sentinel saw replica-priority 1 in time; failing over anyway');
  return null;
}
