// The verify phase: poll until every verification check passes (lambdas/core/drill/verify.ts) or the
// deadline; each passed check is reported at the moment it became true and stayed so.

import type { CheckResult, DrillPhase, NewMasterProbe } from '../../core/drill';
import { agreedNewMaster, verifyFailover } from '../../core/drill';
import type { Address } from '../../core/types';
import { type DrillRun, replyError } from '../drill-run';
import { DRILL_DEFAULTS, drillKeyPrefix } from '../ports';

export async function verifyLeg(
  run: DrillRun,
  oldMaster: Address,
  phase: DrillPhase,
  sentAt: number,
): Promise<{ newMaster: Address | null; verifiedAt: number | null }> {
  const deadline = run.deps.now() + (run.o.verifyTimeoutMs ?? DRILL_DEFAULTS.verifyTimeoutMs);
  const since = new Map<string, number | null>();
  const expect = {
    oldMaster,
    sentinels: run.d.sentinels,
    expectedReplicas: run.d.expectedReplicas,
    canary: run.canary,
  };
  let last: { checks: readonly CheckResult[]; newMaster: Address | null } | null = null;
  for (;;) {
    const snapshot = await run.poll();
    const candidate = agreedNewMaster(snapshot, expect);
    const probe = candidate ? await probeNewMaster(run, candidate) : null;
    const v = verifyFailover(snapshot, probe, expect);
    const t = run.elapsed();
    for (const c of v.checks) {
      if (!c.passed) since.set(c.name, null);
      else if ((since.get(c.name) ?? null) === null) since.set(c.name, t);
    }
    last = v;
    if (v.passed || run.deps.now() >= deadline) {
      const verifiedAt = v.passed ? run.deps.now() : null;
      for (const c of v.checks) run.check(phase, c, c.passed ? (since.get(c.name) ?? t) : t);
      if (v.passed)
        run.mark('verified', `every check passed ${verifiedAt! - sentAt} ms after SENTINEL FAILOVER`);
      return { newMaster: last.newMaster, verifiedAt };
    }
    await run.sleepPollInterval();
  }
}

/** A write and a read of the canary on the candidate new master, over the drill's own connection. */
async function probeNewMaster(run: DrillRun, address: Address): Promise<NewMasterProbe> {
  const outcome = await run.batch(address, [
    ['SET', `${drillKeyPrefix(run.id)}:probe`, String(run.deps.now()), 'PX', '60000'],
    ['GET', run.canary?.key ?? `${drillKeyPrefix(run.id)}:canary`],
  ]);
  const write = outcome.replies[0];
  const get = outcome.replies[1];
  return {
    address,
    writeOk: write?.ok === true && write.value === 'OK',
    writeError: replyError(outcome, 0),
    canaryValue: get?.ok && typeof get.value === 'string' ? get.value : null,
  };
}
