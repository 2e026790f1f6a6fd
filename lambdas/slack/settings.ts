// The Slack notifier's environment, validated once at cold start; every error names the variable.
// Apart from the handler so that the CDK can read the channel name without the handler's cold start.

import { loadPresentation } from '../core/notify/presentation';
import { parseSlackMention, type SlackMention } from '../core/slack-message';
import { LEDGER_CHANNELS, secretArnFromEnv, tableNameFromEnv } from '../notify/env';

/** Its delivery records' channel (lambdas/adapters/delivery-ledger.ts); the CDK grants this prefix only. */
export const SLACK_CHANNEL = LEDGER_CHANNELS.slack;

export interface SlackSettings {
  /** `SLACK_WEBHOOK_SECRET_ARN`: the webhook URL, as plain text or JSON `{"webhookUrl": "..."}`. */
  readonly secretArn: string;
  /** `SNAPSHOT_TABLE_NAME`: the watcher's table, where the delivery records are kept. */
  readonly tableName: string;
  /** `SLACK_MENTION`: who a critical page mentions (`@here` by default, `none` for nobody). */
  readonly mention: SlackMention;
  /** `ALERT_TIME_ZONE` (presentation.ts). */
  readonly timeZone: string | null;
}

export function loadSlackSettings(env: Readonly<Record<string, string | undefined>>): SlackSettings {
  return {
    secretArn: secretArnFromEnv(env, 'SLACK_WEBHOOK_SECRET_ARN'),
    tableName: tableNameFromEnv(env),
    mention: parseSlackMention(env.SLACK_MENTION?.trim() || '@here', 'SLACK_MENTION'),
    timeZone: loadPresentation(env).timeZone,
  };
}
