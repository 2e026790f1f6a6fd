// The Slack notifier, only when a webhook secret is configured: subscribed to the alert topic, posts
// each alert to the incoming webhook whose URL it reads from its one secret. It runs outside the VPC
// (Slack is on the internet, the Redis servers are not its business). It keeps one delivery record
// per SNS message in the watcher's table, under its own key prefix, so that SNS's and Lambda's
// retries never post an alert twice.

import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DELIVERY_KEY_PREFIX } from '../../lambdas/adapters/delivery-ledger';
import { SLACK_CHANNEL } from '../../lambdas/slack/settings';
import type { WatcherAlerting } from './alerting';
import type { WatcherStorage } from './storage';
import { WatcherFunction } from './watcher-function';

export const SLACK_ENTRY = 'lambdas/slack/handler.ts';

export interface SlackNotifierProps {
  readonly webhookSecretArn: string;
  readonly alerting: WatcherAlerting;
  readonly storage: WatcherStorage;
  readonly logRetentionDays: number;
  readonly secretsKmsKeyArns: readonly string[];
}

export class SlackNotifier extends Construct {
  readonly watcher: WatcherFunction;
  readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: SlackNotifierProps) {
    super(scope, id);
    this.watcher = new WatcherFunction(this, 'Slack', {
      entry: SLACK_ENTRY,
      description: 'sentinel-watch: posts alerts from the topic to Slack',
      // Every invocation ends before this by design (lambdas/slack/handler.ts: no try starts that
      // could not end in time); docs/aws.md has the arithmetic.
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: {
        SLACK_WEBHOOK_SECRET_ARN: props.webhookSecretArn,
        SNAPSHOT_TABLE_NAME: props.storage.table.tableName,
      },
      logRetentionDays: props.logRetentionDays,
      // SNS invokes asynchronously: Lambda retries a failed invocation twice (about 1 and 3 minutes
      // later), within the hour. Safe: the delivery record stops a message from being posted twice,
      // and the retries are what waits out a Slack that asked for more time than one invocation has.
      async: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
    });
    this.function = this.watcher.function;
    this.watcher.grantReadSecrets([props.webhookSecretArn], props.secretsKmsKeyArns);
    props.storage.grantItemsUnder(
      this.watcher.role,
      'SlackDeliveryRecords',
      `${DELIVERY_KEY_PREFIX}${SLACK_CHANNEL}#`,
    );
    props.alerting.topic.addSubscription(new subscriptions.LambdaSubscription(this.watcher.function));
  }
}
