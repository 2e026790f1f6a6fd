// The Slack notifier's environment, validated once at cold start; every error names the variable.

import { ConfigError } from '../core/errors';
import { requiredEnv } from '../poller/settings';

/** Its delivery records' channel (lambdas/adapters/delivery-ledger.ts); the CDK grants this prefix only. */
export const SLACK_CHANNEL = 'slack';

export interface SlackSettings {
  /** `SLACK_WEBHOOK_SECRET_ARN`: the webhook URL, as plain text or JSON `{"webhookUrl": "..."}`. */
  readonly secretArn: string;
  /** `SNAPSHOT_TABLE_NAME`: the watcher's table, where the delivery records are kept. */
  readonly tableName: string;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export function loadSlackSettings(env: Readonly<Record<string, string | undefined>>): SlackSettings {
  const secretArn = requiredEnv(env, 'SLACK_WEBHOOK_SECRET_ARN');
  if (!SECRET_ARN.test(secretArn)) {
    throw new ConfigError('SLACK_WEBHOOK_SECRET_ARN', `"${secretArn}" is not a Secrets Manager secret ARN`);
  }
  const tableName = requiredEnv(env, 'SNAPSHOT_TABLE_NAME');
  if (!TABLE_NAME.test(tableName)) {
    throw new ConfigError('SNAPSHOT_TABLE_NAME', `"${tableName}" is not a DynamoDB table name`);
  }
  return { secretArn, tableName };
}
