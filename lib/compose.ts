// The two halves every layout is built from, each added straight into a stack so that construct ids
// (and so CloudFormation logical ids) are the same in every layout:
//   - the alerting half: the table, the alert topic (with its key) and the notifier-alarm topic, the
//     notifiers (Slack, PagerDuty, webhooks) and the on-call policy;
//   - the watcher half: the network (and VPC endpoints), the poller, the drill and their monitoring.
// Every message links the runbook and a dashboard, in the team's time zone (the presentation): the
// poller and the drill get the dashboard of their own stack; the notifiers the dashboard of theirs,
// when it has one (the single stack), none in a fleet's alerting stack (one dashboard per watcher).
// SentinelWatchStack holds both; a fleet across VPCs or accounts has one AlertingStack and one
// WatcherStack per VPC (lib/fleet-stacks.ts). A new notifier belongs in addAlertingParts.

import { Aws, CfnOutput, Fn, type Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Presentation } from '../lambdas/core/notify/presentation';
import { assignShards } from '../lambdas/core/shard';
import { WatcherAlerting } from './constructs/alerting';
import { Drill } from './constructs/drill';
import { DrillKey } from './constructs/drill-key';
import { WatcherMonitoring } from './constructs/monitoring';
import { WatcherNetwork } from './constructs/network';
import { presentationEnvironment } from './constructs/notifier';
import { type NotifierSettings, Notifiers } from './constructs/notifiers';
import { OnCallAccess } from './constructs/on-call-access';
import { type AlertTopic, Poller, type SnapshotTable } from './constructs/poller';
import {
  acknowledgeDrillInvocation,
  acknowledgePollerSchedule,
  acknowledgeTracing,
} from './constructs/serverless-acks';
import { WatcherStorage } from './constructs/storage';
import { WatcherEndpoints } from './constructs/vpc-endpoints';
import type { AlertEmail, StackConfig } from './stack-config';

/** The team's runbook and time zone: the presentation without the dashboard (each stack has its own). */
export type PresentationSettings = Pick<Presentation, 'runbookBaseUrl'> & {
  readonly alertTimeZone: string | null;
};

export interface AlertingSettings extends NotifierSettings, PresentationSettings {
  readonly alertEmails: readonly AlertEmail[];
  readonly logRetentionDays: number;
  readonly tableEncryption: 'aws-managed' | 'customer-managed';
  /** Roles that get the on-call policy (lib/constructs/on-call-access.ts). */
  readonly onCallRoleArns: readonly string[];
}

export interface AlertingParts {
  readonly storage: WatcherStorage;
  readonly alerting: WatcherAlerting;
  readonly notifiers: Notifiers;
  /** What the on-call commands may do with the table and the topic. */
  readonly onCall: OnCallAccess;
  readonly table: SnapshotTable;
  readonly topic: AlertTopic;
}

/**
 * The alerting half. `dashboardUrl`: the dashboard the notifiers' messages link (null: none, as in a
 * fleet's alerting stack, which has no dashboard).
 */
