// The failover drill, with every piece of I/O injected. `runDrill` reads like the report's phases:
// preflight -> lock -> canary -> SENTINEL FAILOVER while two writers measure the outage and the split
// brain -> verification with a deadline -> optional failback -> final poll -> lock release -> report.
// Each phase is a file in phases/; the run's state and bookkeeping are in drill-run.ts.
//
// A drill must never leave the operator without a master unnoticed: whatever happens (a refusal, an
// abort, a deadline, an exception), it ends with a poll that states who is master, in the report.
// `runDrill` does not throw for anything the deployment does; an unexpected error ends the drill
// early and is reported in `error`.

import type { Credentials, DeploymentConfig } from '../core/config';
import type { DrillReport } from '../core/drill';
import { DrillRun } from './drill-run';
import { writeCanary } from './phases/canary';
import { failback, preferOriginal } from './phases/failback';
import { failoverLeg, subscribeEvents } from './phases/failover';
import { finish } from './phases/final';
import { takeLock } from './phases/lock';
import { runPreflight } from './phases/preflight';
import type { DrillDeps, DrillOptions } from './ports';

export { combinedLock, lockStoreLock, REFRESH_SCRIPT, RELEASE_SCRIPT, redisKeyLock } from './locks';
export {
  DRILL_DEFAULTS,
  type DrillDeps,
  type DrillLock,
  type DrillOptions,
  drillKeyPrefix,
  type Every,
  type LockRequest,
  lockKey,
} from './ports';

export async function runDrill(
  deployment: DeploymentConfig,
  credentials: Credentials,
  options: DrillOptions,
  deps: DrillDeps,
): Promise<DrillReport> {
  const run = new DrillRun(deployment, credentials, options, deps);
  try {
    await drill(run);
  } catch (error) {
    run.fail(error);
  } finally {
    await finish(run);
  }
  return run.report();
}

async function drill(run: DrillRun): Promise<void> {
  const pf = await runPreflight(run);
  if (!pf) return;
  if (!(await takeLock(run, pf))) return;
  if (!(await subscribeEvents(run))) return;
  if (!(await writeCanary(run, pf.master, pf.ready.length))) return;

  let preferred = false;
  const afterSwitch = run.o.failback
    ? async () => {
        preferred = await preferOriginal(run, pf.master);
      }
    : undefined;
  const leg = await failoverLeg(run, 'drill', 1, pf.master, { afterSwitch });
  if (!leg?.verified || !leg.to || !run.o.failback) return;
  await failback(run, pf.master, leg.to, preferred);
}
