// Poll latency: one full poll (`pollDeployment`, every server in parallel, one pipelined batch each) of
// 1, 5 and 10 deployments, polled in parallel the way the poller does, against a naive baseline that
// sends the same commands one at a time, each on a fresh connection (with AUTH where a password is
// set), sequentially.

import { performance } from 'node:perf_hooks';
import { createClient, runBatch } from '../lambdas/adapters/redis-batch';
import type { BatchTarget, RedisCommand } from '../lambdas/core/batch';
import type { Credentials, DeploymentConfig } from '../lambdas/core/config';
import { nodeCommands, sentinelCommands } from '../lambdas/core/read-server';
import type { Address, Snapshot } from '../lambdas/core/types';
import { pollDeployment } from '../lambdas/probe/poll-deployment';
import { nodeTarget, sentinelTarget } from '../lambdas/probe/targets';
import type { Lab, Log } from './lab';
import { roundTo, type Summary, summarize } from './stats';

export interface PollOptions {
  readonly warmup: number;
  readonly iterations: number;
  /** Naive baseline iterations for 1 deployment; more deployments get fewer, within `naiveBudgetMs`. */
  readonly naiveIterations: number;
  readonly naiveMinIterations: number;
  readonly naiveBudgetMs: number;
  readonly deploymentCounts: readonly number[];
}

export interface PollRow {
  readonly deployments: number;
  /** Servers asked per poll (one connection each) and commands sent (AUTH included). */
  readonly connections: number;
  readonly commands: number;
  readonly poll: Summary;
  /** Polls where some server did not answer cleanly (should be 0). */
  readonly pollErrors: number;
  readonly naive: Summary;
  readonly naiveConnections: number;
  /** Commands the naive pass sends: each node command needs its own AUTH. */
  readonly naiveCommands: number;
  readonly naiveErrors: number;
  /** naive p50 / poll p50. */
  readonly speedupP50: number;
  readonly speedupP95: number;
}

export interface PollResult {
  readonly options: PollOptions;
  readonly rows: readonly PollRow[];
  readonly goal: {
    readonly met: boolean;
    readonly p50Ms: number;
    readonly speedup: number;
    readonly text: string;
  };
}

interface Plan {
  readonly deployment: DeploymentConfig;
  /** Every data node the deployment has (what a poll discovers). */
  readonly nodes: readonly Address[];
}

/** A deployment's steps for the naive baseline: one (target, command) per connection. */
function naiveSteps(plan: Plan, credentials: Credentials): { target: BatchTarget; command: RedisCommand }[] {
  const d = plan.deployment;
  return [
    ...d.sentinels.flatMap((a) =>
      sentinelCommands(d.masterName).map((command) => ({
        target: sentinelTarget(d, credentials, a),
        command,
      })),
    ),
    ...plan.nodes.flatMap((a) =>
      nodeCommands(d.name).map((command) => ({ target: nodeTarget(d, credentials, a), command })),
    ),
  ];
}

/** One command on a fresh connection: connect, AUTH if a password is set, the command, close. */
async function naiveCall(target: BatchTarget, command: RedisCommand, timeoutMs: number): Promise<boolean> {
  const client = createClient(target, timeoutMs);
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (target.password) {
      await client.call(
        'AUTH',
        ...(target.username ? [target.username, target.password] : [target.password]),
      );
    }
    const [name, ...args] = command;
    await client.call(name, ...args);
    return true;
  } catch (error) {
    // CKQUORUM answers NOQUORUM as an error reply; anything else is a failed step.
    return /^NOQUORUM/.test(String((error as Error).message));
  } finally {
    client.disconnect();
  }
}

const clean = (s: Snapshot): boolean =>
  s.master !== null &&
  !s.truncated &&
  s.nodes.every((n) => n.reachable && n.error === null) &&
  s.sentinels.every((x) => x.reachable && x.error === null);

