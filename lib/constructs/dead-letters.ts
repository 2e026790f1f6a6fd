// Dead-letter queues are where failed deliveries end: nothing consumes them but a person, so they have
// no redrive policy of their own (a DLQ for the DLQ would only move the same messages again), and
// cdk-nag's checks for "a queue without a DLQ" do not apply. Acknowledged here, once, with that reason.

import { Validations } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

export function acknowledgeDeadLetterQueue(queue: sqs.Queue, whose: string): void {
  const reason =
    `This queue is ${whose} dead-letter queue: the end of the line for deliveries that failed after ` +
    'their retries, read by a person (an alarm fires on its depth), never by a consumer. A redrive ' +
    'policy would need a dead-letter queue for the dead-letter queue, which only moves the same ' +
    'messages again.';
  Validations.of(queue).acknowledge(
    { id: 'Serverless-SQSRedrivePolicy', reason },
    { id: 'AwsSolutions-SQS3', reason },
  );
}
