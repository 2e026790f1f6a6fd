// The failover drill: same network, environment and permissions as the poller, but no schedule and a
// longer timeout. It runs only when someone invokes it (`aws lambda invoke`, see the stack outputs),
// and is never retried by Lambda: a drill forces a real failover.

import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { StackConfig } from '../stack-config';
import type { WatcherAlerting } from './alerting';
import type { DrillKey } from './drill-key';
import type { WatcherNetwork } from './network';
import { watcherEnvironment } from './poller';
import type { WatcherStorage } from './storage';
import { WatcherFunction } from './watcher-function';

export const DRILL_ENTRY = 'lambdas/drill/handler.ts';
/** The alias that only dry-runs (the handler refuses anything else through it): grant pipelines this. */
export const DRY_RUN_ALIAS = 'dry-run';

export interface DrillProps {
  readonly config: StackConfig;
  readonly network: WatcherNetwork;
  readonly storage: WatcherStorage;
  readonly alerting: WatcherAlerting;
  readonly drillKey: DrillKey;
}

export class Drill extends Construct {
  readonly watcher: WatcherFunction;
  readonly function: lambda.IFunction;
  /** `<function>:dry-run`: IAM on this qualified ARN alone lets a principal dry-run but not fail over. */
  readonly dryRun: lambda.Alias;

  constructor(scope: Construct, id: string, props: DrillProps) {
    super(scope, id);
    const { config, network, storage, alerting, drillKey } = props;
    this.watcher = new WatcherFunction(this, 'Drill', {
      entry: DRILL_ENTRY,
      description:
        'sentinel-watch failover drill: {"deployment"?, "dryRun": true} or {"deployment"?, "confirm": "<deployment>", ...}',
      timeout: Duration.seconds(config.drillTimeoutSeconds),
      memorySize: config.memorySize,
      environment: { ...watcherEnvironment(config, storage, alerting, drillKey) },
      logRetentionDays: config.logRetentionDays,
      network: { vpc: network.vpc, subnets: network.subnets, securityGroup: network.securityGroup },
      // If someone invokes it asynchronously, a failed drill must not be started again by Lambda.
      async: { retryAttempts: 0, maxEventAge: Duration.seconds(60) },
    });
    this.function = this.watcher.function;
    this.dryRun = new lambda.Alias(this, 'DryRun', {
      aliasName: DRY_RUN_ALIAS,
      version: this.watcher.function.currentVersion,
      description: 'Dry runs only: the handler refuses a failover invoked through this alias',
    });
    storage.grantReadWrite(this.watcher.role);
    alerting.grantPublish(this.watcher.role);
    this.watcher.grantReadSecrets(config.passwordSecretArns, config.secretsKmsKeyArns);
    drillKey.grantRead(this.watcher.role);
  }
}
