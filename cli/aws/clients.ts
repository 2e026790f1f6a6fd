// The AWS clients of `test-alert` and `doctor`, each with a real deadline (aws-clients.ts: per attempt
// with throwOnRequestTimeout, and per call with an abort signal the callers pass). Region and
// credentials come from the SDK's default chain unless --region is given; AWS_ENDPOINT_URL_<SERVICE>
// points a client elsewhere (the tests' local stand-ins).

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWS_LIMITS, type AwsCallLimits, clientConfig } from '../../lambdas/adapters/aws-clients';
import { createDocumentClient } from '../../lambdas/adapters/dynamo-store';

/** An operator's terminal, possibly far from the region: the same patience as `history`. */
export const CLI_AWS_LIMITS: AwsCallLimits = AWS_LIMITS.cliDynamodb;

export interface OnCallClients {
  readonly cloudformation: CloudFormationClient;
  readonly sns: SNSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBDocumentClient;
  destroy(): void;
}

export function onCallClients(region: string | undefined): OnCallClients {
  const config = { ...clientConfig(CLI_AWS_LIMITS), ...(region ? { region } : {}) };
  const clients = {
    cloudformation: new CloudFormationClient(config),
    // A Publish that timed out may have gone through: one attempt, so a test alert is not sent twice.
    sns: new SNSClient({ ...config, ...clientConfig({ ...CLI_AWS_LIMITS, maxAttempts: 1 }) }),
    cloudwatch: new CloudWatchClient(config),
    sqs: new SQSClient(config),
    dynamo: createDocumentClient(config),
  };
  return {
    ...clients,
    destroy: () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}
