// A generic webhook notifier Lambda (one per configured webhook), subscribed to the alert topic: wiring
// only (channel.ts does the work). `WEBHOOK_NAME` names it in logs; `WEBHOOK_SECRET_ARN` holds
// `{"url", "signingSecret", "headers"?}` as JSON; `SNAPSHOT_TABLE_NAME` holds the delivery records.

import { ConfigError } from '../core/errors';
import { LEDGER_CHANNELS, secretArnFromEnv, tableNameFromEnv } from '../notify/env';
import { type NotifierDeps, notifierDeps, notifierHandler } from '../notify/handler-kit';
import { webhookChannel } from './channel';

type Env = Readonly<Record<string, string | undefined>>;

export function loadWebhookSettings(env: Env) {
  const name = env.WEBHOOK_NAME?.trim() ?? '';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) {
    throw new ConfigError('WEBHOOK_NAME', `${JSON.stringify(name)} is not 1-32 letters, digits, "_" or "-"`);
  }
  return { name, secretArn: secretArnFromEnv(env, 'WEBHOOK_SECRET_ARN'), tableName: tableNameFromEnv(env) };
}

const settings = loadWebhookSettings(process.env);

export function createWebhookHandler(overrides: Partial<NotifierDeps> = {}) {
  const deps = notifierDeps(
    null,
    { channel: LEDGER_CHANNELS.webhook(settings.name), tableName: settings.tableName },
    overrides,
  );
  return notifierHandler(
    'sentinel-watch-webhook',
    () =>
      webhookChannel({
        name: settings.name,
        secretArn: settings.secretArn,
        secrets: deps.secrets,
        post: deps.post,
      }),
    deps,
  );
}

export const handler = createWebhookHandler();
