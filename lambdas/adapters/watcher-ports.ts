// The AWS side of the poller and the drill: the store on the watcher's table, the publisher on its
// topic and the secret source, every client with its deadlines (aws-clients.ts). The clients are
// made once per cold start (warm invocations reuse their connections); the adapters around them per
// handler, so that a handler built with overrides starts with an empty secret cache.

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWS_LIMITS, type AwsCallLimits, clientConfig } from './aws-clients';
import { createDocumentClient, DynamoStore } from './dynamo-store';
import { CachedSecretSource } from './secrets';
import { SnsAlertPublisher } from './sns-publisher';

export interface WatcherClients {
  readonly sns: SNSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly documentClient: DynamoDBDocumentClient;
  /** The publish limits the SNS client was made with. */
  readonly publish: AwsCallLimits;
}

/** `publish`: the poller publishes once per call (its outbox retries), the drill lets the SDK retry. */
export function watcherClients(publish: AwsCallLimits): WatcherClients {
  return {
    sns: new SNSClient(clientConfig(publish)),
    secretsManager: new SecretsManagerClient(clientConfig(AWS_LIMITS.secretsManager)),
    documentClient: createDocumentClient(clientConfig(AWS_LIMITS.dynamodb)),
    publish,
  };
}

export function watcherPorts(
  clients: WatcherClients,
  where: { tableName: string; topicArn: string },
  options: { readonly secretTtlMs?: number } = {},
) {
  return {
    store: new DynamoStore({
      client: clients.documentClient,
      tableName: where.tableName,
      callTimeoutMs: AWS_LIMITS.dynamodb.callTimeoutMs,
    }),
    publisher: new SnsAlertPublisher({
      client: clients.sns,
      topicArn: where.topicArn,
      callTimeoutMs: clients.publish.callTimeoutMs,
    }),
    secrets: new CachedSecretSource({
      client: clients.secretsManager,
      callTimeoutMs: AWS_LIMITS.secretsManager.callTimeoutMs,
      ...(options.secretTtlMs === undefined ? {} : { ttlMs: options.secretTtlMs }),
    }),
  };
}
