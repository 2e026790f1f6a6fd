// The whole watcher in one stack: network (and VPC endpoints when the subnets have no NAT), storage,
// alert topic, poller, drill, Slack notifier (when configured) and the watcher's own monitoring.

import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WatcherAlerting } from './constructs/alerting';
import { Drill } from './constructs/drill';
import { DrillKey } from './constructs/drill-key';
import { WatcherMonitoring } from './constructs/monitoring';
import { WatcherNetwork } from './constructs/network';
import { OnCallAccess } from './constructs/on-call-access';
import { Poller } from './constructs/poller';
import { SlackNotifier } from './constructs/slack-notifier';
import { WatcherStorage } from './constructs/storage';
import { WatcherEndpoints } from './constructs/vpc-endpoints';
import type { StackConfig } from './stack-config';

export interface SentinelWatchStackProps extends StackProps {
  readonly config: StackConfig;
}

export class SentinelWatchStack extends Stack {
  readonly network: WatcherNetwork;
  readonly endpoints: WatcherEndpoints | null;
  readonly storage: WatcherStorage;
  readonly alerting: WatcherAlerting;
  readonly poller: Poller;
  readonly drill: Drill;
  readonly drillKey: DrillKey;
  readonly slack: SlackNotifier | null;
  readonly monitoring: WatcherMonitoring;
  readonly onCall: OnCallAccess;

  constructor(scope: Construct, id: string, props: SentinelWatchStackProps) {
    super(scope, id, {
      description: 'sentinel-watch: watches self-managed Redis Sentinel deployments from inside the VPC',
      ...props,
    });
    const { config } = props;

    this.network = new WatcherNetwork(this, 'Network', {
      vpc: config.vpc,
      redisPorts: config.redisPorts,
      redisSecurityGroupId: config.redisSecurityGroupId,
      redisCidrs: config.redisCidrs,
    });
    // 'auto': on where the subnets are known to have no NAT; with explicit subnets that cannot be
    // known at synth, so on (set vpcEndpoints: false when the subnets have a NAT or endpoints already).
    const wantEndpoints =
      config.vpcEndpoints === 'auto' ? (this.network.isolated ?? true) : config.vpcEndpoints;
    this.endpoints = wantEndpoints
      ? new WatcherEndpoints(this, 'Endpoints', {
          vpc: this.network.vpc,
          subnets: this.network.subnets,
          clients: this.network.securityGroup,
        })
      : null;

    this.storage = new WatcherStorage(this, 'Storage', { encryption: config.tableEncryption });
    this.alerting = new WatcherAlerting(this, 'Alerting', { emails: config.alertEmails });
    this.drillKey = new DrillKey(this, 'DrillKey');
    const common = {
      config,
      network: this.network,
      storage: this.storage,
      alerting: this.alerting,
      drillKey: this.drillKey,
    };
    this.poller = new Poller(this, 'Poller', common);
    this.drill = new Drill(this, 'Drill', common);
    this.slack = config.slackWebhookSecretArn
      ? new SlackNotifier(this, 'Slack', {
          webhookSecretArn: config.slackWebhookSecretArn,
          alerting: this.alerting,
          storage: this.storage,
          logRetentionDays: config.logRetentionDays,
          secretsKmsKeyArns: config.secretsKmsKeyArns,
        })
      : null;

    this.monitoring = new WatcherMonitoring(this, 'Monitoring', {
      topic: this.alerting.topic,
      poller: this.poller.function,
      drill: this.drill.function,
      slack: this.slack?.function ?? null,
      deployments: config.deployments,
      scheduleMinutes: config.scheduleMinutes,
      noSuccessMinutes: config.noSuccessMinutes,
      pollerTimeoutSeconds: config.pollerTimeoutSeconds,
    });

    this.onCall = new OnCallAccess(this, 'OnCall', {
      storage: this.storage,
      alerting: this.alerting,
      roleArns: config.onCallRoleArns,
    });
    this.addOnCallOutputs(config);

    new CfnOutput(this, 'AlertTopicArn', {
      description: 'SNS topic of every alert (subscribe more endpoints here)',
      value: this.alerting.topic.topicArn,
    });
    new CfnOutput(this, 'SnapshotTableName', {
      description: 'DynamoDB table of snapshots, incident state and drill reports',
      value: this.storage.table.tableName,
    });
    new CfnOutput(this, 'DrillFunctionName', {
      description: 'The failover drill Lambda function (invoke-only)',
      value: this.drill.function.functionName,
    });
    new CfnOutput(this, 'DrillDryRunAliasArn', {
      description:
        "The drill function's dry-run alias: grant a pipeline lambda:InvokeFunction on this ARN only (see docs/drill.md)",
      value: this.drill.dryRun.functionArn,
    });
    new CfnOutput(this, 'DrillKeySecretArn', {
      description:
        'The drill key (signs drill locks). A CLI drill the poller should report as info needs it in SENTINEL_WATCH_DRILL_KEY',
      value: this.drillKey.secret.secretArn,
    });
    new CfnOutput(this, 'WatcherSecurityGroupId', {
      description: 'Security group of the poller and the drill: allow it into the Redis security group',
      value: this.network.securityGroup.securityGroupId,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard of the watcher',
      value: Fn.join('', [
        'https://',
        Aws.REGION,
        '.console.aws.amazon.com/cloudwatch/home?region=',
        Aws.REGION,
        '#dashboards:name=',
        this.monitoring.dashboard.dashboardName,
      ]),
    });
    // --cli-read-timeout: a drill takes minutes, and the CLI would otherwise give up after 60 s and
    // invoke it again.
    new CfnOutput(this, 'DrillCommand', {
      description:
        'Dry-run a failover drill (checks only, no failover); the report lands in drill-report.json',
      value: Fn.join('', [
        'aws lambda invoke --region ',
        Aws.REGION,
        ' --function-name ',
        this.drill.function.functionName,
        ` --qualifier dry-run --cli-binary-format raw-in-base64-out --cli-read-timeout ${config.drillTimeoutSeconds + 30}`,
        ` --payload '{"dryRun":true}' drill-report.json`,
      ]),
    });
  }

