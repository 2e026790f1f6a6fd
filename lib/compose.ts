// The two halves every layout is built from, each added straight into a stack so that construct ids
// (and so CloudFormation logical ids) are the same in every layout:
//   - the alerting half: the table, the alert topic (with its key), the notifiers and the on-call
//     policy;
//   - the watcher half: the network (and VPC endpoints), the poller, the drill and their monitoring.
// SentinelWatchStack holds both; a fleet across VPCs or accounts has one AlertingStack and one
// WatcherStack per VPC (lib/fleet-stacks.ts). A new notifier belongs in addAlertingParts.

import { Aws, CfnOutput, Fn, type Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { assignShards } from '../lambdas/core/shard';
import { WatcherAlerting } from './constructs/alerting';
import { Drill } from './constructs/drill';
import { DrillKey } from './constructs/drill-key';
import { WatcherMonitoring } from './constructs/monitoring';
import { WatcherNetwork } from './constructs/network';
import { OnCallAccess } from './constructs/on-call-access';
import { type AlertTopic, Poller, type SnapshotTable } from './constructs/poller';
import { SlackNotifier } from './constructs/slack-notifier';
import { WatcherStorage } from './constructs/storage';
import { WatcherEndpoints } from './constructs/vpc-endpoints';
import type { AlertEmail, StackConfig } from './stack-config';

export interface AlertingSettings {
  readonly alertEmails: readonly AlertEmail[];
  readonly slackWebhookSecretArn: string | null;
  readonly secretsKmsKeyArns: readonly string[];
  readonly logRetentionDays: number;
  readonly tableEncryption: 'aws-managed' | 'customer-managed';
  /** Roles that get the on-call policy (lib/constructs/on-call-access.ts). */
  readonly onCallRoleArns: readonly string[];
}

export interface AlertingParts {
  readonly storage: WatcherStorage;
  readonly alerting: WatcherAlerting;
  readonly slack: SlackNotifier | null;
  /** What the on-call commands may do with the table and the topic. */
  readonly onCall: OnCallAccess;
  readonly table: SnapshotTable;
  readonly topic: AlertTopic;
}

export function addAlertingParts(stack: Stack, settings: AlertingSettings): AlertingParts {
  const storage = new WatcherStorage(stack, 'Storage', { encryption: settings.tableEncryption });
  const alerting = new WatcherAlerting(stack, 'Alerting', { emails: settings.alertEmails });
  const slack = settings.slackWebhookSecretArn
    ? new SlackNotifier(stack, 'Slack', {
        webhookSecretArn: settings.slackWebhookSecretArn,
        alerting,
        storage,
        logRetentionDays: settings.logRetentionDays,
        secretsKmsKeyArns: settings.secretsKmsKeyArns,
      })
    : null;
  const onCall = new OnCallAccess(stack, 'OnCall', { storage, alerting, roleArns: settings.onCallRoleArns });
  return {
    storage,
    alerting,
    slack,
    onCall,
    table: {
      tableName: storage.table.tableName,
      grantReadWrite: (grantee) => storage.grantReadWrite(grantee),
    },
    topic: {
      topicArn: alerting.topic.topicArn,
      grantPublish: (grantee) => alerting.grantPublish(grantee),
    },
  };
}

export interface WatcherParts {
  readonly network: WatcherNetwork;
  readonly endpoints: WatcherEndpoints | null;
  readonly poller: Poller;
  readonly drill: Drill;
  /** Signs the drills' locks in Redis; only the poller and the drill of this watcher read it. */
  readonly drillKey: DrillKey;
  readonly monitoring: WatcherMonitoring;
}

export interface WatcherLinks {
  readonly table: SnapshotTable;
  readonly topic: AlertTopic;
  /** Where the watcher's own CloudWatch alarms go. */
  readonly alarmTopic: sns.ITopic;
  /** The Slack notifier, when in the same stack (its errors alarm goes with the watcher's). */
  readonly slack: lambda.IFunction | null;
}

export function addWatcherParts(stack: Stack, config: StackConfig, links: WatcherLinks): WatcherParts {
  const network = new WatcherNetwork(stack, 'Network', {
    vpc: config.vpc,
    redisPorts: config.redisPorts,
    redisSecurityGroupId: config.redisSecurityGroupId,
    redisCidrs: config.redisCidrs,
  });
  // 'auto': on where the subnets are known to have no NAT; with explicit subnets that cannot be
  // known at synth, so on (set vpcEndpoints: false when the subnets have a NAT or endpoints already).
  const wantEndpoints = config.vpcEndpoints === 'auto' ? (network.isolated ?? true) : config.vpcEndpoints;
  const endpoints = wantEndpoints
    ? new WatcherEndpoints(stack, 'Endpoints', {
        vpc: network.vpc,
        subnets: network.subnets,
        clients: network.securityGroup,
      })
    : null;
  const drillKey = new DrillKey(stack, 'DrillKey');
  const common = { config, network, table: links.table, topic: links.topic, drillKey };
  const poller = new Poller(stack, 'Poller', common);
  const drill = new Drill(stack, 'Drill', common);
  const monitoring = new WatcherMonitoring(stack, 'Monitoring', {
    topic: links.alarmTopic,
    poller: poller.function,
    pollerLogGroup: poller.watcher.logGroup,
    drill: drill.function,
    slack: links.slack,
    deployments: config.deployments,
    shardSizes: assignShards(config.deployments, config.shards).map((s) => s.length),
    detailedMetrics: config.detailedMetrics,
    scheduleMinutes: config.scheduleMinutes,
    noSuccessMinutes: config.noSuccessMinutes,
    pollerTimeoutSeconds: config.pollerTimeoutSeconds,
  });
  return { network, endpoints, poller, drill, drillKey, monitoring };
}

/** AlertTopicArn and SnapshotTableName. */
export function addAlertingOutputs(stack: Stack, topicArn: string, tableName: string): void {
  new CfnOutput(stack, 'AlertTopicArn', {
    description: 'SNS topic of every alert (subscribe more endpoints here)',
    value: topicArn,
  });
  new CfnOutput(stack, 'SnapshotTableName', {
    description: 'DynamoDB table of snapshots, incident state and drill reports',
    value: tableName,
  });
}

/** DrillFunctionName, WatcherSecurityGroupId, DashboardUrl and DrillCommand. */
export function addWatcherOutputs(stack: Stack, parts: WatcherParts, config: StackConfig): void {
  new CfnOutput(stack, 'DrillFunctionName', {
    description: 'The failover drill Lambda function (invoke-only)',
    value: parts.drill.function.functionName,
  });
  new CfnOutput(stack, 'DrillKeySecretArn', {
    description:
      'The drill key (signs drill locks). A CLI drill the poller should report as info needs it in SENTINEL_WATCH_DRILL_KEY',
    value: parts.drillKey.secret.secretArn,
  });
  new CfnOutput(stack, 'WatcherSecurityGroupId', {
    description: 'Security group of the poller and the drill: allow it into the Redis security group',
    value: parts.network.securityGroup.securityGroupId,
  });
  new CfnOutput(stack, 'DashboardUrl', {
    description: 'CloudWatch dashboard of the watcher',
    value: Fn.join('', [
      'https://',
      Aws.REGION,
      '.console.aws.amazon.com/cloudwatch/home?region=',
      Aws.REGION,
      '#dashboards:name=',
      parts.monitoring.dashboard.dashboardName,
    ]),
  });
  // --cli-read-timeout: a drill takes minutes, and the CLI would otherwise give up after 60 s and
  // invoke it again.
  new CfnOutput(stack, 'DrillCommand', {
    description: 'Dry-run a failover drill (checks only, no failover); the report lands in drill-report.json',
    value: Fn.join('', [
      'aws lambda invoke --region ',
      Aws.REGION,
      ' --function-name ',
      parts.drill.function.functionName,
      ` --cli-binary-format raw-in-base64-out --cli-read-timeout ${config.drillTimeoutSeconds + 30}`,
      ` --payload '{"dryRun":true}' drill-report.json`,
    ]),
  });
}
