// MASTER_CHANGED latency for switches at the boundary between two poller runs, on the real fleet.
// Runs of one shard (all the fleet's deployments) start every `periodMs` (a scaled-down minute) plus a
// cold start, each watching its period and, with the handover, up to `overlapMs` more until the next
// run has taken over (lambdas/poller/handover.ts). Around each boundary, real failovers (SENTINEL
// FAILOVER, one master each) are placed so that their +switch-master lands at chosen offsets from the
// next run's start: before it exists, while it subscribes and polls first, once both listen. An
// independent subscriber on the three sentinels timestamps each +switch-master; the SNS stand-in
// timestamps each MASTER_CHANGED. The same runs without the handover (each run stops at its period,
// as before) show the gap it closes.
//
// Each run is its own Node process (handover-run.ts, bundled by esbuild as the stack bundles the
// poller), started `coldStartMs` after its tick (a late EventBridge delivery) plus its own start-up (the
// cold start), in a cpu cgroup holding a 512 MB Lambda's share of a core; two overlapping runs have two
// cgroups, as two Lambdas have two CPU shares. It wires run.ts as the handler does; the bundled handler
// itself fixes the period to a real minute, which would make a few dozen samples take an hour.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import Redis from 'ioredis';
import type { DeploymentSummary } from '../../lambdas/poller/run';
import { sleep } from '../../lambdas/poller/run';
import { ESBUILD_SETTINGS } from '../bundles';
import { type Summary, summarize } from '../stats';
import type { AwsStandIns } from './aws-stand-ins';
import type { RunArgs } from './handover-run';
import { masterName, PASSWORD, type RealFleet } from './real-fleet';
import { CpuLimit, runCaptured } from './shard-runner';

export interface HandoverOptions {
  readonly periodMs: number;
  readonly overlapMs: number;
  readonly coldStartMs: number;
  readonly pollEverySeconds: number;
  /** Boundaries with the handover, and without it (the old behaviour). */
  readonly boundaries: number;
  readonly boundariesWithout: number;
  /** Where each boundary's switches land, from the next run's start (ms). */
  readonly offsetsMs: readonly number[];
}

export interface SwitchSample {
  readonly deployment: string;
  readonly handover: boolean;
  /** +switch-master relative to the next run's start (ms). */
  readonly offsetMs: number;
  /** +switch-master -> MASTER_CHANGED published; null when none came. */
  readonly latencyMs: number | null;
  readonly alerts: number;
}

export interface HandoverResult {
  readonly options: HandoverOptions;
  readonly samples: readonly SwitchSample[];
  readonly withHandover: Summary;
  readonly withoutHandover: Summary;
  readonly missedWith: number;
  readonly duplicates: number;
  readonly runs: readonly {
    readonly handover: boolean;
    readonly stopped: Record<string, number>;
    /** How long the run lasted past its period (ms): what the handover adds to every run's bill. */
    readonly pastPeriodMs: number;
  }[];
  /** Mean of pastPeriodMs over the handover runs that had a next run (the last one had none). */
  readonly meanPastPeriodMs: number | null;
  readonly goal: { readonly met: boolean; readonly text: string };
}

/** The measured time from SENTINEL FAILOVER to +switch-master on this machine (fleet sentinels). */
const SWITCH_AFTER_COMMAND_MS = 1150;

