// The Slack notifier Lambda, subscribed to the alert topic: wiring only (lambdas/slack/channel.ts does
// the work). The incoming webhook's URL is in Secrets Manager (`SLACK_WEBHOOK_SECRET_ARN`: the URL as
// plain text, or JSON `{"webhookUrl": "..."}` / `{"url": "..."}`); `SLACK_MENTION` says who a critical
// page mentions (`@here` by default, `none` for nobody).

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PostOptions } from '../adapters/http-post';
import { CachedSecretSource } from '../adapters/secrets';
import { loadPresentation } from '../core/notify/presentation';
import type { SecretSource } from '../core/ports';
import { parseSlackMention } from '../core/slack-message';
import { notifierHandler, secretArnFromEnv } from '../notify/handler-kit';
import { slackChannel } from './channel';

type Env = Readonly<Record<string, string | undefined>>;

export function loadSlackSettings(env: Env) {
  return {
    secretArn: secretArnFromEnv(env, 'SLACK_WEBHOOK_SECRET_ARN'),
    mention: parseSlackMention(env.SLACK_MENTION?.trim() || '@here', 'SLACK_MENTION'),
    timeZone: loadPresentation(env).timeZone,
  };
}

const settings = loadSlackSettings(process.env);
const secretsManager = new SecretsManagerClient({});

export interface SlackDeps {
  readonly secrets: SecretSource;
  readonly post: PostOptions;
}

export function createSlackHandler(overrides: Partial<SlackDeps> = {}) {
  const deps: SlackDeps = {
    secrets: new CachedSecretSource({ client: secretsManager, jsonKeys: ['webhookUrl', 'url'] }),
    post: {},
    ...overrides,
  };
  return notifierHandler('sentinel-watch-slack', () =>
    slackChannel({
      secrets: deps.secrets,
      secretArn: settings.secretArn,
      slack: { mention: settings.mention, timeZone: settings.timeZone },
      post: deps.post,
    }),
  );
}

export const handler = createSlackHandler();
