// The Slack notifier Lambda, subscribed to the alert topic: wiring only (lambdas/slack/channel.ts does
// the work, lambdas/notify/run.ts keeps one alert to one message across SNS's and Lambda's retries).
// The incoming webhook's URL is in Secrets Manager (`SLACK_WEBHOOK_SECRET_ARN`: the URL as plain text,
// or JSON `{"webhookUrl": "..."}` / `{"url": "..."}`); `SLACK_MENTION` says who a critical page
// mentions (`@here` by default, `none` for nobody); `SNAPSHOT_TABLE_NAME` holds the delivery records.
//
// Time: everything ends before the function's timeout. The post gets the invocation's remaining time
// less what the delivery record needs (one DynamoDB call), and starts no try it could not finish.

import { type NotifierDeps, notifierDeps, notifierHandler } from '../notify/handler-kit';
import { slackChannel } from './channel';
import { loadSlackSettings, SLACK_CHANNEL } from './settings';

export { END_RESERVE_MS } from '../notify/handler-kit';
export { loadSlackSettings } from './settings';

const settings = loadSlackSettings(process.env);

export function createSlackHandler(overrides: Partial<NotifierDeps> = {}) {
  const deps = notifierDeps(
    ['webhookUrl', 'url'],
    { channel: SLACK_CHANNEL, tableName: settings.tableName },
    overrides,
  );
  return notifierHandler(
    'sentinel-watch-slack',
    () =>
      slackChannel({
        secrets: deps.secrets,
        secretArn: settings.secretArn,
        slack: { mention: settings.mention, timeZone: settings.timeZone },
        post: deps.post,
      }),
    deps,
  );
}

export const handler = createSlackHandler();
