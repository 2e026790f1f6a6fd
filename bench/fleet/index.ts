// `npm run bench -- --fleet`: the poller at fleet scale.
//   SIMULATED: 1,000 deployments (1 master + 2 replicas + 3 sentinels each) served by the RESP
//     simulator, polled in 20 shards, each shard a fresh process running the bundled poller with the
//     CPU share Lambda gives 256 MB; then a shard at the 100-deployment cap, a listening shard
//     (pollEverySeconds, events) and injected faults.
//   REAL: three sentinels monitoring 100 masters with one replica each (real redis-server processes,
//     ports 9000-9299), polled in 2 shards the same way; then MASTER_CHANGED latency for switches at the
//     boundary between runs (handover.ts); real-part.ts.
// Then the monthly cost at 10, 100 and 1,000 deployments from what was measured, and the goals
// (summary.ts, cost.ts). Plans and result types: plan.ts; the report: render.ts.

import { MAX_DEPLOYMENTS_PER_SHARD, memorySizeFor } from '../../lambdas/core/fleet-config';
import { assignShards, fewestShards } from '../../lambdas/core/shard';
import { cell, summarize } from '../stats';
import { AwsStandIns } from './aws-stand-ins';
import {
  cold,
  type FaultOutcome,
  type FleetPlan,
  type FleetResult,
  type Log,
  type ShardRow,
  section,
  warm,
} from './plan';
import { benchRealFleet } from './real-part';
import { bundlePoller, CpuLimit, runShard, writeConfig } from './shard-runner';
import { Simulator } from './simulator';
import { summarizeFleet } from './summary';

export {
  type FaultOutcome,
  FLEET_PLANS,
  type FleetPlan,
  type FleetResult,
  type FleetSection,
  type Log,
  type ShardRow,
} from './plan';
export { renderFleet } from './render';

const SIM_PASSWORD = 'sentinel-watch-sim';

