// One managed policy with exactly what the on-call commands call, so that a team grants "on-call for
// this stack" by attaching one policy (or listing roles in `onCallRoleArns`):
//   - silence add/list/remove: PutItem/UpdateItem/Query on the table, writes limited to the SILENCES
//     partition (dynamodb:LeadingKeys). This is the only way to write a silence: nothing in Redis can.
//   - history and doctor: Query/GetItem on the table (snapshots, silences).
//   - test-alert: Publish to the alert topic (and the topic key, through SNS only).
//   - doctor: DescribeStacks of this stack, ListSubscriptionsByTopic of the topic, DescribeAlarms of the
//     stack's alarms (named `<stack>-...`), GetMetricData, GetQueueAttributes of queues registered with
//     allowQueues (the notifiers' dead-letter queues).

import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SILENCE_PARTITION } from '../../lambdas/adapters/dynamo-silences';
import { ConfigError } from '../../lambdas/core/errors';
import type { WatcherAlerting } from './alerting';
import type { WatcherStorage } from './storage';

export interface OnCallAccessProps {
  readonly storage: WatcherStorage;
  readonly alerting: WatcherAlerting;
  /** Roles of the same account to attach the policy to. */
  readonly roleArns: readonly string[];
}

export class OnCallAccess extends Construct {
  readonly policy: iam.ManagedPolicy;
  /** The alarm names the doctor reads: every alarm of the stack is named with this prefix. */
  readonly alarmPrefix: string;

  constructor(scope: Construct, id: string, props: OnCallAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.alarmPrefix = `${stack.stackName}-`;
    const table = props.storage.table.tableArn;

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `sentinel-watch on-call for stack ${stack.stackName}: silences, history, test-alert, doctor`,
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteSilencesOnly',
          actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [table],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [SILENCE_PARTITION] } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadTable',
          actions: ['dynamodb:Query', 'dynamodb:GetItem'],
          resources: [table],
        }),
        new iam.PolicyStatement({
          sid: 'PublishTestAlerts',
          actions: ['sns:Publish', 'sns:ListSubscriptionsByTopic'],
          resources: [props.alerting.topic.topicArn],
        }),
        new iam.PolicyStatement({
          sid: 'AlertTopicKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.alerting.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'DescribeThisStack',
          actions: ['cloudformation:DescribeStacks'],
          resources: [stack.stackId],
        }),
        new iam.PolicyStatement({
          sid: 'ThisStacksAlarms',
          actions: ['cloudwatch:DescribeAlarms'],
          resources: [
            stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${this.alarmPrefix}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ReadMetrics',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
        }),
      ],
    });
    // cdk-nag names a finding by the resource as synthesized, with unresolved tokens in angle brackets.
    const shown = (value: string, token: string) => (Token.isUnresolved(value) ? `<${token}>` : value);
    const alarms = `arn:${shown(stack.partition, 'AWS::Partition')}:cloudwatch:${shown(stack.region, 'AWS::Region')}:${shown(stack.account, 'AWS::AccountId')}:alarm:${this.alarmPrefix}*`;
    Validations.of(this.policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only cloudwatch:GetMetricData, which supports no resource-level permission (it reads any ' +
          "metric named in the request; the doctor asks for the errors of this stack's functions and " +
          'the failed deliveries of its topic). Every other statement of this policy names its resources.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${alarms}]`,
        reason:
          'cloudwatch:DescribeAlarms on the alarms of this stack only: they are all named with the ' +
          'stack name as prefix (lib/constructs/monitoring.ts), which the doctor lists them by. ' +
          'Read-only: alarm state and reason.',
      },
    );
    if (props.storage.key) {
      this.policy.addStatements(
        new iam.PolicyStatement({
          sid: 'TableKey',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [props.storage.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    props.roleArns.forEach((arn, i) => {
      // A managed policy attaches to roles of its own account only; say so at synth when both are known.
      const account = arn.split(':')[4];
      if (!Token.isUnresolved(stack.account) && account !== stack.account) {
        throw new ConfigError(
          `onCallRoleArns[${i}]`,
          `${arn} is in account ${account}, but the stack deploys to ${stack.account}`,
        );
      }
      this.policy.attachToRole(iam.Role.fromRoleArn(this, `Role${i}`, arn, { mutable: false }));
    });
  }

  /** Lets the doctor read the depth of these queues (the notifiers' dead-letter queues). */
  allowQueues(queues: readonly sqs.IQueue[]): void {
    if (queues.length === 0) return;
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['sqs:GetQueueAttributes'],
        resources: queues.map((q) => q.queueArn),
      }),
    );
  }
}
