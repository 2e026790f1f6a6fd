// The whole watcher in one stack: network (and VPC endpoints when the subnets have no NAT), storage,
// alert topic, poller, drill, Slack notifier (when configured) and the watcher's own monitoring.
// Deployments in several VPCs or accounts use lib/fleet-stacks.ts instead (same parts, lib/compose.ts).

import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { addAlertingOutputs, addAlertingParts, addWatcherOutputs, addWatcherParts } from './compose';
import type { WatcherAlerting } from './constructs/alerting';
import type { Drill } from './constructs/drill';
import type { DrillKey } from './constructs/drill-key';
import type { WatcherMonitoring } from './constructs/monitoring';
import type { WatcherNetwork } from './constructs/network';
import type { OnCallAccess } from './constructs/on-call-access';
import type { Poller } from './constructs/poller';
import type { SlackNotifier } from './constructs/slack-notifier';
import type { WatcherStorage } from './constructs/storage';
import type { WatcherEndpoints } from './constructs/vpc-endpoints';
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
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);

    const shared = addAlertingParts(this, config);
    const watcher = addWatcherParts(this, config, {
      table: shared.table,
      topic: shared.topic,
      alarmTopic: shared.alerting.topic,
      slack: shared.slack?.function ?? null,
    });
    ({ storage: this.storage, alerting: this.alerting, slack: this.slack, onCall: this.onCall } = shared);
    ({
      network: this.network,
      endpoints: this.endpoints,
      poller: this.poller,
      drill: this.drill,
      drillKey: this.drillKey,
      monitoring: this.monitoring,
    } = watcher);

    addAlertingOutputs(this, this.alerting.topic.topicArn, this.storage.table.tableName);
    addWatcherOutputs(this, watcher, config);
    this.addOnCallOutputs(config);
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
