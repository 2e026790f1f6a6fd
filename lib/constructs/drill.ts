// The failover drill: same network, environment and permissions as the poller, but no schedule and a
// longer timeout. It runs only when someone invokes it (`aws lambda invoke`, see the stack outputs),
// and is never retried by Lambda: a drill forces a real failover.

import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { StackConfig } from '../stack-config';
import type { DrillKey } from './drill-key';
import type { WatcherNetwork } from './network';
import { type AlertTopic, bundledConfig, type SnapshotTable, watcherEnvironment } from './poller';
import { WatcherFunction } from './watcher-function';

export const DRILL_ENTRY = 'lambdas/drill/handler.ts';

export interface DrillProps {
  readonly config: StackConfig;
  readonly network: WatcherNetwork;
  readonly table: SnapshotTable;
  readonly topic: AlertTopic;
  readonly drillKey: DrillKey;
}

export class Drill extends Construct {
  readonly watcher: WatcherFunction;
  readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: DrillProps) {
    super(scope, id);
    const { config, network, table, topic, drillKey } = props;
    this.watcher = new WatcherFunction(this, 'Drill', {
      entry: DRILL_ENTRY,
      description: 'sentinel-watch failover drill: invoke with {"deployment"?, "dryRun"?, "failback"?}',
      timeout: Duration.seconds(config.drillTimeoutSeconds),
      memorySize: config.memorySize,
      environment: { ...watcherEnvironment(table, topic, drillKey) },
      bundledFiles: bundledConfig(config),
      logRetentionDays: config.logRetentionDays,
      network: { vpc: network.vpc, subnets: network.subnets, securityGroup: network.securityGroup },
      // If someone invokes it asynchronously, a failed drill must not be started again by Lambda.
      async: { retryAttempts: 0, maxEventAge: Duration.seconds(60) },
    });
    this.function = this.watcher.function;
    table.grantReadWrite(this.watcher.role);
    topic.grantPublish(this.watcher.role);
    this.watcher.grantReadSecrets(config.passwordSecretGrants, config.secretsKmsKeyArns);
    drillKey.grantRead(this.watcher.role);
  }
}
