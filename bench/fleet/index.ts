// `npm run bench -- --fleet`: the poller at fleet scale.
//   SIMULATED: 1,000 deployments (1 master + 2 replicas + 3 sentinels each) served by the RESP
//     simulator, polled in 20 shards, each shard a fresh process running the bundled poller with the
//     CPU share Lambda gives 256 MB; then a shard at the 100-deployment cap, a listening shard
//     (pollEverySeconds, events) and injected faults.
//   REAL: three sentinels monitoring 100 masters with one replica each (real redis-server processes,
//     ports 9000-9299), polled in 2 shards the same way; then MASTER_CHANGED latency for switches at the
//     boundary between runs (handover.ts).
// Then the monthly cost at 10, 100 and 1,000 deployments from what was measured (cost.ts).

import { ensureRedisServer } from '../../cli/local/redis-server-binary';
import { MAX_DEPLOYMENTS_PER_SHARD, memorySizeFor } from '../../lambdas/core/fleet-config';
import { assignShards, fewestShards } from '../../lambdas/core/shard';
import { cell, renderTable, roundTo, type Summary, summarize } from '../stats';
import { AwsStandIns } from './aws-stand-ins';
import { type CostEstimate, type CostInputs, estimate, formatUsd } from './cost';
import { benchHandover, type HandoverOptions, type HandoverResult } from './handover';
import { RealFleet } from './real-fleet';
import { bundlePoller, CpuLimit, runShard, type ShardRun, writeConfig } from './shard-runner';
import { Simulator } from './simulator';

export type Log = (line: string) => void;

export interface FleetPlan {
  readonly simulated: {
    readonly deployments: number;
    readonly shards: number;
    /** Shards measured (all of them in a full run). */
    readonly measure: number;
    readonly invocations: number;
    readonly latencyMs: number;
    readonly listeningSeconds: number;
  };
  readonly real: { readonly masters: number; readonly shards: number; readonly invocations: number } | null;
  readonly handover: HandoverOptions | null;
}

export const FLEET_PLANS: Record<'full' | 'quick', FleetPlan> = {
  full: {
    simulated: {
      deployments: 1000,
      shards: 20,
      measure: 20,
      invocations: 2,
      latencyMs: 1,
      listeningSeconds: 25,
    },
    real: { masters: 100, shards: 2, invocations: 2 },
    handover: {
      periodMs: 20_000,
      overlapMs: 25_000,
      coldStartMs: 1000,
      pollEverySeconds: 10,
      boundaries: 12,
      boundariesWithout: 3,
      offsetsMs: [-2000, -500, 0, 400, 1500],
    },
  },
  quick: {
    simulated: {
      deployments: 1000,
      shards: 20,
      measure: 3,
      invocations: 2,
      latencyMs: 1,
      listeningSeconds: 20,
    },
    real: { masters: 20, shards: 1, invocations: 2 },
    handover: {
      periodMs: 15_000,
      overlapMs: 25_000,
      coldStartMs: 1000,
      pollEverySeconds: 10,
      boundaries: 2,
      boundariesWithout: 1,
      offsetsMs: [-500, 0, 400],
    },
  },
};

const SIM_PASSWORD = 'sentinel-watch-sim';

export interface ShardRow {
  readonly label: string;
  readonly run: ShardRun;
  readonly deployments: number;
}

export interface FleetSection {
  readonly label: string;
  readonly rows: readonly ShardRow[];
  /** Every deployment's probe time (warm invocations), ms. */
  readonly poll: Summary;
  /** The last poll of any shard stored, from its invocation's start (warm; cold adds init). */
  readonly allPolledWarmMs: number;
  readonly allPolledColdMs: number;
  readonly peakMb: number;
  readonly alertsInSteadyState: readonly string[];
}

export interface FaultOutcome {
  readonly fault: string;
  readonly deployment: string;
  readonly expected: string;
  readonly alerts: readonly string[];
  readonly pollMs: number | null;
}