export async function benchPoll(lab: Lab, options: PollOptions, log: Log): Promise<PollResult> {
  const credentials = lab.credentials;
  const main: Plan = { deployment: lab.deployment(), nodes: lab.dataAddresses };
  const maxCount = Math.max(...options.deploymentCounts);
  if (maxCount > 1) {
    log(`starting ${maxCount - 1} extra masters with one replica each, monitored by the same sentinels`);
    await lab.addExtras(maxCount - 1);
  }
  const extras: Plan[] = lab.extras.map((e) => ({
    deployment: e.deployment,
    nodes: [
      { host: '127.0.0.1', port: e.masterPort },
      { host: '127.0.0.1', port: e.replicaPort },
    ],
  }));

  const rows: PollRow[] = [];
  for (const count of options.deploymentCounts) {
    const plans = [main, ...extras.slice(0, count - 1)];
    const deployments = plans.map((p) => p.deployment);
    const pollOnce = () =>
      Promise.all(deployments.map((d) => pollDeployment(d, credentials, { runBatch, now: Date.now })));

    log(
      `poll, ${count} deployment${count > 1 ? 's' : ''}: ${options.warmup} warm-up + ${options.iterations} polls`,
    );
    for (let i = 0; i < options.warmup; i++) await pollOnce();
    const times: number[] = [];
    let pollErrors = 0;
    let connections = 0;
    for (let i = 0; i < options.iterations; i++) {
      const t0 = performance.now();
      const snapshots = await pollOnce();
      times.push(performance.now() - t0);
      if (!snapshots.every(clean)) pollErrors++;
      connections = snapshots.reduce((s, x) => s + x.nodes.length + x.sentinels.length, 0);
    }
    const poll = summarize(times);

    const steps = plans.flatMap((p) => naiveSteps(p, credentials));
    const naiveCommands = steps.length + steps.filter((s) => s.target.password).length;
    const naiveOnce = async () => {
      let ok = true;
      for (const s of steps) ok = (await naiveCall(s.target, s.command, main.deployment.timeoutMs)) && ok;
      return ok;
    };
    // Warm-up, and an estimate of one naive pass to fit the iterations in the time budget.
    const w0 = performance.now();
    for (let i = 0; i < Math.max(2, Math.ceil(options.warmup / 4)); i++) await naiveOnce();
    const perPass = (performance.now() - w0) / Math.max(2, Math.ceil(options.warmup / 4));
    const naiveN = Math.max(
      options.naiveMinIterations,
      Math.min(options.naiveIterations, Math.floor(options.naiveBudgetMs / perPass)),
    );
    log(
      `naive baseline, ${count} deployment${count > 1 ? 's' : ''}: ${naiveN} passes of ${steps.length} connections`,
    );
    const naiveTimes: number[] = [];
    let naiveErrors = 0;
    for (let i = 0; i < naiveN; i++) {
      const t0 = performance.now();
      if (!(await naiveOnce())) naiveErrors++;
      naiveTimes.push(performance.now() - t0);
    }
    const naive = summarize(naiveTimes);
    const row: PollRow = {
      deployments: count,
      connections,
      commands: plans.reduce(
        (s, p) =>
          s +
          p.deployment.sentinels.length * sentinelCommands(p.deployment.masterName).length +
          p.nodes.length * (nodeCommands('x').length + 1),
        0,
      ),
      poll,
      pollErrors,
      naive,
      naiveConnections: steps.length,
      naiveCommands,
      naiveErrors,
      speedupP50: roundTo(naive.p50 / poll.p50, 1),
      speedupP95: roundTo(naive.p95 / poll.p95, 1),
    };
    rows.push(row);
    log(
      `  poll p50 ${poll.p50} ms p95 ${poll.p95} ms; naive p50 ${naive.p50} ms; ${row.speedupP50}x` +
        (pollErrors + naiveErrors > 0 ? ` (errors: poll ${pollErrors}, naive ${naiveErrors})` : ''),
    );
  }
  await lab.removeExtras();

  const one = rows.find((r) => r.deployments === 1) ?? rows[0];
  const met = one.poll.p50 < 10 && one.speedupP50 >= 3;
  const text = `full poll p50 ${one.poll.p50} ms (goal < 10 ms), ${one.speedupP50}x the naive baseline (goal >= 3x): ${met ? 'met' : 'NOT met'}`;
  return { options, rows, goal: { met, p50Ms: one.poll.p50, speedup: one.speedupP50, text } };
}
