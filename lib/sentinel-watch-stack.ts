// The whole watcher in one stack: network (and VPC endpoints when the subnets have no NAT), storage,
// alert topic, poller, drill, notifiers (Slack, PagerDuty, webhooks: when configured) and the watcher's
// own monitoring.

import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WatcherAlerting } from './constructs/alerting';
import { Drill } from './constructs/drill';
import { WatcherMonitoring } from './constructs/monitoring';
import { WatcherNetwork } from './constructs/network';
import { presentationEnvironment } from './constructs/notifier';
import { Notifiers } from './constructs/notifiers';
import { OnCallAccess } from './constructs/on-call-access';
import { Poller } from './constructs/poller';
import {
  acknowledgeDrillInvocation,
  acknowledgePollerSchedule,
  acknowledgeTracing,
} from './constructs/serverless-acks';
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
  readonly notifiers: Notifiers;
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
    const common = { config, network: this.network, storage: this.storage, alerting: this.alerting };
    this.poller = new Poller(this, 'Poller', common);
    this.drill = new Drill(this, 'Drill', common);
    // Every message links the runbook and this dashboard, in the team's time zone: the poller writes
    // the email text, the notifiers the rest. The dashboard's name is set here so its URL is known
    // before it exists (the dashboard's widgets name the functions: no dependency cycle).
    const dashboardName = Fn.join('-', [this.stackName, Aws.REGION]);
    const dashboardUrl = Fn.join('', [
      'https://',
      Aws.REGION,
      '.console.aws.amazon.com/cloudwatch/home?region=',
      Aws.REGION,
      '#dashboards:name=',
      dashboardName,
    ]);
    const presentation = {
      runbookBaseUrl: config.runbookBaseUrl,
      dashboardUrl,
      timeZone: config.alertTimeZone,
    };
    for (const [name, value] of Object.entries(presentationEnvironment(presentation))) {
      this.poller.watcher.function.addEnvironment(name, value);
      this.drill.watcher.function.addEnvironment(name, value);
    }
    this.notifiers = new Notifiers(this, 'Notifiers', {
      config,
      alerting: this.alerting,
      storage: this.storage,
      presentation,
    });

    acknowledgeTracing([
      this.poller.function,
      this.drill.function,
      ...this.notifiers.all.map((n) => n.function),
    ]);
    acknowledgePollerSchedule(this.poller.function, this.poller.schedule);
    acknowledgeDrillInvocation(this.drill.function);

    this.monitoring = new WatcherMonitoring(this, 'Monitoring', {
      topic: this.alerting.topic,
      poller: this.poller.function,
      drill: this.drill.function,
      notifiers: this.notifiers.all.map((n) => ({ label: n.node.id.toLowerCase(), function: n.function })),
      otherAlarms: [...this.notifiers.all.flatMap((n) => n.alarms), this.alerting.emailUndelivered],
      dashboardName,
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
    // The doctor reads the depth of every dead-letter queue.
    this.onCall.allowQueues([
      ...this.notifiers.all.map((n) => n.deadLetters),
      this.alerting.emailDeadLetters,
    ]);
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
    new CfnOutput(this, 'WatcherSecurityGroupId', {
      description: 'Security group of the poller and the drill: allow it into the Redis security group',
      value: this.network.securityGroup.securityGroupId,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard of the watcher',
      value: dashboardUrl,
    });
    new CfnOutput(this, 'NotifierAlarmTopicArn', {
      description: "Topic of the notifiers' own alarms (email only, never the notifiers themselves)",
      value: this.alerting.notifierAlarmTopic.topicArn,
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
        ` --cli-binary-format raw-in-base64-out --cli-read-timeout ${config.drillTimeoutSeconds + 30}`,
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
    for (const n of this.notifiers.all) {
      const id = n.node.id.replace(/[^A-Za-z0-9]/g, '');
      new CfnOutput(this, `${id}FunctionName`, {
        description: `The ${n.node.id} notifier Lambda function`,
        value: n.function.functionName,
      });
      new CfnOutput(this, `${id}DlqUrl`, {
        description: `Deliveries the ${n.node.id} notifier gave up on (kept 14 days)`,
        value: n.deadLetters.queueUrl,
      });
    }
    new CfnOutput(this, 'EmailDlqUrl', {
      description: 'Alert emails SNS gave up on (kept 14 days)',
      value: this.alerting.emailDeadLetters.queueUrl,
    });
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