export interface FleetResult {
  readonly plan: FleetPlan;
  /** The poller's memory size per layout (the stack's choice) and the CPU share it gets. */
  readonly memory: Record<string, { readonly memoryMb: number; readonly cpuShare: number | null }>;
  readonly simulated: FleetSection;
  readonly cap: ShardRow | null;
  readonly listening:
    | (ShardRow & { readonly eventLatencyMs: number | null; readonly subscriptions: number })
    | null;
  readonly faults: readonly FaultOutcome[];
  readonly unknownCommands: Record<string, number>;
  readonly real: FleetSection | null;
  readonly realSkipped: string | null;
  readonly handover: HandoverResult | null;
  readonly dynamoPerMinute: {
    readonly writes: number;
    readonly writeUnits: number;
    readonly stateBytes: Summary;
    readonly snapshotBytes: Summary;
    readonly readUnits: number;
  };
  readonly costInputs: CostInputs;
  readonly costs: readonly { readonly mode: string; readonly estimates: readonly CostEstimate[] }[];
  readonly goals: readonly { readonly met: boolean; readonly text: string }[];
}

const warm = (r: ShardRun) => r.invocations[r.invocations.length - 1];
const cold = (r: ShardRun) => r.invocations[0];

function section(label: string, rows: ShardRow[], alertsInSteadyState: string[]): FleetSection {
  const polls = rows.flatMap((r) => warm(r.run).polls.map((p) => p.pollMs));
  const doneAt = (i: ReturnType<typeof warm>) => Math.max(0, ...i.polls.map((p) => p.doneAtMs));
  return {
    label,
    rows,
    poll: summarize(polls),
    allPolledWarmMs: Math.max(...rows.map((r) => doneAt(warm(r.run)))),
    allPolledColdMs: Math.max(...rows.map((r) => r.run.initMs + doneAt(cold(r.run)))),
    peakMb: Math.max(...rows.map((r) => r.run.vmHwmMb ?? 0)),
    alertsInSteadyState,
  };
}

