// The canary: a unique key written to the master before the failover and WAITed for on the ready
// replicas; verification reads it back on the new master.

import { type Address, formatAddress } from '../../core/types';
import { type DrillRun, replyError } from '../drill-run';
import { DRILL_DEFAULTS, drillKeyPrefix } from '../ports';

export async function writeCanary(run: DrillRun, master: Address, replicas: number): Promise<boolean> {
  const key = `${drillKeyPrefix(run.id)}:canary`;
  const value = `${run.id}@${new Date(run.startedAt).toISOString()}`;
  const outcome = await run.batch(master, [
    ['SET', key, value, 'PX', String(DRILL_DEFAULTS.keyTtlMs)],
    ['WAIT', String(replicas), String(run.d.timeoutMs)],
  ]);
  const setError = replyError(outcome, 0);
  const waitReply = outcome.replies[1];
  const acks = waitReply?.ok ? Number(waitReply.value) : 0;
  if (setError === null) run.canary = { key, value };
  const passed = setError === null && acks >= replicas;
  const detail =
    setError !== null
      ? `SET ${key} on ${formatAddress(master)} failed: ${setError}`
      : `${key} written to ${formatAddress(master)}; ${acks}/${replicas} ready replicas acknowledged it within ${run.d.timeoutMs} ms`;
  run.mark('canary', detail);
  return run.check('canary', { name: 'canary-replicated', passed, detail });
}
