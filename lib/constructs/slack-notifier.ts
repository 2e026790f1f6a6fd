// The Slack notifier, only when a webhook secret is configured: subscribed to the alert topic, posts
// each alert to the incoming webhook whose URL it reads from its one secret. It runs outside the VPC
// (Slack is on the internet, the Redis servers are not its business).

import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { WatcherAlerting } from './alerting';
import { WatcherFunction } from './watcher-function';

export const SLACK_ENTRY = 'lambdas/slack/handler.ts';

export interface SlackNotifierProps {
  readonly webhookSecretArn: string;
  readonly alerting: WatcherAlerting;
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
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { SLACK_WEBHOOK_SECRET_ARN: props.webhookSecretArn },
      logRetentionDays: props.logRetentionDays,
      // SNS invokes asynchronously: Lambda retries a failed post twice, within the hour.
      async: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
    });
    this.function = this.watcher.function;
    this.watcher.grantReadSecrets([props.webhookSecretArn], props.secretsKmsKeyArns);
    props.alerting.topic.addSubscription(new subscriptions.LambdaSubscription(this.watcher.function));
  }
}
