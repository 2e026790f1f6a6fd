// The poller: on an EventBridge schedule, polls every configured deployment from inside the VPC,
// stores snapshots and incident state, and publishes alerts. It may read its password secrets,
// read and write its table and publish to its topic; nothing else.

import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { StackConfig } from '../stack-config';
import type { WatcherAlerting } from './alerting';
import type { DrillKey } from './drill-key';
import type { WatcherNetwork } from './network';
import type { WatcherStorage } from './storage';
import { WatcherFunction } from './watcher-function';

export const POLLER_ENTRY = 'lambdas/poller/handler.ts';

export interface WatcherEnvironment {
  readonly SENTINEL_WATCH_CONFIG: string;
  readonly SNAPSHOT_TABLE_NAME: string;
  readonly ALERT_TOPIC_ARN: string;
  /** The drill key's secret (lambdas/core/drill-lock.ts `drillKeyFromEnv`). */
  readonly DRILL_KEY_SECRET_ARN: string;
}

export interface PollerProps {
  readonly config: StackConfig;
  readonly network: WatcherNetwork;
  readonly storage: WatcherStorage;
  readonly alerting: WatcherAlerting;
  readonly drillKey: DrillKey;
}

/** The environment the poller and the drill share (read by lambdas/poller/settings.ts). */
export function watcherEnvironment(
  config: StackConfig,
  storage: WatcherStorage,
  alerting: WatcherAlerting,
  drillKey: DrillKey,
): WatcherEnvironment {
  return {
    SENTINEL_WATCH_CONFIG: config.watchConfigJson,
    SNAPSHOT_TABLE_NAME: storage.table.tableName,
    ALERT_TOPIC_ARN: alerting.topic.topicArn,
    DRILL_KEY_SECRET_ARN: drillKey.secret.secretArn,
  };
}

export class Poller extends Construct {
  readonly watcher: WatcherFunction;
  readonly function: lambda.IFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: PollerProps) {
    super(scope, id);
    const { config, network, storage, alerting, drillKey } = props;

    this.watcher = new WatcherFunction(this, 'Poller', {
      entry: POLLER_ENTRY,
      description: `sentinel-watch poller: ${config.deployments.map((d) => d.name).join(', ')}`.slice(0, 256),
      timeout: Duration.seconds(config.pollerTimeoutSeconds),
      memorySize: config.memorySize,
      environment: { ...watcherEnvironment(config, storage, alerting, drillKey) },
      logRetentionDays: config.logRetentionDays,
      network: { vpc: network.vpc, subnets: network.subnets, securityGroup: network.securityGroup },
      reservedConcurrency: config.reservedConcurrency ?? undefined,
      // A missed or failed tick is not worth replaying: the next one polls afresh.
      async: { retryAttempts: 0, maxEventAge: Duration.seconds(60) },
    });
    this.function = this.watcher.function;
    storage.grantReadWrite(this.watcher.role);
    alerting.grantPublish(this.watcher.role);
    this.watcher.grantReadSecrets(config.passwordSecretArns, config.secretsKmsKeyArns);
    drillKey.grantRead(this.watcher.role);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `sentinel-watch poller, every ${config.scheduleMinutes} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(config.scheduleMinutes)),
      targets: [new targets.LambdaFunction(this.watcher.function, { retryAttempts: 0 })],
    });
  }
}