export async function benchHandover(
  fleet: RealFleet,
  aws: AwsStandIns,
  options: HandoverOptions,
  log: (line: string) => void,
): Promise<HandoverResult> {
  const watch = {
    deployments: fleet.deploymentInputs().map((d) => ({ ...d, timeoutMs: 1000 })),
    pollEverySeconds: options.pollEverySeconds,
    retentionDays: 1,
  };
  const bundle = await bundleHandoverRun();
  // Two cgroups of a 512 MB Lambda's share: runs k and k+1 overlap, each with its own CPU, as in AWS.
  const cgroups = [CpuLimit.create(512, 'run-a'), CpuLimit.create(512, 'run-b')];

  // An independent listener timestamps every +switch-master.
  const switchedAt = new Map<string, number>();
  const listeners = fleet.sentinelPorts.map((port) => {
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    c.on('error', () => undefined);
    c.on('pmessage', (_p: string, channel: string, message: string) => {
      if (channel !== '+switch-master') return;
      const name = message.split(' ')[0];
      if (!switchedAt.has(name)) switchedAt.set(name, Date.now());
    });
    return c;
  });
  await Promise.all(listeners.map((c) => c.connect().then(() => c.psubscribe('+switch-master'))));

  const samples: SwitchSample[] = [];
  const runs: { handover: boolean; stopped: Record<string, number>; pastPeriodMs: number }[] = [];
  const coldStarts: number[] = [];
  let nextMaster = 0;
  const failover = async (i: number) => {
    await fleet.withSentinel((c) => c.call('SENTINEL', 'FAILOVER', masterName(i)));
  };

  try {
    for (const handover of [true, false]) {
      const boundaries = handover ? options.boundaries : options.boundariesWithout;
      if (boundaries === 0) continue;
      log(
        `handover ${handover ? 'on' : 'off'}: ${boundaries} boundaries x ${options.offsetsMs.length} switches, ` +
          `period ${options.periodMs / 1000} s, each run a process in ${cgroups[0] ? `a cgroup of ${((cgroups[0].share ?? 1) * 100).toFixed(1)}% of a core` : 'no cgroup (none available)'}, started ${options.coldStartMs} ms late`,
      );
      const t0 = Date.now() + 1_000;
      const shardKey = `bench-${t0}/0`;
      const spawnAt = (k: number) => t0 + k * options.periodMs + (k === 0 ? 0 : options.coldStartMs);
      const running: Promise<RunOutcome>[] = [];
      const placed: { name: string; run: number }[] = [];
      for (let k = 0; k <= boundaries; k++) {
        running.push(
          (async () => {
            await sleep(spawnAt(k) - Date.now());
            return runProcess(bundle, cgroups[k % 2], spawnAt(k), {
              watch,
              owner: `${handover ? 'h' : 'n'}-run-${k}`,
              periodMs: options.periodMs,
              overlapMs: options.overlapMs,
              handover,
              shardKey,
              dynamoEndpoint: aws.dynamoEndpoint,
              snsEndpoint: aws.snsEndpoint,
              tableName: aws.tableName,
              password: PASSWORD,
            });
          })(),
        );
      }
      // Each boundary's switches: placed so that +switch-master lands at the offsets from the next run's
      // start, expected at its spawn plus the first run's measured process start-up (its cold start).
      const firstInit = running[0].then((r) => r.startedAt - r.spawnedAt);
      for (let k = 1; k <= boundaries; k++) {
        for (const offset of options.offsetsMs) {
          const i = nextMaster++;
          placed.push({ name: masterName(i), run: k });
          void (async () => {
            const at = spawnAt(k) + (await firstInit) + offset - SWITCH_AFTER_COMMAND_MS;
            await sleep(at - Date.now());
            await failover(i).catch((e: unknown) =>
              log(`SENTINEL FAILOVER ${masterName(i)}: ${(e as Error).message}`),
            );
          })();
        }
      }
      const outcomes = await Promise.all(running);
      outcomes.forEach((o, k) => {
        coldStarts.push(o.startedAt - o.spawnedAt);
        const stopped: Record<string, number> = {};
        for (const d of o.deployments) stopped[d.stopped] = (stopped[d.stopped] ?? 0) + 1;
        // The last run of a series has no next run to hand over to: it watches its whole window.
        if (k < outcomes.length - 1) {
          runs.push({ handover, stopped, pastPeriodMs: o.endedAt - o.startedAt - options.periodMs });
        }
      });
      for (const p of placed) {
        const sw = switchedAt.get(p.name);
        const alerts = aws.published.filter(
          (m) => m.attributes.code === 'MASTER_CHANGED' && m.attributes.deployment === p.name,
        );
        samples.push({
          deployment: p.name,
          handover,
          offsetMs: sw === undefined ? Number.NaN : sw - outcomes[p.run].startedAt,
          latencyMs: sw === undefined || alerts.length === 0 ? null : alerts[0].at - sw,
          alerts: alerts.length,
        });
      }
    }
  } finally {
    for (const c of listeners) c.disconnect();
    for (const c of cgroups) c?.remove();
    await rm(path.dirname(bundle), { recursive: true, force: true });
  }
  log(
    `  runs' cold starts (process start to run start): ${summarize(coldStarts).p50} ms p50, ${summarize(coldStarts).max} ms max`,
  );

  const measured = (h: boolean) =>
    samples.filter((s) => s.handover === h && s.latencyMs !== null).map((s) => s.latencyMs as number);
  const withHandover = summarize(measured(true));
  const missedWith = samples.filter((s) => s.handover && s.latencyMs === null).length;
  const met = missedWith === 0 && withHandover.p99 <= 1000;
  return {
    options,
    samples,
    withHandover,
    withoutHandover: summarize(measured(false)),
    missedWith,
    duplicates: samples.filter((s) => s.alerts > 1).length,
    runs,
    meanPastPeriodMs: (() => {
      const past = runs.filter((r) => r.handover).map((r) => r.pastPeriodMs);
      return past.length === 0 ? null : Math.round(past.reduce((a, b) => a + b, 0) / past.length);
    })(),
    goal: {
      met,
      text: `MASTER_CHANGED p99 <= 1 s after +switch-master for switches at the boundary between runs: ${
        withHandover.n
      } switches, p99 ${withHandover.p99} ms${missedWith ? `, ${missedWith} without an alert` : ''} (${met ? 'met' : 'NOT met'})`,
    },
  };
}

interface RunOutcome {
  readonly spawnedAt: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly deployments: readonly DeploymentSummary[];
}

/** bench/fleet/handover-run.ts bundled as the stack bundles the poller, in a temporary directory. */
async function bundleHandoverRun(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-watch-handover-'));
  const outfile = path.join(dir, 'handover-run.js');
  await build({ ...ESBUILD_SETTINGS, entryPoints: [path.join(__dirname, 'handover-run.ts')], outfile });
  return outfile;
}

/** One run in its own Node process (a Lambda's cold start and CPU share); resolves when it ends. */
async function runProcess(
  bundle: string,
  cpu: CpuLimit | null,
  spawnedAt: number,
  args: RunArgs,
): Promise<RunOutcome> {
  const { code, stdout, stderr } = await runCaptured(cpu, process.execPath, [bundle, JSON.stringify(args)], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const started = /@@STARTED (\d+)/.exec(stdout);
  const done = /@@DONE (.+)/.exec(stdout);
  if (code !== 0 || !started || !done) {
    throw new Error(
      `handover run ${args.owner} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  const d = JSON.parse(done[1]) as { ended: number; deployments: DeploymentSummary[] };
  return { spawnedAt, startedAt: Number(started[1]), endedAt: d.ended, deployments: d.deployments };
}
