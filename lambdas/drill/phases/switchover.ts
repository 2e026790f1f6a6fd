// The planned switchover (maintenance, not a crash rehearsal): writes are held on the old master before
// SENTINEL FAILOVER and refused, never acknowledged, after it.
//
//   1. CLIENT PAUSE <ms> WRITE on the old master, in one MULTI with INFO replication: the offset at the
//      instant writes stop. Reads, INFO, REPLICAOF and the replication stream go on; every write command
//      (and PUBLISH, EVAL) blocks in the server, so nothing is acknowledged from here on.
//   2. Wait until every replica that follows the old master has applied that offset: whichever Sentinel
//      promotes has every acknowledged write.
//   3. SENTINEL FAILOVER (the caller), and the wait for +switch-master.
//   4. REPLICAOF <new master> on the old master ourselves, at once (Sentinel would only convert it
//      ~10 s later, on its INFO cycle), then CLIENT UNPAUSE: the held writes now meet a replica and get
//      READONLY, so a client retries them on the new master. Nothing acknowledged is lost.
// If the switch does not happen, CLIENT UNPAUSE alone: the old master is still the master and the held
// writes proceed. If the drill dies, the pause's own timeout ends it.
//
// CLIENT PAUSE ... WRITE needs Redis 6.2 (Valkey has it): on older servers the mode refuses in preflight.

import type { BatchOutcome } from '../../core/batch';
import { parseInfo } from '../../core/parse-info';
import { type Address, formatAddress, type NodeSnapshot, sameAddress } from '../../core/types';
import type { DrillRun } from '../drill-run';
import { replyError } from '../drill-run';
import { DRILL_DEFAULTS } from '../ports';

/** How long the replicas may take to apply the last acknowledged write before the switch is called off. */
export const CATCH_UP_TIMEOUT_MS = 5_000;

/** "6.2.16" -> true; CLIENT PAUSE WRITE came in Redis 6.2. Valkey reports redis_version 7.2.4. */
export function pausesWrites(version: string | null | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 6 || (major === 6 && minor >= 2);
}

/** Why the switchover mode cannot run on this master (null: it can). */
export function switchoverUnsupported(master: NodeSnapshot | null): string | null {
  const version = master?.server?.redisVersion ?? master?.server?.version ?? null;
  if (pausesWrites(version)) return null;
  return `the planned switchover holds writes with CLIENT PAUSE ... WRITE, which needs Redis 6.2 or later; the master runs ${version ?? 'an unknown version'} (run the drill without --switchover, and upgrade before relying on zero-loss switchovers)`;
}

export interface WriteHold {
  /** After the switch: demote the old master to `to`, then release the held writes (they get READONLY). */
  demoteAndRelease(to: Address): Promise<void>;
  /** No switch: release the held writes on the old master, which is still the master. */
  release(): Promise<void>;
}

/** `master_repl_offset` of an INFO replication reply (on a replica: what it has applied). */
const offsetIn = (value: unknown): number | null => {
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) return null;
  const n = Number(parseInfo(String(value)).master_repl_offset ?? Number.NaN);
  return Number.isFinite(n) ? n : null;
};

const offsetOf = (outcome: BatchOutcome, index: number): number | null => {
  const reply = outcome.replies[index];
  return reply?.ok ? offsetIn(reply.value) : null;
};

/**
 * Steps 1-2: holds writes on `from` and waits for its replicas. Null when it could not (the checks say
 * why; writes are released again).
 */
export async function holdWrites(
  run: DrillRun,
  from: Address,
  replicas: readonly Address[],
): Promise<WriteHold | null> {
  // Long enough for the switch and the demotion; the drill releases it much sooner.
  const pauseMs = run.switchTimeout(run.lastSnapshot) + CATCH_UP_TIMEOUT_MS + 10_000;
  const paused = await run.batch(from, [
    ['MULTI'],
    ['CLIENT', 'PAUSE', String(pauseMs), 'WRITE'],
    ['INFO', 'replication'],
    ['EXEC'],
  ]);
  const execError = replyError(paused, 3);
  const exec = paused.replies[3];
  // EXEC answers [OK, <INFO text>]: the offset at the instant the pause began.
  const offset = exec?.ok && Array.isArray(exec.value) ? offsetIn(exec.value[1]) : null;
  let released = false;
  const unpause = async (): Promise<void> => {
    if (released) return;
    released = true;
    const out = await run.batch(from, [['CLIENT', 'UNPAUSE']]);
    run.mark('writes-released', `CLIENT UNPAUSE on ${formatAddress(from)}: ${replyError(out, 0) ?? 'OK'}`);
  };
  // Whatever happens next, the pause does not outlive the drill (its own timeout would end it anyway).
  run.cleanup.push({ what: `CLIENT UNPAUSE on ${formatAddress(from)}`, run: unpause });
  if (execError !== null || offset === null) {
    run.check('failover', {
      name: 'writes-held',
      passed: false,
      detail: `CLIENT PAUSE ${pauseMs} WRITE on ${formatAddress(from)} failed: ${execError ?? 'no replication offset in INFO'}`,
    });
    await unpause();
    return null;
  }
  run.mark('writes-held', `CLIENT PAUSE ${pauseMs} WRITE on ${formatAddress(from)} at offset ${offset}`);

  const caughtUp = await waitForReplicas(run, replicas, offset);
  run.check('failover', {
    name: 'writes-held',
    passed: caughtUp.ok,
    detail: caughtUp.detail,
  });
  if (!caughtUp.ok) {
    await unpause();
    return null;
  }
  return {
    release: unpause,
    demoteAndRelease: async (to: Address) => {
      if (!sameAddress(to, from)) {
        const out = await run.batch(from, [['REPLICAOF', to.host, String(to.port)]]);
        const error = replyError(out, 0);
        run.mark(
          'old-master-demoted',
          `REPLICAOF ${formatAddress(to)} on ${formatAddress(from)}: ${error ?? 'OK'}`,
        );
        // Released while still a master, the held writes would be acknowledged and then lost: keep the
        // pause (its timeout ends it; by then Sentinel has converted the old master).
        if (error !== null) {
          released = true;
          return;
        }
      }
      await unpause();
    },
  };
}

async function waitForReplicas(
  run: DrillRun,
  replicas: readonly Address[],
  offset: number,
): Promise<{ ok: boolean; detail: string }> {
  const deadline = run.deps.now() + CATCH_UP_TIMEOUT_MS;
  const started = run.deps.now();
  let behind: string[] = [];
  for (;;) {
    behind = [];
    for (const r of replicas) {
      const out = await run.batch(r, [['INFO', 'replication']]);
      const at = offsetOf(out, 0);
      if (at === null || at < offset) behind.push(`${formatAddress(r)} at ${at ?? 'unknown'}`);
    }
    if (behind.length === 0) {
      return {
        ok: true,
        detail: `writes held on the old master at offset ${offset}; ${replicas.length} replica(s) caught up in ${run.deps.now() - started} ms`,
      };
    }
    if (run.deps.now() >= deadline) break;
    await run.deps.sleep(Math.min(50, DRILL_DEFAULTS.pollIntervalMs));
  }
  return {
    ok: false,
    detail: `replicas did not apply offset ${offset} within ${CATCH_UP_TIMEOUT_MS} ms (${behind.join(', ')}): switchover called off, writes released`,
  };
}
