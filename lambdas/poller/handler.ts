// The poller Lambda: middy wiring only. Settings are validated and AWS clients created once, at cold
// start; run.ts does the work. Invoked by an EventBridge schedule (the event is not read).

import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AWS_LIMITS } from '../adapters/aws-clients';
import { DynamoSilenceStore } from '../adapters/dynamo-silences';
import { runBatch } from '../adapters/redis-batch';
import { subscribeSentinelEvents } from '../adapters/sentinel-events';
import { watcherClients, watcherPorts } from '../adapters/watcher-ports';
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

const settings = loadPollerSettings(process.env);

const logger = new Logger({ serviceName: 'sentinel-watch-poller' });
const metrics = new Metrics({ namespace: 'SentinelWatch', serviceName: 'sentinel-watch-poller' });
// One dimension, `deployment`: alarms address a metric by its exact dimension set.
metrics.clearDefaultDimensions();

// Every AWS call has a deadline (aws-clients.ts). The outbox retries publishes itself (with backoff,
// and across invocations): one SDK attempt each.
const clients = watcherClients(AWS_LIMITS.outboxPublish);

export function publishPollMetrics(report: PollReport): void {
  metrics.addDimension('deployment', report.deployment);
  metrics.addMetric('ReachableNodes', MetricUnit.Count, report.reachableNodes);
  metrics.addMetric('ReachableSentinels', MetricUnit.Count, report.reachableSentinels);
  if (report.maxReplicaLagBytes !== null) {
    metrics.addMetric('MaxReplicaLagBytes', MetricUnit.Bytes, report.maxReplicaLagBytes);
  }
  if (report.maxReplicaLagSeconds !== null) {
    metrics.addMetric('MaxReplicaLagSeconds', MetricUnit.Seconds, report.maxReplicaLagSeconds);
  }
  metrics.addMetric('OpenIncidents', MetricUnit.Count, report.openIncidents);
  metrics.addMetric('PollDurationMs', MetricUnit.Milliseconds, report.pollDurationMs);
  metrics.addMetric('AlertsPublished', MetricUnit.Count, report.published);
  metrics.addMetric('AlertsPending', MetricUnit.Count, report.pending);
  if (report.dropped > 0) metrics.addMetric('AlertsDropped', MetricUnit.Count, report.dropped);
  if (report.rejected > 0) metrics.addMetric('AlertsRejected', MetricUnit.Count, report.rejected);
  // Deployments poll in parallel, but this runs synchronously: one EMF line per deployment and poll.
  metrics.publishStoredMetrics();
}

export const defaultPollerDeps = (): PollerDeps => ({
  probe: probeWith(runBatch, Date.now),
  lag: lagProbeWith(runBatch),
  ...watcherPorts(clients, settings),
  silences: new DynamoSilenceStore({
    client: clients.documentClient,
    tableName: settings.tableName,
    callTimeoutMs: AWS_LIMITS.dynamodb.callTimeoutMs,
    onInvalid: (count) => logger.warn('stored silences that do not validate are ignored', { count }),
  }),
  clock: Date.now,
  sleep,
  env: process.env,
  subscribe: subscribeSentinelEvents,
  log: {
    info: (message, data) => logger.info(message, data ?? {}),
    warn: (message, data) => logger.warn(message, data ?? {}),
    error: (message, data) => logger.error(message, data ?? {}),
  },
  onPoll: publishPollMetrics,
});

/** The handler with some dependencies replaced (tests: a fake probe, an instant sleep). */
export function createPollerHandler(overrides: Partial<PollerDeps> = {}) {
  const deps: PollerDeps = { ...defaultPollerDeps(), ...overrides };
  return middy<unknown, RunSummary, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (_event, context) => {
      const summary = await runPoller(settings.config, deps, {
        owner: `${context.awsRequestId ?? 'local'}/${randomUUID().slice(0, 8)}`,
        remainingMs: () =>
          typeof context.getRemainingTimeInMillis === 'function'
            ? context.getRemainingTimeInMillis()
            : 60_000,
      });
      logger.info('invocation done', { deployments: summary.deployments });
      return summary;
    });
}

export const handler = createPollerHandler();
