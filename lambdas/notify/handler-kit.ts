// The wiring every notifier handler shares: Powertools logging, the presentation settings from the
// environment (validated at cold start), and the deadline from the Lambda context. Each handler file
// only says which channel it builds.

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { ConfigError } from '../core/errors';
import { loadPresentation } from '../core/notify/presentation';
import { type Channel, DEADLINE_MARGIN_MS, type NotifyLog, type NotifyResult, notifyRecords } from './run';

type Env = Readonly<Record<string, string | undefined>>;

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
