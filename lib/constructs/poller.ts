// The poller: on an EventBridge schedule, polls the configured deployments from inside the VPC,
// stores snapshots and incident state, and publishes alerts. It may read its password secrets,
// read and write its table and publish to its topic; nothing else.
//
// Shards: each scheduled tick invokes the function once per shard (`{"shard": i}`), and each
// invocation polls only the deployments lambdas/core/shard.ts assigns to its shard. The invocations
// are independent Lambda runs: a shard that fails, hangs or times out costs only its own deployments
// one tick. The targets are plain scheduled-rule targets (free, at most five per rule): no scheduler
// or fan-out function of our own that could itself fail for everyone (docs/aws.md, "Fleets").

import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FLEET_CONFIG_FILE } from '../../lambdas/core/fleet-config';
import type { StackConfig } from '../stack-config';
import type { DrillKey } from './drill-key';
import type { WatcherNetwork } from './network';
import { WatcherFunction } from './watcher-function';

export const POLLER_ENTRY = 'lambdas/poller/handler.ts';
/** EventBridge allows five targets per rule. */
export const TARGETS_PER_RULE = 5;

export interface WatcherEnvironment {
  readonly SENTINEL_WATCH_CONFIG_FILE: string;
  readonly SNAPSHOT_TABLE_NAME: string;
  readonly ALERT_TOPIC_ARN: string;
  /** The drill key's secret (lambdas/core/drill-lock.ts `drillKeyFromEnv`). */
  readonly DRILL_KEY_SECRET_ARN: string;
}

/** The table the poller and the drill keep their state in (WatcherStorage, or a shared one). */
export interface SnapshotTable {
  readonly tableName: string;
  grantReadWrite(grantee: iam.IGrantable): void;
}

/** The topic they publish alerts to (WatcherAlerting, or a shared one). */
export interface AlertTopic {
  readonly topicArn: string;
  grantPublish(grantee: iam.IGrantable): void;
}

export interface PollerProps {
  readonly config: StackConfig;
  readonly network: WatcherNetwork;
  readonly table: SnapshotTable;
  readonly topic: AlertTopic;
  readonly drillKey: DrillKey;
}

/** The environment the poller and the drill share (read by lambdas/poller/settings.ts). */
export function watcherEnvironment(
  table: SnapshotTable,
  topic: AlertTopic,
  drillKey: DrillKey,
): WatcherEnvironment {
  return {
    SENTINEL_WATCH_CONFIG_FILE: FLEET_CONFIG_FILE,
    SNAPSHOT_TABLE_NAME: table.tableName,
    ALERT_TOPIC_ARN: topic.topicArn,
    DRILL_KEY_SECRET_ARN: drillKey.secret.secretArn,
  };
}

/** The fleet config file both functions carry in their code asset. */
export const bundledConfig = (config: StackConfig): Record<string, string> => ({
  [FLEET_CONFIG_FILE]: config.fleetConfigJson,
});

export class Poller extends Construct {
  readonly watcher: WatcherFunction;
  readonly function: lambda.IFunction;
  /** The scheduled rules, TARGETS_PER_RULE shards each. */
  readonly schedules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: PollerProps) {
    super(scope, id);
    const { config, network, table, topic, drillKey } = props;
    const names = config.deployments.map((d) => d.name);

    this.watcher = new WatcherFunction(this, 'Poller', {
      entry: POLLER_ENTRY,
      description: (
        `sentinel-watch poller: ${names.length} deployment${names.length === 1 ? '' : 's'}` +
        `${config.shards > 1 ? ` in ${config.shards} shards` : ''} (${names.join(', ')})`
      ).slice(0, 256),
      timeout: Duration.seconds(config.pollerTimeoutSeconds),
      memorySize: config.memorySize,
      environment: { ...watcherEnvironment(table, topic, drillKey) },
      bundledFiles: bundledConfig(config),
      logRetentionDays: config.logRetentionDays,
      network: { vpc: network.vpc, subnets: network.subnets, securityGroup: network.securityGroup },
      reservedConcurrency: config.reservedConcurrency ?? undefined,
      // A missed or failed tick is not worth replaying: the next one polls afresh.
      async: { retryAttempts: 0, maxEventAge: Duration.seconds(60) },
    });
    this.function = this.watcher.function;
    table.grantReadWrite(this.watcher.role);
    topic.grantPublish(this.watcher.role);
    this.watcher.grantReadSecrets(config.passwordSecretGrants, config.secretsKmsKeyArns);
    drillKey.grantRead(this.watcher.role);

    for (let first = 0; first < config.shards; first += TARGETS_PER_RULE) {
      const shards = Array.from(
        { length: Math.min(TARGETS_PER_RULE, config.shards - first) },
        (_, i) => first + i,
      );
      const n = first / TARGETS_PER_RULE;
      this.schedules.push(
        // The first rule keeps its id from before shards existed, so an upgrade does not replace it.
        new events.Rule(this, n === 0 ? 'Schedule' : `Schedule${n + 1}`, {
          description:
            `sentinel-watch poller, every ${config.scheduleMinutes} minute(s)` +
            (config.shards > 1 ? `, shards ${shards[0]}-${shards[shards.length - 1]}` : ''),
          schedule: events.Schedule.rate(Duration.minutes(config.scheduleMinutes)),
          targets: shards.map(
            (shard) =>
              new targets.LambdaFunction(this.watcher.function, {
                event: events.RuleTargetInput.fromObject({ shard }),
                retryAttempts: 0,
              }),
          ),
        }),
      );
    }
  }
}