  /**
   * What `sentinel-watch doctor` and `test-alert` read of the stack (cli/aws/stack.ts): every
   * `...FunctionName` output is a function whose errors the doctor counts, every `...DlqUrl` output a
   * dead-letter queue whose depth it reads.
   */
  private addOnCallOutputs(config: StackConfig): void {
    new CfnOutput(this, 'DeploymentNames', {
      description: 'The deployments this stack watches, comma-separated (sentinel-watch doctor checks each)',
      value: config.deployments.map((d) => d.name).join(','),
    });
    new CfnOutput(this, 'PollerFunctionName', {
      description: 'The poller Lambda function',
      value: this.poller.function.functionName,
    });
    if (this.slack) {
      new CfnOutput(this, 'SlackFunctionName', {
        description: 'The Slack notifier Lambda function',
        value: this.slack.function.functionName,
      });
    }
    new CfnOutput(this, 'DashboardName', {
      description: 'The CloudWatch dashboard of the watcher',
      value: this.monitoring.dashboard.dashboardName,
    });
    new CfnOutput(this, 'PollerNoSuccessMinutes', {
      description: 'A deployment whose newest snapshot is older than this is not watched (doctor)',
      value: String(config.noSuccessMinutes),
    });
    new CfnOutput(this, 'AlarmNamePrefix', {
      description: 'Every alarm of the watcher is named with this prefix (doctor reads their state)',
      value: this.onCall.alarmPrefix,
    });
    new CfnOutput(this, 'OnCallPolicyArn', {
      description: 'Managed policy for on-call engineers: silence, history, test-alert, doctor (docs/aws.md)',
      value: this.onCall.policy.managedPolicyArn,
    });
  }
}
