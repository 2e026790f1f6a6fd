// The Slack notifier Lambda, subscribed to the alert topic: middy wiring only. Each SNS record is
// rendered (core/slack-message.ts) and posted to the incoming webhook whose URL is kept in Secrets
// Manager (`SLACK_WEBHOOK_SECRET_ARN`: the URL as plain text, or JSON `{"webhookUrl": "..."}` /
// `{"url": "..."}`). A post that still fails after its retries fails the invocation, so Lambda's own
// retries (and the function's failure destination, if any) take over.

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { CachedSecretSource } from '../adapters/secrets';
import { postToSlack, type SlackPostOptions } from '../adapters/slack-webhook';
import { ConfigError } from '../core/errors';
import type { SecretSource } from '../core/ports';
import { slackMessage } from '../core/slack-message';
import { requiredEnv } from '../poller/settings';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

export function loadSlackSettings(env: Readonly<Record<string, string | undefined>>): { secretArn: string } {
  const secretArn = requiredEnv(env, 'SLACK_WEBHOOK_SECRET_ARN');
  if (!SECRET_ARN.test(secretArn)) {
    throw new ConfigError('SLACK_WEBHOOK_SECRET_ARN', `"${secretArn}" is not a Secrets Manager secret ARN`);
  }
  return { secretArn };
}

const settings = loadSlackSettings(process.env);
const logger = new Logger({ serviceName: 'sentinel-watch-slack' });
const secretsManager = new SecretsManagerClient({});

export interface SlackDeps {
  readonly secrets: SecretSource;
  readonly post: Omit<SlackPostOptions, 'onRetry'>;
}

export interface SlackResult {
  readonly posted: number;
}

export function createSlackHandler(overrides: Partial<SlackDeps> = {}) {
  const deps: SlackDeps = {
    secrets: new CachedSecretSource({ client: secretsManager, jsonKeys: ['webhookUrl', 'url'] }),
    post: {},
    ...overrides,
  };
  return middy<SNSEvent, SlackResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const url = await deps.secrets.getSecret(settings.secretArn);
      let posted = 0;
      for (const record of event.Records ?? []) {
        const sns = record.Sns;
        const attributes = Object.fromEntries(
          Object.entries(sns.MessageAttributes ?? {}).map(([k, v]) => [k, String(v.Value)]),
        );
        const payload = slackMessage({ subject: sns.Subject ?? '', body: sns.Message ?? '', attributes });
        const context = {
          messageId: sns.MessageId,
          code: attributes.code,
          deployment: attributes.deployment,
        };
        const attempts = await postToSlack(url, payload, {
          ...deps.post,
          onRetry: (info) => logger.warn('Slack webhook busy or failing; retrying', { ...context, ...info }),
        });
        logger.info('posted to Slack', { ...context, attempts });
        posted++;
      }
      return { posted };
    });
}

export const handler = createSlackHandler();
