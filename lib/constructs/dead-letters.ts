// Where failed deliveries end, and the alarms that say so. A dead-letter queue is read by a person (an
// alarm fires on its depth), never by a consumer, so it has no redrive policy of its own (a DLQ for the
// DLQ would only move the same messages again) and cdk-nag's "a queue without a DLQ" checks do not
// apply: acknowledged here, once, with that reason. SQS-managed encryption lets SNS and Lambda write to
// it with no KMS grant.

import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export function deadLetterQueue(scope: Construct, id: string, whose: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const reason =
    `This queue is ${whose} dead-letter queue: the end of the line for deliveries that failed after ` +
    'their retries, read by a person (an alarm fires on its depth), never by a consumer. A redrive ' +
    'policy would need a dead-letter queue for the dead-letter queue, which only moves the same ' +
    'messages again.';
  Validations.of(queue).acknowledge(
    { id: 'Serverless-SQSRedrivePolicy', reason },
    { id: 'AwsSolutions-SQS3', reason },
  );
  return queue;
}

export interface AnyInFiveMinutesProps {
  readonly alarmName: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  /** Told when it fires and when it is OK again. */
  readonly topic: sns.ITopic;
}

/** An alarm on any datapoint ≥ 1 within 5 minutes (no data: OK). */
export function alarmOnAny(scope: Construct, id: string, props: AnyInFiveMinutesProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(props.topic));
  alarm.addOkAction(new actions.SnsAction(props.topic));
  return alarm;
}

/** The most messages waiting in a queue within 5 minutes. */
export const queueDepth = (queue: sqs.IQueue): cloudwatch.IMetric =>
  queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
