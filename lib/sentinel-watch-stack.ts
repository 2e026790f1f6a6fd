// The whole watcher in one stack: network (and VPC endpoints when the subnets have no NAT), storage,
// alert topic, poller, drill, Slack notifier (when configured) and the watcher's own monitoring.
// Deployments in several VPCs or accounts use lib/fleet-stacks.ts instead (same parts, lib/compose.ts).

import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { addAlertingOutputs, addAlertingParts, addWatcherOutputs, addWatcherParts } from './compose';
import type { WatcherAlerting } from './constructs/alerting';
import type { Drill } from './constructs/drill';
import type { WatcherMonitoring } from './constructs/monitoring';
import type { WatcherNetwork } from './constructs/network';
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
  readonly slack: SlackNotifier | null;
  readonly monitoring: WatcherMonitoring;

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
    ({ storage: this.storage, alerting: this.alerting, slack: this.slack } = shared);
    ({
      network: this.network,
      endpoints: this.endpoints,
      poller: this.poller,
      drill: this.drill,
      monitoring: this.monitoring,
    } = watcher);

    addAlertingOutputs(this, this.alerting.topic.topicArn, this.storage.table.tableName);
    addWatcherOutputs(this, watcher, config);
  }
}
