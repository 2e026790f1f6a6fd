// The poller Lambda: middy wiring only. Settings are validated and AWS clients created once, at cold
// start; run.ts does the work. Invoked by an EventBridge schedule (the event is not read).

import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDocumentClient, DynamoStore } from '../adapters/dynamo-store';
import { runBatch } from '../adapters/redis-batch';
import { CachedSecretSource } from '../adapters/secrets';
import { subscribeSentinelEvents } from '../adapters/sentinel-events';
import { SnsAlertPublisher } from '../adapters/sns-publisher';
import { loadPresentation } from '../core/notify/presentation';
import { type PollerDeps, type PollReport, probeWith, type RunSummary, runPoller, sleep } from './run';
import { loadPollerSettings } from './settings';

const settings = loadPollerSettings(process.env);
// Runbook and dashboard links and the team's time zone, for the alert text (set by the stack).
const presentation = loadPresentation(process.env);

const logger = new Logger({ serviceName: 'sentinel-watch-poller' });
const metrics = new Metrics({ namespace: 'SentinelWatch', serviceName: 'sentinel-watch-poller' });
// One dimension, `deployment`: alarms address a metric by its exact dimension set.
metrics.clearDefaultDimensions();

// The outbox retries publishes itself (with backoff, and across invocations): one SDK attempt each.
const sns = new SNSClient({
  maxAttempts: 1,
  requestHandler: { requestTimeout: 3_000, connectionTimeout: 2_000 },
});
const secretsManager = new SecretsManagerClient({});
const documentClient = createDocumentClient();

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
  // Deployments poll in parallel, but this runs synchronously: one EMF line per deployment and poll.
  metrics.publishStoredMetrics();
}

export const defaultPollerDeps = (): PollerDeps => ({
  probe: probeWith(runBatch, Date.now),
  store: new DynamoStore({ client: documentClient, tableName: settings.tableName }),
  publisher: new SnsAlertPublisher({ client: sns, topicArn: settings.topicArn }),
  secrets: new CachedSecretSource({ client: secretsManager }),
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
  presentation,
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
