// The poller Lambda: middy wiring only. Settings are validated and AWS clients created once, at cold
// start; run.ts does the work. Invoked by an EventBridge schedule, once per shard (`{"shard": i}`):
// each invocation polls the deployments of its shard (shard-event.ts, lambdas/core/shard.ts), with at
// most POLL_CONCURRENCY of them probed at once and one pub/sub connection per sentinel.

import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AWS_LIMITS } from '../adapters/aws-clients';
import { DynamoShardRuns } from '../adapters/dynamo-shard-runs';
import { DynamoSilenceStore } from '../adapters/dynamo-silences';
import { runBatch } from '../adapters/redis-batch';
import { POLLER_SECRET_TTL_MS } from '../adapters/secrets';
import { sharedSentinelSubscriptions } from '../adapters/shared-subscriptions';
import { watcherClients, watcherPorts } from '../adapters/watcher-ports';
import { drillKeyFromEnv } from '../core/drill-lock';
import { POLL_CONCURRENCY, shardWatchConfig } from '../core/fleet-config';
import { loadPresentation } from '../core/notify/presentation';
import { HANDOVER, runWindowMs } from './handover';
import { type MetricsContext, pollMetricLines } from './metrics';
import {
  lagProbeWith,
  type PollerDeps,
  type PollReport,
  probeWith,
  type RunSummary,
  runPoller,
  sleep,
} from './run';
import { loadPollerSettings } from './settings';
import { shardFromEvent } from './shard-event';
import { urgentPolls } from './urgent-polls';

const settings = loadPollerSettings(process.env);
// Runbook and dashboard links and the team's time zone, for the alert text (set by the stack).
const presentation = loadPresentation(process.env);

const logger = new Logger({ serviceName: 'sentinel-watch-poller' });
const detailedMetrics = new Set(settings.fleet.detailedMetrics);

// Every AWS call has a deadline (aws-clients.ts). The outbox retries publishes itself (with backoff,
// and across invocations): one SDK attempt each.
const clients = watcherClients(AWS_LIMITS.outboxPublish);

/** EMF lines of one poll (metrics.ts) on stdout, one JSON object per line as CloudWatch reads them. */
export function publishPollMetrics(report: PollReport, context: MetricsContext): void {
  process.stdout.write(`${pollMetricLines(report, context, Date.now()).join('\n')}\n`);
}

export const defaultPollerDeps = (): PollerDeps => {
  // Passwords cached 30 minutes: a refused one is read again at once (fresh-credentials.ts).
  const ports = watcherPorts(clients, settings, { secretTtlMs: POLLER_SECRET_TTL_MS });
  const drillKeySecrets = watcherPorts(clients, settings).secrets;
  return {
    probe: probeWith(runBatch, Date.now),
    lag: lagProbeWith(runBatch),
    ...ports,
    // The drill key signs drill locks: only a drill's own, signed switch is reported as info.
    // Its own 5-minute cache (docs/security.md: a rotated drill key holds within 5 minutes).
    drillKey: () => drillKeyFromEnv(process.env, drillKeySecrets),
    silences: new DynamoSilenceStore({
      client: clients.documentClient,
      tableName: settings.tableName,
      callTimeoutMs: AWS_LIMITS.dynamodb.callTimeoutMs,
      onInvalid: (count) => logger.warn('stored silences that do not validate are ignored', { count }),
    }),
    // The shard's run mark: the next run says it listens, this one stops (shard-handover.ts).
    runs: new DynamoShardRuns({
      client: clients.documentClient,
      tableName: settings.tableName,
      callTimeoutMs: AWS_LIMITS.dynamodb.callTimeoutMs,
    }),
    clock: Date.now,
    sleep,
    env: process.env,
    subscribe: sharedSentinelSubscriptions().subscribe,
    log: {
      info: (message, data) => logger.info(message, data ?? {}),
      warn: (message, data) => logger.warn(message, data ?? {}),
      error: (message, data) => logger.error(message, data ?? {}),
    },
    presentation,
  };
};

/** The handler with some dependencies replaced (tests: a fake probe, an instant sleep). */
export function createPollerHandler(overrides: Partial<PollerDeps> = {}) {
  const given: PollerDeps = { ...defaultPollerDeps(), ...overrides };
  // However many deployments the shard holds, at most POLL_CONCURRENCY are probed at once; a poll a
  // sentinel event asked for goes first.
  const deps: PollerDeps = { ...given, ...urgentPolls(given.probe, given.subscribe, POLL_CONCURRENCY) };
  return middy<unknown, RunSummary, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const choice = shardFromEvent(event, settings.fleet.shards);
      if (choice.kind === 'none') {
        logger.warn('nothing to poll', { reason: choice.reason, configVersion: settings.configVersion });
        return { deployments: [] };
      }
      const { shard } = choice;
      const config = shardWatchConfig(settings.fleet, shard);
      logger.appendKeys({ shard });
      logger.info('invocation started', {
        shards: settings.fleet.shards,
        deployments: config.deployments.length,
        configVersion: settings.configVersion,
      });
      const onPoll =
        overrides.onPoll ??
        ((report: PollReport) => publishPollMetrics(report, { shard, detailed: detailedMetrics }));
      const summary = await runPoller(
        config,
        { ...deps, onPoll },
        {
          owner: `${context.awsRequestId ?? 'local'}/${randomUUID().slice(0, 8)}`,
          remainingMs: () =>
            typeof context.getRemainingTimeInMillis === 'function'
              ? context.getRemainingTimeInMillis()
              : 60_000,
          windowMs: runWindowMs(config.pollEverySeconds),
          // Keyed by the config's version: a deploy that reshuffles shards starts afresh.
          handover: { shardKey: `${settings.configVersion}/${shard}`, periodMs: HANDOVER.periodMs },
        },
      );
      logger.info('invocation done', { deployments: summary.deployments });
      return summary;
    });
}

export const handler = createPollerHandler();
