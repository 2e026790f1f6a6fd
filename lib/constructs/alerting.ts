// The alert topic: everything the poller and the drill announce, and the watcher's own alarms.
// Encrypted with a customer-managed key (rotated yearly) whose policy lets CloudWatch alarms publish,
// HTTPS only, with email subscriptions that may keep to some severities.

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Severity } from '../../lambdas/core/types';
import type { AlertEmail } from '../stack-config';

export interface WatcherAlertingProps {
  readonly emails: readonly AlertEmail[];
}

export class WatcherAlerting extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

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

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'sentinel-watch',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy enforceSSL writes replaces SNS's default one, which let CloudWatch publish.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: alarmSource,
      }),
    );

    for (const email of props.emails) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(email.address, {
          filterPolicy: email.severities ? severityFilter(email.severities) : undefined,
        }),
      );
    }
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
