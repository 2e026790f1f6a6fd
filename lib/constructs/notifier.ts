// One notifier: a Lambda outside the VPC (it talks to Slack, PagerDuty or a webhook on the internet, not
// to Redis), subscribed to the alert topic, reading its one secret. Nothing it fails to deliver is lost
// silently:
//   - SNS → Lambda: a delivery SNS cannot make (throttling, a missing permission) goes, by the
//     subscription's redrive policy, to the notifier's dead-letter queue;
//   - Lambda → endpoint: an event whose invocation failed three times (the first try and Lambda's two
//     retries) goes to the same queue, as the raw event (DLQ, replayable as is) and as an invocation
//     record with the error (on-failure destination).
// One alert, one delivery: it keeps a record per SNS message in the watcher's table, under its own key
// prefix (the only items its role may touch), so that SNS's and Lambda's retries never send twice.
// Two alarms watch it: errors of the function, and anything in its queue. They publish to the
// notifier-alarm topic, never to the alert topic: a notifier that fails on its own alarm's message
// would otherwise feed itself a new alarm each time the last one clears (the loop).

import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_KEY_PREFIX } from '../../lambdas/adapters/delivery-ledger';
import { PRESENTATION_ENV, type Presentation } from '../../lambdas/core/notify/presentation';
import type { Severity } from '../../lambdas/core/types';
import { severityFilter, type WatcherAlerting } from './alerting';
import { alarmOnAny, deadLetterQueue, queueDepth } from './dead-letters';
import type { WatcherStorage } from './storage';
import { WatcherFunction } from './watcher-function';

export interface NotifierProps {
  /** `slack`, `pagerduty`, `webhook-<name>`: names the alarms. */
  readonly name: string;
  /** Its delivery records' channel (lambdas/notify/env.ts LEDGER_CHANNELS). */
  readonly ledgerChannel: string;
  readonly entry: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly secretArn: string;
  readonly secretsKmsKeyArns: readonly string[];
  readonly alerting: WatcherAlerting;
  readonly storage: WatcherStorage;
  /** Null: every alert. The watcher's own alarms (no severity attribute) always pass. */
  readonly severities: readonly Severity[] | null;
  readonly presentation: Presentation;
  readonly logRetentionDays: number;
}

/** Environment variables of the presentation settings (lambdas/core/notify/presentation.ts). */
export function presentationEnvironment(p: Presentation): Record<string, string> {
  return {
    ...(p.runbookBaseUrl ? { [PRESENTATION_ENV.runbookBaseUrl]: p.runbookBaseUrl } : {}),
    ...(p.dashboardUrl ? { [PRESENTATION_ENV.dashboardUrl]: p.dashboardUrl } : {}),
    ...(p.timeZone ? { [PRESENTATION_ENV.timeZone]: p.timeZone } : {}),
  };
}

export class Notifier extends Construct {
  readonly watcher: WatcherFunction;
  readonly function: lambda.IFunction;
  readonly deadLetters: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: NotifierProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters', `the ${props.name} notifier's`);

    this.watcher = new WatcherFunction(this, 'Function', {
      entry: props.entry,
      description: props.description,
      // Every invocation ends before this by design (lambdas/adapters/http-post.ts: no try of 10 s
      // starts that could not end before the delivery record's 5.5 s); docs/aws.md has the arithmetic.
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: {
        ...presentationEnvironment(props.presentation),
        ...props.environment,
        SNAPSHOT_TABLE_NAME: props.storage.table.tableName,
      },
      logRetentionDays: props.logRetentionDays,
      // SNS invokes asynchronously: Lambda retries a failed delivery twice (about 1 and 3 minutes later),
      // within the hour. Safe: the delivery record stops a message from being sent twice, and the
      // retries are what waits out an endpoint that asked for more time than one invocation has.
      async: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
      deadLetters: { queue: this.deadLetters, onFailure: new destinations.SqsDestination(this.deadLetters) },
    });
    this.function = this.watcher.function;
    this.watcher.grantReadSecrets([props.secretArn], props.secretsKmsKeyArns);
    props.storage.grantItemsUnder(
      this.watcher.role,
      'DeliveryRecords',
      `${DELIVERY_KEY_PREFIX}${props.ledgerChannel}#`,
    );
    props.alerting.topic.addSubscription(
      new subscriptions.LambdaSubscription(this.watcher.function, {
        filterPolicy: props.severities ? severityFilter(props.severities) : undefined,
        deadLetterQueue: this.deadLetters,
      }),
    );

    const prefix = `${Stack.of(this).stackName}-${props.name}`;
    const topic = props.alerting.notifierAlarmTopic;
    if (!topic) throw new Error('a notifier needs the notifier-alarm topic (WatcherAlerting notifierAlarms)');
    this.alarms = [
      alarmOnAny(this, 'Errors', {
        alarmName: `${prefix}-errors`,
        description:
          `The sentinel-watch ${props.name} notifier failed to deliver an alert (Lambda retries twice, then ` +
          'the alert goes to its dead-letter queue). Read its log group: a revoked webhook or routing key ' +
          'answers 403/404/400 there.',
        metric: this.watcher.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        topic,
      }),
      alarmOnAny(this, 'Undelivered', {
        alarmName: `${prefix}-undelivered`,
        description:
          `Alerts the sentinel-watch ${props.name} notifier could not deliver are waiting in its dead-letter ` +
          'queue (kept 14 days). Fix the cause (the errors alarm, the log group), then read them from the ' +
          'queue; docs/aws.md says how to replay them.',
        metric: queueDepth(this.deadLetters),
        topic,
      }),
    ];
  }
}