export function addAlertingParts(
  stack: Stack,
  settings: AlertingSettings,
  dashboardUrl: string | null,
): AlertingParts {
  const storage = new WatcherStorage(stack, 'Storage', { encryption: settings.tableEncryption });
  const alerting = new WatcherAlerting(stack, 'Alerting', { emails: settings.alertEmails });
  const notifiers = new Notifiers(stack, 'Notifiers', {
    config: settings,
    alerting,
    storage,
    presentation: presentationOf(settings, dashboardUrl),
  });
  acknowledgeTracing(notifiers.all.map((n) => n.function));
  const onCall = new OnCallAccess(stack, 'OnCall', { storage, alerting, roleArns: settings.onCallRoleArns });
  // The doctor reads the depth of every dead-letter queue.
  onCall.allowQueues([...notifiers.all.map((n) => n.deadLetters), alerting.emailDeadLetters]);
  return {
    storage,
    alerting,
    notifiers,
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
  /** The notifiers, when in the same stack: graphed on the dashboard. */
  readonly notifiers: readonly { readonly label: string; readonly function: lambda.IFunction }[];
  /** Alarms made elsewhere in the same stack (the notifiers' own, email), shown on the dashboard. */
  readonly otherAlarms: readonly cloudwatch.IAlarm[];
  /** The runbook and time zone the poller's and the drill's messages use. */
  readonly presentation: PresentationSettings;
}

/** The notifiers of an alerting half, as the watcher half's monitoring shows them. */
export function notifierLinks(parts: AlertingParts): Pick<WatcherLinks, 'notifiers' | 'otherAlarms'> {
  const all = parts.notifiers.all;
  return {
    notifiers: all.map((n) => ({ label: n.node.id.toLowerCase(), function: n.function })),
    otherAlarms: [...all.flatMap((n) => n.alarms), parts.alerting.emailUndelivered],
  };
}

/**
 * The stack's dashboard: its name is set, so that its URL is known before it exists (the messages link
 * it, and the dashboard's widgets name the functions: no dependency cycle).
 */
export function dashboardOf(stack: Stack): { readonly name: string; readonly url: string } {
  const name = Fn.join('-', [stack.stackName, Aws.REGION]);
  const url = Fn.join('', [
    'https://',
    Aws.REGION,
    '.console.aws.amazon.com/cloudwatch/home?region=',
    Aws.REGION,
    '#dashboards:name=',
    name,
  ]);
  return { name, url };
}

function presentationOf(settings: PresentationSettings, dashboardUrl: string | null): Presentation {
  return { runbookBaseUrl: settings.runbookBaseUrl, dashboardUrl, timeZone: settings.alertTimeZone };
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
  const dashboard = dashboardOf(stack);
  // The poller writes the email text, the drill its report: both link the runbook and this dashboard.
  const presentation = presentationOf(links.presentation, dashboard.url);
  for (const [name, value] of Object.entries(presentationEnvironment(presentation))) {
    poller.watcher.function.addEnvironment(name, value);
    drill.watcher.function.addEnvironment(name, value);
  }
  acknowledgeTracing([poller.function, drill.function]);
  acknowledgePollerSchedule(poller.function, poller.schedules);
  acknowledgeDrillInvocation(drill.function);
  const monitoring = new WatcherMonitoring(stack, 'Monitoring', {
    topic: links.alarmTopic,
    poller: poller.function,
    pollerLogGroup: poller.watcher.logGroup,
    drill: drill.function,
    notifiers: links.notifiers,
    otherAlarms: links.otherAlarms,
    dashboardName: dashboard.name,
    deployments: config.deployments,
    shardSizes: assignShards(config.deployments, config.shards).map((s) => s.length),
    detailedMetrics: config.detailedMetrics,
    scheduleMinutes: config.scheduleMinutes,
    noSuccessMinutes: config.noSuccessMinutes,
    pollerTimeoutSeconds: config.pollerTimeoutSeconds,
  });
  return { network, endpoints, poller, drill, drillKey, monitoring };
}

/**
 * AlertTopicArn, SnapshotTableName, NotifierAlarmTopicArn, and what `sentinel-watch doctor` reads of
 * the notifiers (cli/aws/stack.ts): every `...FunctionName` output is a function whose errors it counts,
 * every `...DlqUrl` output a dead-letter queue whose depth it reads.
 */
export function addAlertingOutputs(stack: Stack, parts: AlertingParts): void {
  new CfnOutput(stack, 'AlertTopicArn', {
    description: 'SNS topic of every alert (subscribe more endpoints here)',
    value: parts.alerting.topic.topicArn,
  });
  new CfnOutput(stack, 'SnapshotTableName', {
    description: 'DynamoDB table of snapshots, incident state and drill reports',
    value: parts.storage.table.tableName,
  });
  if (parts.alerting.notifierAlarmTopic) {
    new CfnOutput(stack, 'NotifierAlarmTopicArn', {
      description: "Topic of the notifiers' own alarms (email only, never the notifiers themselves)",
      value: parts.alerting.notifierAlarmTopic.topicArn,
    });
  }
  for (const n of parts.notifiers.all) {
    const id = n.node.id.replace(/[^A-Za-z0-9]/g, '');
    new CfnOutput(stack, `${id}FunctionName`, {
      description: `The ${n.node.id} notifier Lambda function`,
      value: n.function.functionName,
    });
    new CfnOutput(stack, `${id}DlqUrl`, {
      description: `Deliveries the ${n.node.id} notifier gave up on (kept 14 days)`,
      value: n.deadLetters.queueUrl,
    });
  }
  new CfnOutput(stack, 'EmailDlqUrl', {
    description: 'Alert emails SNS gave up on (kept 14 days)',
    value: parts.alerting.emailDeadLetters.queueUrl,
  });
}

/** DrillFunctionName, WatcherSecurityGroupId, DashboardUrl and DrillCommand. */
export function addWatcherOutputs(stack: Stack, parts: WatcherParts, config: StackConfig): void {
  new CfnOutput(stack, 'DrillFunctionName', {
    description: 'The failover drill Lambda function (invoke-only)',
    value: parts.drill.function.functionName,
  });
  new CfnOutput(stack, 'DrillDryRunAliasArn', {
    description:
      "The drill function's dry-run alias: grant a pipeline lambda:InvokeFunction on this ARN only (see docs/drill.md)",
    value: parts.drill.dryRun.functionArn,
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
    value: dashboardOf(stack).url,
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
      ` --qualifier dry-run --cli-binary-format raw-in-base64-out --cli-read-timeout ${config.drillTimeoutSeconds + 30}`,
      ` --payload '{"dryRun":true}' drill-report.json`,
    ]),
  });
}
