// The wiring every notifier handler shares: Powertools logging, the presentation settings from the
// environment (validated at cold start), AWS clients with deadlines (aws-clients.ts), the delivery
// records in the watcher's table, and the invocation's end from the Lambda context. Each handler file
// only says which channel it builds.

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { AWS_LIMITS, clientConfig } from '../adapters/aws-clients';
import { DeliveryLedger } from '../adapters/delivery-ledger';
import { createDocumentClient } from '../adapters/dynamo-store';
import type { PostOptions } from '../adapters/http-post';
import { CachedSecretSource } from '../adapters/secrets';
import { loadPresentation } from '../core/notify/presentation';
import type { Clock, SecretSource } from '../core/ports';

export { secretArnFromEnv, tableNameFromEnv } from './env';

import { type Channel, type Ledger, type NotifyLog, type NotifyResult, notifyRecords } from './run';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Kept free at the end of an invocation: the delivery record's write (one DynamoDB call, its whole
 * deadline), and the logs. No try or wait of a delivery starts that would end after it.
 */
export const END_RESERVE_MS = AWS_LIMITS.dynamodb.callTimeoutMs + 500;

/** What tests replace: where the secret comes from, how posting retries and waits, the records. */
export interface NotifierDeps {
  readonly secrets: SecretSource;
  readonly post: PostOptions;
  /** Where deliveries are recorded; null: none (each invocation sends what it is given). */
  readonly ledger: Ledger | null;
  readonly clock: Clock;
}

/** Where a notifier keeps its delivery records: its channel prefix in the watcher's table. */
export interface LedgerSettings {
  /** `slack`, `pagerduty`, `webhook-<name>` (the CDK grants `DELIVERY#<channel>#` only). */
  readonly channel: string;
  /** `SNAPSHOT_TABLE_NAME`. */
  readonly tableName: string;
}

let secretsManager: SecretsManagerClient | null = null;

/**
 * The secret source (one client per process, its values cached 5 minutes) reading these JSON keys
 * (null: the whole value), and the delivery ledger, unless overridden. Clients are only built for what
 * is not overridden.
 */
export function notifierDeps(
  jsonKeys: readonly string[] | null,
  ledger: LedgerSettings,
  overrides: Partial<NotifierDeps>,
): NotifierDeps {
  const secrets = overrides.secrets ?? cachedSecrets(jsonKeys);
  const records =
    overrides.ledger !== undefined
      ? overrides.ledger
      : new DeliveryLedger({
          client: createDocumentClient(clientConfig(AWS_LIMITS.dynamodb)),
          tableName: ledger.tableName,
          channel: ledger.channel,
          callTimeoutMs: AWS_LIMITS.dynamodb.callTimeoutMs,
        });
  return { post: {}, clock: Date.now, ...overrides, secrets, ledger: records };
}

function cachedSecrets(jsonKeys: readonly string[] | null): SecretSource {
  secretsManager ??= new SecretsManagerClient(clientConfig(AWS_LIMITS.secretsManager));
  return new CachedSecretSource({
    client: secretsManager,
    jsonKeys,
    callTimeoutMs: AWS_LIMITS.secretsManager.callTimeoutMs,
  });
}

export function notifierHandler(
  serviceName: string,
  channel: () => Channel,
  deps: NotifierDeps,
  env: Env = process.env,
) {
  const presentation = loadPresentation(env);
  const logger = new Logger({ serviceName });
  const log: NotifyLog = {
    info: (message, data) => logger.info(message, data ?? {}),
    warn: (message, data) => logger.warn(message, data ?? {}),
    error: (message, data) => logger.error(message, data ?? {}),
  };
  const built = channel();
  return middy<SNSEvent, NotifyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const remaining = context.getRemainingTimeInMillis?.() ?? 30_000;
      return notifyRecords(
        event,
        { presentation, channel: built, log, ledger: deps.ledger, clock: deps.clock },
        {
          endsAt: deps.clock() + remaining,
          owner: context.awsRequestId ?? `local-${process.pid}`,
          reserveMs: END_RESERVE_MS,
        },
      );
    });
}
