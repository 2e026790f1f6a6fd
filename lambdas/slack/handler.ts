// The Slack notifier Lambda, subscribed to the alert topic: wiring only (lambdas/slack/channel.ts does
// the work). The incoming webhook's URL is in Secrets Manager (`SLACK_WEBHOOK_SECRET_ARN`: the URL as
// plain text, or JSON `{"webhookUrl": "..."}` / `{"url": "..."}`); `SLACK_MENTION` says who a critical
// page mentions (`@here` by default, `none` for nobody).

import { loadPresentation } from '../core/notify/presentation';
import { parseSlackMention } from '../core/slack-message';
import { type NotifierDeps, notifierDeps, notifierHandler, secretArnFromEnv } from '../notify/handler-kit';
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

export function createSlackHandler(overrides: Partial<NotifierDeps> = {}) {
  const deps = notifierDeps(['webhookUrl', 'url'], overrides);
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
