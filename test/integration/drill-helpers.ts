// What the drill's integration suites share: the live ports a drill runs with, the wait for a
// deployment healthy enough to drill again, and a drill lock as a drill writes it.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalTopology, waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../../lambdas/adapters/sentinel-events';
import type { Credentials, DeploymentConfig } from '../../lambdas/core/config';
import { preflight } from '../../lambdas/core/drill';
import { type DrillLockClaims, encodeDrillLock } from '../../lambdas/core/drill-lock';
import type { Address } from '../../lambdas/core/types';
import type { DrillDeps } from '../../lambdas/drill/run';
import { ioredisWriters } from '../../lambdas/drill/writers';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';

/** runDrill's ports on real servers, but the lock (and the drill key). */
export const liveDrillDeps = (): Omit<DrillDeps, 'lock'> => ({
  runBatch,
  subscribe: subscribeSentinelEvents,
  writers: ioredisWriters,
  now: Date.now,
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
});

/** Until a fresh poll would pass preflight again (sentinels agree, every replica in sync); its master. */
export async function passesPreflight(
  deployment: () => DeploymentConfig,
  credentials: () => Credentials,
  timeoutMs = 60_000,
): Promise<Address> {
  const d = deployment();
  const pf = await waitFor(
    async () => {
      const result = preflight(await pollDeployment(d, credentials(), { runBatch, now: Date.now }), d);
      return result.passed ? result : undefined;
    },
    timeoutMs,
    'the deployment to pass preflight again',
    250,
  );
  return pf.master!;
}

/**
 * The lock value a drill of `deployment` writes right before SENTINEL FAILOVER of the master on
 * `fromPort` (127.0.0.1), signed with `key` (null: unsigned).
 */
export function drillLockNow(
  deployment: string,
  fromPort: number,
  key: string | null,
  patch: Partial<DrillLockClaims> = {},
): string {
  const at = Date.now();
  return encodeDrillLock(
    {
      deployment,
      id: 'drill-20261130T000000Z-f0f0f0',
      from: { host: '127.0.0.1', port: fromPort },
      startedAt: at - 5000,
      windowEndsAt: at + 120_000,
      failoverAt: at,
      beatAt: at,
      ttlMs: 15_000,
      ...patch,
    },
    key,
  );
}

/** A drill suite's topology in a temp folder of its own (`prefix` names the folder). */
export async function upInTempDir(
  prefix: string,
  basePort: number,
): Promise<{ topo: LocalTopology; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    return { topo: await LocalTopology.up({ basePort, dir }), dir };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Stops every process of the suite's topology, then removes its folder. */
export async function downAndRemove(topo: LocalTopology | undefined, dir: string | undefined): Promise<void> {
  await topo?.down();
  if (dir) await rm(dir, { recursive: true, force: true });
}
