// The writers phase: around each SENTINEL FAILOVER, a sentinel-aware client (the application's view:
// write outage, failed writes) and a plain connection to the old master (the split brain) push
// distinct numbers onto their own lists; afterwards the lists on the new master tell which
// acknowledged writes survived.

import type { DrillPhase } from '../../core/drill';
import {
  type ClientWriteSummary,
  type SplitBrainSummary,
  summarizeClientWrites,
  summarizeSplitBrain,
} from '../../core/drill';
import { type Address, formatAddress } from '../../core/types';
import { type DrillRun, replyError } from '../drill-run';
import { DRILL_DEFAULTS, drillKeyPrefix } from '../ports';
import type { ContinuousWriter } from '../writers';

export interface RunningWriters {
  /** Stops both (idempotent); also registered as a cleanup step. */
  stop(): Promise<void>;
  /** Stops both and counts what survived on `newMaster`. */
  count(
    newMaster: Address,
    switchAt: number | null,
  ): Promise<{
    clientWrites: ClientWriteSummary;
    oldMasterWrites: SplitBrainSummary;
  }>;
}

/** Starts both writers against `from`; null (check failed, nothing left running) when they cannot write. */
export async function startWriters(
  run: DrillRun,
  phase: DrillPhase,
  keyPrefix: string,
  from: Address,
): Promise<RunningWriters | null> {
  const prefix = `${drillKeyPrefix(run.id)}:${keyPrefix}`;
  const clientKey = `${prefix}:client`;
  const oldKey = `${prefix}:old-master`;
  const ttl = String(DRILL_DEFAULTS.keyTtlMs);
  // Seed both lists with an expiry: the writers only push, and the keys must not outlive the drill.
  const seed = await run.batch(from, [
    ['RPUSH', clientKey, '0'],
    ['PEXPIRE', clientKey, ttl],
    ['RPUSH', oldKey, '0'],
    ['PEXPIRE', oldKey, ttl],
  ]);
  const seedError = [0, 1, 2, 3].map((i) => replyError(seed, i)).find((e) => e !== null) ?? null;
  if (seedError !== null) {
    run.check(phase, {
      name: 'writers-ready',
      passed: false,
      detail: `could not write to ${formatAddress(from)}: ${seedError}`,
    });
    return null;
  }

  const interval = run.o.writeIntervalMs ?? DRILL_DEFAULTS.writeIntervalMs;
  const spec = { intervalMs: interval, timeoutMs: run.d.timeoutMs, now: run.deps.now };
  const writers: ContinuousWriter[] = [];
  const stop = async () => {
    await Promise.all(writers.map((w) => w.stop()));
  };
  run.cleanup.push({ what: 'stop the writers', run: stop });
  const client = run.deps.writers.sentinelAware({
    ...spec,
    key: clientKey,
    sentinels: run.d.sentinels.map((a) => run.sentinel(a)),
    masterName: run.d.masterName,
    credentials: run.c,
    tls: run.d.tls,
  });
  writers.push(client);
  const plain = run.deps.writers.plain({ ...spec, key: oldKey, target: run.node(from) });
  writers.push(plain);
  const ready = await Promise.all([
    client.waitForFirstAck(DRILL_DEFAULTS.writerReadyMs),
    plain.waitForFirstAck(DRILL_DEFAULTS.writerReadyMs),
  ]);
  const readyDetail = `sentinel-aware client ${ready[0] ? 'writing' : 'could not write'}, plain connection to ${formatAddress(from)} ${ready[1] ? 'writing' : 'could not write'} (every ${interval} ms)`;
  if (!run.check(phase, { name: 'writers-ready', passed: ready[0] && ready[1], detail: readyDetail })) {
    await stop();
    return null;
  }

  return {
    stop,
    count: async (newMaster, switchAt) => {
      // Stop writing, then count what survived on the new master.
      const stoppedAt = run.deps.now();
      const [clientSamples, plainSamples] = await Promise.all([client.stop(), plain.stop()]);
      const lists = await run.batch(newMaster, [
        ['LRANGE', clientKey, '0', '-1'],
        ['LRANGE', oldKey, '0', '-1'],
        ['DEL', clientKey, oldKey],
      ]);
      const present = (i: number): Set<number> | null => {
        const r = lists.replies[i];
        return r?.ok && Array.isArray(r.value) ? new Set(r.value.map(Number)) : null;
      };
      const clientWrites = summarizeClientWrites(clientSamples, {
        origin: run.startedAt,
        present: present(0),
        stoppedAt,
      });
      const oldMasterWrites = summarizeSplitBrain(plainSamples, { switchAt, present: present(1) });
      run.mark(
        'writes',
        `client: ${clientWrites.acknowledged}/${clientWrites.attempted} acknowledged, outage ${clientWrites.outageMs} ms, lost ${clientWrites.lost ?? '?'}; ` +
          `old master: ${oldMasterWrites.acknowledgedAfterSwitch} acknowledged after the switch over ${oldMasterWrites.windowMs} ms, lost ${oldMasterWrites.lost ?? '?'}`,
      );
      return { clientWrites, oldMasterWrites };
    },
  };
}
