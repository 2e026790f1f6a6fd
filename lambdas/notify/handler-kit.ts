// The wiring every notifier handler shares: Powertools logging, the presentation settings from the
// environment (validated at cold start), and the deadline from the Lambda context. Each handler file
// only says which channel it builds.

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import type { PostOptions } from '../adapters/http-post';
import { CachedSecretSource } from '../adapters/secrets';
import { ConfigError } from '../core/errors';
import { loadPresentation } from '../core/notify/presentation';
import type { SecretSource } from '../core/ports';
import { type Channel, DEADLINE_MARGIN_MS, type NotifyLog, type NotifyResult, notifyRecords } from './run';

type Env = Readonly<Record<string, string | undefined>>;

/** What tests replace: where the secret comes from, and how posting retries and waits. */
export interface NotifierDeps {
  readonly secrets: SecretSource;
  readonly post: PostOptions;
}

let secretsManager: SecretsManagerClient | null = null;

/**
 * The secret source (one client per process, its values cached 5 minutes) reading these JSON keys
 * (null: the whole value), unless overridden.
 */
export function notifierDeps(
  jsonKeys: readonly string[] | null,
  overrides: Partial<NotifierDeps>,
): NotifierDeps {
  secretsManager ??= new SecretsManagerClient({});
  return { secrets: new CachedSecretSource({ client: secretsManager, jsonKeys }), post: {}, ...overrides };
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** A required Secrets Manager ARN from the environment; the error names the variable. */
export function secretArnFromEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is not set');
  if (!SECRET_ARN.test(value)) throw new ConfigError(name, `"${value}" is not a Secrets Manager secret ARN`);
  return value;
}

export function notifierHandler(serviceName: string, channel: () => Channel, env: Env = process.env) {
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
        { presentation, channel: built, log },
        Date.now() + remaining - DEADLINE_MARGIN_MS,
      );
    });
}
