// What the fleet bench concludes from its runs: DynamoDB traffic per minute, the monthly cost at 10,
// 100 and 1,000 deployments (cost.ts) from what was measured, and the goals met or not.

import { MAX_DEPLOYMENTS_PER_SHARD, memorySizeFor } from '../../lambdas/core/fleet-config';
import { assignShards, fewestShards } from '../../lambdas/core/shard';
import { cell, roundTo, summarize } from '../stats';
import { type CostInputs, estimate, formatUsd } from './cost';
import type { HandoverResult } from './handover';
import { type FleetPlan, type FleetResult, type FleetSection, linearFit, type ShardRow, warm } from './plan';

export interface SummaryInputs {
  readonly plan: FleetPlan;
  /** The simulated fleet's shard runs. */
  readonly rows: readonly ShardRow[];
  /** The poller's memory size in the simulated layout. */
  readonly memoryMb: number;
  readonly simSection: FleetSection;
  readonly cap: ShardRow;
  readonly capMemoryMb: number;
  readonly listening: ShardRow;
  readonly handover: HandoverResult | null;
}

export function summarizeFleet({
  plan,
  rows,
  memoryMb,
  simSection,
  cap,
  capMemoryMb,
  listening,
  handover,
}: SummaryInputs): Pick<FleetResult, 'dynamoPerMinute' | 'costInputs' | 'costs' | 'goals'> {
  const s = plan.simulated;
  const warmPolls = rows.reduce((n, r) => n + warm(r.run).polls.length, 0);
  const allPolls = rows.reduce((n, r) => n + r.run.invocations.reduce((m, i) => m + i.polls.length, 0), 0);
  const writes = rows.flatMap((r) => r.run.writes);
  const units = writes.reduce((n, w) => n + w.units, 0);
  const readUnits = rows.reduce((n, r) => n + r.run.readUnits, 0);
  const perPoll = (x: number) => x / Math.max(1, allPolls);
  const scale = s.deployments / Math.max(1, warmPolls);
  const dynamoPerMinute = {
    writes: Math.round(perPoll(writes.length) * s.deployments),
    writeUnits: Math.round(perPoll(units) * s.deployments),
    stateBytes: summarize(writes.filter((w) => w.kind === 'STATE').map((w) => w.bytes)),
    snapshotBytes: summarize(writes.filter((w) => w.kind === 'SNAPSHOT').map((w) => w.bytes)),
    readUnits: Math.round(perPoll(readUnits) * s.deployments),
  };
  const logBytes = rows.reduce((n, r) => n + r.run.logBytes, 0);
  const gb = memoryMb / 1024;
  const costInputs: CostInputs = {
    runGbSeconds: (() => {
      const f = linearFit(rows.map((r) => [r.deployments, (warm(r.run).durationMs / 1000) * gb]));
      return { base: roundTo(f.base, 4), perDeployment: roundTo(f.perDeployment, 5) };
    })(),
    initGbSeconds: roundTo((rows.reduce((n, r) => n + r.run.initMs, 0) / rows.length / 1000) * gb, 4),
    coldStartsPerShardMonth: 24 * 30,
    writeUnitsPerPoll: roundTo(perPoll(units), 3),
    readUnitsPerPoll: roundTo(perPoll(readUnits), 3),
    snapshotBytes: dynamoPerMinute.snapshotBytes.mean,
    logBytesPerPoll: Math.round(logBytes / Math.max(1, allPolls)),
    logBytesPerRun: 350,
    replicasPerDeployment: 2,
    retentionDays: 30,
    logRetentionDays: 30,
  };
  void scale;
  // Shards as a user would set them: ~50 a shard by default (a few seconds a run), up to the cap of
  // 100 when runs listen all minute (their cost is per shard, not per poll).
  const layout = (d: number, most: number) => {
    const list = Array.from({ length: d }, (_, i) => `deployment-${i}`);
    const shards = fewestShards(list, most) ?? 1;
    const largest = Math.max(
      ...assignShards(
        list.map((name) => ({ name })),
        shards,
      ).map((x) => x.length),
    );
    return { shards, memoryMb: memorySizeFor(largest) };
  };
  // A listening run is billed for its minute plus what the handover adds (measured by the handover
  // part: how long a run lasted past its period once the next run listened); 25 s, the most it may
  // add, when the handover part did not run.
  const pastPeriodS = handover?.meanPastPeriodMs != null ? handover.meanPastPeriodMs / 1000 : 25;
  const listeningRunSeconds = Math.round((60 + pastPeriodS) * 10) / 10;
  const costs = [
    { mode: 'one poll a minute (default)', listening: null, most: 64 },
    {
      mode: `pollEverySeconds 60 (events between polls; runs last ${listeningRunSeconds} s)`,
      listening: listeningRunSeconds,
      most: MAX_DEPLOYMENTS_PER_SHARD,
    },
  ].map(({ mode, listening: l, most }) => ({
    mode,
    estimates: [10, 100, 1000].map((d) =>
      estimate({ deployments: d, ...layout(d, most), listeningRunSeconds: l, secrets: d }, costInputs),
    ),
  }));

  const goals = [
    {
      met: simSection.allPolledColdMs <= 10_000,
      text: `${s.deployments} deployments polled within 10 s of the scheduled minute: the last poll of any shard stored ${roundTo(
        simSection.allPolledColdMs / 1000,
        1,
      )} s after its (cold) invocation started, ${roundTo(simSection.allPolledWarmMs / 1000, 1)} s when warm (SIMULATED)`,
    },
    ...[
      ['the 20-shard layout', simSection.peakMb, memoryMb],
      [`${cap.deployments} deployments in one invocation`, cap.run.vmHwmMb ?? 0, capMemoryMb],
      [`${cap.deployments} deployments listening`, listening.run.vmHwmMb ?? 0, capMemoryMb],
    ].map(([what, peak, mb]) => ({
      met: (peak as number) * 2 <= (mb as number),
      text: `peak memory per invocation under memorySize with a 2x margin, ${what}: ${cell(peak as number)} MB of ${mb} MB`,
    })),
    ...costs.map((c) => {
      const at1000 = c.estimates[c.estimates.length - 1];
      return {
        met: at1000.perDeployment < 0.5,
        text: `cost per deployment at 1,000 below $0.50 a month without interface endpoints, ${c.mode}: ${formatUsd(at1000.perDeployment)}`,
      };
    }),
    ...(handover ? [handover.goal] : []),
  ];
  return { dynamoPerMinute, costInputs, costs, goals };
}
