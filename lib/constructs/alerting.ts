// The alert topic: everything the poller and the drill announce, and the watcher's own alarms.
// Encrypted with a customer-managed key (rotated yearly) whose policy lets CloudWatch alarms publish,
// HTTPS only, with email subscriptions that may keep to some severities.
//
// A second topic, for the notifiers' own alarms (lib/constructs/notifier.ts), reaches every email
// address and nothing else: a notifier must never receive the alarm about itself (the loop). Email
// deliveries SNS gives up on land in a dead-letter queue, whose alarm goes to the alert topic (the
// notifiers then say that email is failing).

import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Severity } from '../../lambdas/core/types';
import type { AlertEmail } from '../stack-config';
import { alarmOnAny, deadLetterQueue, queueDepth } from './dead-letters';

export interface WatcherAlertingProps {
  readonly emails: readonly AlertEmail[];
  /**
   * False where no notifier is (a fleet's watcher stack in another account, whose topic only carries
   * its own alarms): no notifier-alarm topic, so no second confirmation email per address.
   */
  readonly notifierAlarms?: boolean;
}

export class WatcherAlerting extends Construct {
  readonly topic: sns.Topic;
  /** The notifiers' own alarms: email only (null with `notifierAlarms: false`). */
  readonly notifierAlarmTopic: sns.Topic | null;
  readonly key: kms.Key;
  /** Email deliveries SNS gave up on (both topics). */
  readonly emailDeadLetters: sqs.Queue;
  readonly emailUndelivered: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WatcherAlertingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const alarmSource = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
      },
    };

    this.key = new kms.Key(this, 'TopicKey', {
      description: 'sentinel-watch alert topic',
      enableKeyRotation: true,
    });
    // An alarm action publishes as CloudWatch, which must be able to use the topic's key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToAlertTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    const topic = (id: string, displayName: string) => {
      const t = new sns.Topic(this, id, { displayName, masterKey: this.key, enforceSSL: true });
      // The topic policy enforceSSL writes replaces SNS's default one, which let CloudWatch publish.
      t.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [t.topicArn],
          conditions: alarmSource,
        }),
      );
      return t;
    };
    this.topic = topic('Topic', 'sentinel-watch');
    this.notifierAlarmTopic =
      props.notifierAlarms === false ? null : topic('NotifierAlarmTopic', 'sentinel-watch notifier alarms');

    this.emailDeadLetters = deadLetterQueue(this, 'EmailDeadLetters', "the email subscriptions'");
    for (const email of props.emails) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(email.address, {
          filterPolicy: email.severities ? severityFilter(email.severities) : undefined,
          deadLetterQueue: this.emailDeadLetters,
        }),
      );
      this.notifierAlarmTopic?.addSubscription(
        new subscriptions.EmailSubscription(email.address, { deadLetterQueue: this.emailDeadLetters }),
      );
    }
    this.emailUndelivered = alarmOnAny(this, 'EmailUndelivered', {
      alarmName: `${stack.stackName}-email-undelivered`,
      description:
        'SNS gave up delivering sentinel-watch alerts to an email address (the address bounces, or its ' +
        'subscription was deleted): they are in the email dead-letter queue. Check the subscriptions.',
      metric: queueDepth(this.emailDeadLetters),
      topic: this.topic,
    });
  }

  /** Publish to the topic (sns:Publish plus the key use SNS encryption needs), nothing else. */
  grantPublish(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AlertTopicKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

/**
 * Alerts of the given severities, plus messages without a `severity` attribute: the watcher's own
 * CloudWatch alarms, which carry none and must reach everyone.
 */
export function severityFilter(severities: readonly Severity[]): Record<string, sns.SubscriptionFilter> {
  return {
    $or: new sns.SubscriptionFilter([{ severity: [...severities] }, { severity: [{ exists: false }] }]),
  };
}