export async function benchFleet(
  plan: FleetPlan,
  log: Log,
  register: (stop: () => void) => void,
): Promise<FleetResult> {
  const aws = await AwsStandIns.start('sentinel-watch-fleet-bench');
  const limits = new Map<number, CpuLimit | null>();
  const memory: FleetResult['memory'] = {};
  /** The memory the stack gives a shard this large, and a cpu cgroup with Lambda's share of a core for it. */
  const sized = (label: string, largestShard: number) => {
    const memoryMb = memorySizeFor(largestShard);
    if (!limits.has(memoryMb)) {
      const cpu = CpuLimit.create(memoryMb);
      limits.set(memoryMb, cpu);
      log(
        cpu
          ? `${memoryMb} MB: poller processes run in a cpu cgroup with ${(cpu.share * 100).toFixed(1)}% of a core (Lambda's share)`
          : `${memoryMb} MB: no cpu cgroup available, poller processes run unthrottled (a full core's times)`,
      );
    }
    const cpu = limits.get(memoryMb) ?? null;
    memory[label] = { memoryMb, cpuShare: cpu?.share ?? null };
    return { memoryMb, cpu };
  };
  const sim = await Simulator.start(SIM_PASSWORD);
  register(() => sim.killSync());
  try {
    // -- simulated fleet ---------------------------------------------------------------------
    const s = plan.simulated;
    const t0 = Date.now();
    const simulated = await sim.deployments(s.deployments, 'sim');
    await sim.setLatency(s.latencyMs);
    log(
      `SIMULATED: ${s.deployments} deployments (${s.deployments * 6} listeners) up in ${Date.now() - t0} ms`,
    );
    const watch = {
      deployments: simulated.map((d) => ({
        name: d.name,
        masterName: d.masterName,
        sentinels: d.sentinels.map((p) => `127.0.0.1:${p}`),
        passwordEnv: 'SIM_REDIS_PASSWORD',
        expectedReplicas: 2,
        expectedSentinels: 3,
      })),
    };
    const names = watch.deployments.map((d) => ({ name: d.name }));
    const taskRoot = await bundlePoller(watch, s.shards);
    const env = { SIM_REDIS_PASSWORD: SIM_PASSWORD };
    const sizes = assignShards(names, s.shards).map((x) => x.length);
    const common = {
      taskRoot,
      ...sized('simulated', Math.max(...sizes)),
      env,
      aws,
      connectionsSoFar: async () => (await sim.stats()).connections,
    };
    const rows: ShardRow[] = [];
    const steady: string[] = [];
    for (let shard = 0; shard < s.measure; shard++) {
      const before = aws.published.length;
      const run = await runShard({ ...common, shard, invocations: s.invocations, remainingMs: 60_000 });
      steady.push(
        ...aws.published.slice(before).map((p) => `${p.attributes.deployment} ${p.attributes.code}`),
      );
      rows.push({ label: `shard ${shard}`, run, deployments: sizes[shard] });
      log(
        `  shard ${shard}: ${sizes[shard]} deployments, cold ${run.initMs} + ${cold(run).durationMs} ms, warm ${warm(run).durationMs} ms, ` +
          `peak ${cell(run.vmHwmMb)} MB, ${run.connections} connections`,
      );
    }
    const simSection = section(`SIMULATED, ${s.deployments} deployments in ${s.shards} shards`, rows, steady);

    // The shard at the cap: up to 100 deployments per invocation.
    const capShards =
      fewestShards(
        names.map((n) => n.name),
        MAX_DEPLOYMENTS_PER_SHARD,
      ) ?? s.shards;
    await writeConfig(taskRoot, watch, capShards);
    const capSizes = assignShards(names, capShards).map((x) => x.length);
    const capShard = capSizes.indexOf(Math.max(...capSizes));
    const atCap = { ...common, ...sized('cap', capSizes[capShard]) };
    const capRun = await runShard({
      ...atCap,
      shard: capShard,
      invocations: s.invocations,
      remainingMs: 60_000,
    });
    const cap: ShardRow = {
      label: `shard ${capShard} of ${capShards}`,
      run: capRun,
      deployments: capSizes[capShard],
    };
    log(
      `  cap: ${cap.deployments} deployments in one invocation, warm ${warm(capRun).durationMs} ms, peak ${cell(capRun.vmHwmMb)} MB`,
    );

    // Listening: the same shard with pollEverySeconds and events, a failover in the middle.
    await writeConfig(taskRoot, { ...watch, pollEverySeconds: 10 }, capShards);
    const inShard = assignShards(names, capShards)[capShard].map((d) =>
      watch.deployments.findIndex((w) => w.name === d.name),
    );
    const victim = inShard[1];
    let switchAt = 0;
    const failoverLater = (async () => {
      await new Promise((r) => setTimeout(r, 6_000));
      switchAt = Date.now();
      await sim.failover(victim);
    })();
    const listenRun = await runShard({
      ...atCap,
      shard: capShard,
      invocations: 1,
      remainingMs: s.listeningSeconds * 1000,
    });
    await failoverLater;
    const switchAlert = aws.published.find(
      (p) => p.attributes.code === 'MASTER_CHANGED' && p.attributes.deployment === simulated[victim].name,
    );
    const listening = {
      label: `shard ${capShard} of ${capShards}, pollEverySeconds 10, ${s.listeningSeconds} s`,
      run: listenRun,
      deployments: capSizes[capShard],
      eventLatencyMs: switchAlert ? switchAlert.at - switchAt : null,
      subscriptions: capSizes[capShard] * 3,
    };
    log(
      `  listening: peak ${cell(listenRun.vmHwmMb)} MB, ${listenRun.connections} connections, switch -> MASTER_CHANGED ${listening.eventLatencyMs} ms`,
    );

    // Faults: each in a deployment of shard 0 of the default layout; the shard's next run reports them.
    await writeConfig(taskRoot, watch, s.shards);
    const shard0 = assignShards(names, s.shards)[0].map((d) =>
      watch.deployments.findIndex((w) => w.name === d.name),
    );
    const [a, b, c, dIdx] = shard0;
    await sim.failover(a);
    await sim.kill(b, 'node', 1);
    await sim.freeze(c, 'sentinel', 2);
    await sim.lag(dIdx, 2, 50 * 1024 * 1024);
    const before = aws.published.length;
    const faultRun = await runShard({ ...common, shard: 0, invocations: 1, remainingMs: 60_000 });
    const after = aws.published.slice(before);
    const pollOf = (i: number) =>
      cold(faultRun).polls.find((p) => p.deployment === simulated[i].name)?.pollMs ?? null;
    const faults: FaultOutcome[] = [
      ['failover (+switch-master)', a, 'MASTER_CHANGED'],
      ['replica down (listener closed)', b, 'REPLICA_UNREACHABLE'],
      ['sentinel frozen (never answers)', c, 'SENTINEL_UNREACHABLE'],
      ['replica 50 MB behind', dIdx, 'REPLICA_LAGGING'],
    ].map(([fault, i, expected]) => ({
      fault: fault as string,
      deployment: simulated[i as number].name,
      expected: expected as string,
      alerts: after
        .filter((p) => p.attributes.deployment === simulated[i as number].name)
        .map((p) => p.attributes.code),
      pollMs: pollOf(i as number),
    }));
    const others = cold(faultRun)
      .polls.filter((p) => ![a, b, c, dIdx].some((i) => simulated[i].name === p.deployment))
      .map((p) => p.pollMs);
    log(
      `  faults: ${faults.map((f) => `${f.expected}: ${f.alerts.join(',') || 'none'}`).join('; ')}; others' poll p95 ${summarize(others).p95} ms`,
    );
    const unknownCommands = (await sim.stats()).unknownCommands;

    // -- real fleet, then DynamoDB per minute, cost and goals ---------------------------------
    const {
      real: realSection,
      handover,
      realSkipped,
    } = await benchRealFleet(plan, common, sized, log, register);
    const { dynamoPerMinute, costInputs, costs, goals } = summarizeFleet({
      plan,
      rows,
      memoryMb: common.memoryMb,
      simSection,
      cap,
      capMemoryMb: atCap.memoryMb,
      listening,
      handover,
    });

    return {
      plan,
      memory,
      simulated: simSection,
      cap,
      listening,
      faults,
      unknownCommands,
      real: realSection,
      realSkipped,
      handover,
      dynamoPerMinute,
      costInputs,
      costs,
      goals,
    };
  } finally {
    await sim.stop();
    await aws.stop();
    for (const cpu of limits.values()) cpu?.remove();
  }
}