/** Least squares of y = a + b x. */
function linearFit(points: readonly [number, number][]): { base: number; perDeployment: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { base: Math.max(0, my - b * mx), perDeployment: Math.max(0, b) };
}

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

    // -- real fleet ----------------------------------------------------------------------------
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

    // -- DynamoDB per minute and cost ----------------------------------------------------------
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
    const gb = common.memoryMb / 1024;
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
    const costs = [
      { mode: 'one poll a minute (default)', listening: null, most: 64 },
      { mode: 'pollEverySeconds 60 (events between polls)', listening: 77, most: MAX_DEPLOYMENTS_PER_SHARD },
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
        ['the 20-shard layout', simSection.peakMb, common.memoryMb],
        [`${cap.deployments} deployments in one invocation`, cap.run.vmHwmMb ?? 0, atCap.memoryMb],
        [`${cap.deployments} deployments listening`, listening.run.vmHwmMb ?? 0, atCap.memoryMb],
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

// -- rendering ----------------------------------------------------------------------------------

function shardTable(rows: readonly ShardRow[]): string {
  return renderTable(
    [
      'shard',
      'deployments',
      'init ms',
      'cold ms',
      'warm ms',
      'cpu ms',
      'poll p50',
      'poll p95',
      'last stored ms',
      'peak MB',
      'conns',
      'writes',
      'WRU',
    ],
    rows.map((r) => {
      const w = warm(r.run);
      const polls = summarize(w.polls.map((p) => p.pollMs));
      return [
        r.label,
        String(r.deployments),
        String(r.run.initMs),
        String(cold(r.run).durationMs),
        String(w.durationMs),
        cell(w.cpuMs, 0),
        cell(polls.p50),
        cell(polls.p95),
        String(Math.max(0, ...w.polls.map((p) => p.doneAtMs))),
        cell(r.run.vmHwmMb),
        String(r.run.connections),
        String(r.run.writes.length),
        String(r.run.writes.reduce((n, x) => n + x.units, 0)),
      ];
    }),
  );
}

export function renderFleet(r: FleetResult): string {
  const out: string[] = [];
  const cpu = (key: string) => {
    const m = r.memory[key];
    if (!m) return '';
    return `memorySize ${m.memoryMb} MB, CPU ${m.cpuShare === null ? 'unthrottled' : `${(m.cpuShare * 100).toFixed(1)}% of a core (Lambda's share)`}`;
  };
  const sectionLines = (sec: FleetSection, key: string, note: string) => {
    out.push('', `${sec.label}: one process per shard, bundled poller, ${cpu(key)}; ${note}`);
    out.push(shardTable(sec.rows));
    out.push(
      `  fleet: poll p50 ${sec.poll.p50} ms, p95 ${sec.poll.p95} ms, max ${sec.poll.max} ms over ${sec.poll.n} deployments (warm); ` +
        `every deployment stored ${roundTo(sec.allPolledColdMs / 1000, 2)} s after the start of the slowest cold invocation ` +
        `(${roundTo(sec.allPolledWarmMs / 1000, 2)} s warm); peak ${cell(sec.peakMb)} MB; ` +
        `alerts in steady state: ${sec.alertsInSteadyState.length === 0 ? 'none' : sec.alertsInSteadyState.join(', ')}`,
    );
  };
  sectionLines(
    r.simulated,
    'simulated',
    `SIMULATED servers (RESP simulator, ${r.plan.simulated.latencyMs} ms before each reply; 2 invocations each: cold, then warm)`,
  );
  if (r.cap) {
    out.push('', `At the cap of 100 deployments per shard (SIMULATED, ${cpu('cap')})`, shardTable([r.cap]));
  }
  if (r.listening) {
    out.push(
      '',
      `Listening shard (SIMULATED): ${r.listening.label}: peak ${cell(r.listening.run.vmHwmMb)} MB, ` +
        `${r.listening.run.connections} connections (${r.listening.subscriptions} of them pub/sub: dedicated sentinels), ` +
        `cpu ${cell(r.listening.run.invocations[0].cpuMs, 0)} ms; a failover in the middle: MASTER_CHANGED ${r.listening.eventLatencyMs ?? 'never'} ms after +switch-master`,
    );
  }
  out.push(
    '',
    'Injected faults (SIMULATED, shard 0, one run)',
    renderTable(
      ['fault', 'deployment', 'expected', 'alerts', 'its poll ms'],
      r.faults.map((f) => [f.fault, f.deployment, f.expected, f.alerts.join(', ') || 'none', cell(f.pollMs)]),
    ),
  );
  if (Object.keys(r.unknownCommands).length > 0) {
    out.push(
      `  simulator: commands without a template (answered with an error): ${Object.keys(r.unknownCommands).join(', ')}`,
    );
  }
  if (r.real)
    sectionLines(r.real, 'real', 'REAL redis-server processes (three sentinels shared by every master)');
  else if (r.realSkipped) out.push('', `REAL fleet skipped: ${r.realSkipped}`);
  if (r.handover) {
    const h = r.handover;
    out.push(
      '',
      `MASTER_CHANGED latency for switches at the boundary between runs (REAL fleet; "minute" ${h.options.periodMs / 1000} s, ` +
        `next run ${h.options.coldStartMs} ms late, switches at ${h.options.offsetsMs.join(', ')} ms from its start), ms`,
      renderTable(
        ['', 'n', 'p50', 'p95', 'p99', 'max'],
        [
          ['with the handover (runs overlap)', h.withHandover],
          ['without (each run stops at its minute)', h.withoutHandover],
        ].map(([label, x]) => {
          const s = x as Summary;
          return [
            label as string,
            String(s.n),
            cell(s.p50, 0),
            cell(s.p95, 0),
            cell(s.p99, 0),
            cell(s.max, 0),
          ];
        }),
      ),
      `  switches without an alert: ${h.missedWith}; alerted twice: ${h.duplicates}`,
    );
  }
  const d = r.dynamoPerMinute;
  out.push(
    '',
    `DynamoDB per minute at ${r.plan.simulated.deployments} deployments (one poll each): ${d.writes} writes, ${d.writeUnits} WRU, ${d.readUnits} RRU; ` +
      `STATE item ${cell(d.stateBytes.mean, 0)} B on average (max ${cell(d.stateBytes.max, 0)}), SNAPSHOT ${cell(d.snapshotBytes.mean, 0)} B`,
  );
  for (const c of r.costs) {
    out.push('', `Monthly cost, ${c.mode} (us-east-1 list prices as known; interface endpoints apart)`);
    out.push(
      renderTable(
        ['item', ...c.estimates.map((e) => `${e.scenario.deployments} deployments`)],
        [
          ...c.estimates[0].lines.map((l, i) => [
            l.item,
            ...c.estimates.map((e) => formatUsd(e.lines[i].monthly)),
          ]),
          ['total', ...c.estimates.map((e) => formatUsd(e.total))],
          ['per deployment', ...c.estimates.map((e) => formatUsd(e.perDeployment))],
          ['(interface endpoints, per VPC)', ...c.estimates.map((e) => formatUsd(e.endpointsPerVpc))],
        ],
      ),
    );
  }
  out.push('', 'Goals');
  for (const g of r.goals) out.push(`  ${g.met ? 'met    ' : 'NOT met'}  ${g.text}`);
  return `${out.join('\n')}\n`;
}
