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
// The runs are run.ts's loop in this process (the code the Lambda handler wires): the bundled handler
// fixes the period to a real minute, which would make a few dozen samples take an hour.

import { SNSClient } from '@aws-sdk/client-sns';
import Redis from 'ioredis';
import { DynamoShardRuns } from '../../lambdas/adapters/dynamo-shard-runs';
import { createDocumentClient, DynamoStore } from '../../lambdas/adapters/dynamo-store';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { sharedSentinelSubscriptions } from '../../lambdas/adapters/shared-subscriptions';
import { SnsAlertPublisher } from '../../lambdas/adapters/sns-publisher';
import type { WatchConfig } from '../../lambdas/core/config';
import { POLL_CONCURRENCY } from '../../lambdas/core/fleet-config';
import { type DeploymentSummary, probeWith, runPoller, sleep } from '../../lambdas/poller/run';
import { urgentPolls } from '../../lambdas/poller/urgent-polls';
import { type Summary, summarize } from '../stats';
import type { AwsStandIns } from './aws-stand-ins';
import { masterName, PASSWORD, type RealFleet } from './real-fleet';

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
  const config: WatchConfig = {
    deployments: Array.from({ length: fleet.masters }, (_, i) => fleet.deployment(i, { timeoutMs: 1000 })),
    pollEverySeconds: options.pollEverySeconds,
    retentionDays: 1,
  };
  const documentClient = createDocumentClient({
    endpoint: aws.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const sns = new SNSClient({
    endpoint: aws.snsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  // Wired as the handler wires them (handler.ts): event-triggered polls first.
  const deps = () => ({
    ...urgentPolls(probeWith(runBatch, Date.now), sharedSentinelSubscriptions().subscribe, POLL_CONCURRENCY),
    store: new DynamoStore({ client: documentClient, tableName: aws.tableName }),
    runs: new DynamoShardRuns({ client: documentClient, tableName: aws.tableName }),
    publisher: new SnsAlertPublisher({ client: sns, topicArn: 'arn:aws:sns:us-east-1:123456789012:bench' }),
    secrets: { getSecret: async () => PASSWORD },
    clock: Date.now,
    sleep,
    env: { FLEET_REDIS_PASSWORD: PASSWORD },
  });

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
  let nextMaster = 0;
  const failover = async (i: number) => {
    await fleet.withSentinel((c) => c.call('SENTINEL', 'FAILOVER', masterName(i)));
  };

  try {
    for (const handover of [true, false]) {
      const boundaries = handover ? options.boundaries : options.boundariesWithout;
      if (boundaries === 0) continue;
      const window = options.periodMs + (handover ? options.overlapMs : 0);
      log(
        `handover ${handover ? 'on' : 'off'}: ${boundaries} boundaries x ${options.offsetsMs.length} switches, ` +
          `period ${options.periodMs / 1000} s, cold start ${options.coldStartMs} ms`,
      );
      const t0 = Date.now();
      const running: Promise<{ summary: DeploymentSummary[]; pastPeriodMs: number }>[] = [];
      const placed: { name: string; runStart: number }[] = [];
      for (let k = 0; k <= boundaries; k++) {
        const runStart = t0 + k * options.periodMs + (k === 0 ? 0 : options.coldStartMs);
        running.push(
          (async () => {
            await sleep(runStart - Date.now());
            const started = Date.now();
            const summary = await runPoller(config, deps(), {
              owner: `${handover ? 'h' : 'n'}-run-${k}`,
              remainingMs: () => started + window + 10_000 - Date.now(),
              windowMs: window,
              // As the handler runs it: the shard's run mark (without the handover: no mark, as before).
              ...(handover
                ? {
                    handover: {
                      shardKey: `bench-${t0}/0`,
                      periodMs: options.periodMs,
                      overlapMs: options.overlapMs,
                    },
                  }
                : {}),
            });
            return {
              summary: [...summary.deployments],
              pastPeriodMs: Date.now() - started - options.periodMs,
            };
          })(),
        );
        if (k === 0) continue;
        // This boundary's switches: each command goes out so that its +switch-master lands at the offset.
        for (const offset of options.offsetsMs) {
          const i = nextMaster++;
          placed.push({ name: masterName(i), runStart });
          const at = runStart + offset - SWITCH_AFTER_COMMAND_MS;
          void (async () => {
            await sleep(at - Date.now());
            await failover(i).catch((e: unknown) =>
              log(`SENTINEL FAILOVER ${masterName(i)}: ${(e as Error).message}`),
            );
          })();
        }
      }
      const summaries = await Promise.all(running);
      summaries.forEach(({ summary, pastPeriodMs }, k) => {
        const stopped: Record<string, number> = {};
        for (const d of summary) stopped[d.stopped] = (stopped[d.stopped] ?? 0) + 1;
        // The last run of a series has no next run to hand over to: it watches its whole window.
        if (k < summaries.length - 1) runs.push({ handover, stopped, pastPeriodMs });
      });
      for (const p of placed) {
        const sw = switchedAt.get(p.name);
        const alerts = aws.published.filter(
          (m) => m.attributes.code === 'MASTER_CHANGED' && m.attributes.deployment === p.name,
        );
        samples.push({
          deployment: p.name,
          handover,
          offsetMs: sw === undefined ? Number.NaN : sw - p.runStart,
          latencyMs: sw === undefined || alerts.length === 0 ? null : alerts[0].at - sw,
          alerts: alerts.length,
        });
      }
    }
  } finally {
    for (const c of listeners) c.disconnect();
    documentClient.destroy();
    sns.destroy();
  }

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
