// The REAL part of the fleet bench: three sentinels monitoring real redis-server masters with one
// replica each, polled in shards by the bundled poller; then MASTER_CHANGED latency for switches at
// the boundary between runs (handover.ts). Skipped when no redis-server is found.

import { ensureRedisServer } from '../../cli/local/redis-server-binary';
import { assignShards } from '../../lambdas/core/shard';
import { cell } from '../stats';
import { benchHandover, type HandoverResult } from './handover';
import { type FleetPlan, type FleetSection, type Log, type ShardRow, section, warm } from './plan';
import { RealFleet } from './real-fleet';
import { type CpuLimit, runShard, type ShardRunOptions, writeConfig } from './shard-runner';

/** What every shard run of the bench shares (the bundle, the AWS stand-ins, memory and CPU). */
export type ShardBase = Omit<ShardRunOptions, 'shard' | 'invocations' | 'remainingMs'>;
/** The memory the stack gives a shard this large, and the cpu cgroup for it. */
export type Sized = (label: string, largestShard: number) => { memoryMb: number; cpu: CpuLimit | null };

export interface RealPart {
  readonly real: FleetSection | null;
  readonly handover: HandoverResult | null;
  readonly realSkipped: string | null;
}

export async function benchRealFleet(
  plan: FleetPlan,
  common: ShardBase,
  sized: Sized,
  log: Log,
  register: (stop: () => void) => void,
): Promise<RealPart> {
  const { aws, taskRoot } = common;
  let realSection: FleetSection | null = null;
  let handover: HandoverResult | null = null;
  let realSkipped: string | null = null;
  if (plan.real) {
    const redis = await ensureRedisServer({ install: false }).catch(() => null);
    if (!redis) realSkipped = 'redis-server not found';
    else {
      const fleet = await RealFleet.start(plan.real.masters, redis, log);
      register(() => fleet.killAllSync());
      try {
        const realWatch = { deployments: fleet.deploymentInputs() };
        await writeConfig(taskRoot, realWatch, plan.real.shards);
        const realNames = realWatch.deployments.map((d) => ({ name: d.name as string }));
        const realSizes = assignShards(realNames, plan.real.shards).map((x) => x.length);
        const realRows: ShardRow[] = [];
        const realSteady: string[] = [];
        const realSized = sized('real', Math.max(...realSizes));
        for (let shard = 0; shard < plan.real.shards; shard++) {
          const b0 = aws.published.length;
          const run = await runShard({
            ...common,
            ...realSized,
            env: { FLEET_REDIS_PASSWORD: 'sentinel-watch-fleet' },
            connectionsSoFar: () => fleet.connectionsSoFar(),
            shard,
            invocations: plan.real.invocations,
            remainingMs: 60_000,
          });
          realSteady.push(
            ...aws.published.slice(b0).map((p) => `${p.attributes.deployment} ${p.attributes.code}`),
          );
          realRows.push({ label: `shard ${shard}`, run, deployments: realSizes[shard] });
          log(
            `  REAL shard ${shard}: ${realSizes[shard]} deployments, warm ${warm(run).durationMs} ms, peak ${cell(run.vmHwmMb)} MB, ${run.connections} connections`,
          );
        }
        realSection = section(
          `REAL, ${plan.real.masters} masters + ${plan.real.masters} replicas + 3 sentinels, ${plan.real.shards} shard(s)`,
          realRows,
          realSteady,
        );
        if (plan.handover) handover = await benchHandover(fleet, aws, plan.handover, log);
      } finally {
        await fleet.stop();
      }
    }
  }
  return { real: realSection, handover, realSkipped };
}
