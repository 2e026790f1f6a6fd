// The poller's environment, validated once at cold start. Every error names the variable (and, for
// the config, the field inside it), so a bad deployment fails on its first invocation with a message
// that says what to fix.

import { parseWatchConfigText, type WatchConfig } from '../core/config';
import { ConfigError } from '../core/errors';

export interface PollerSettings {
  readonly config: WatchConfig;
  readonly tableName: string;
  readonly topicArn: string;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

type Env = Readonly<Record<string, string | undefined>>;

/** A required variable, trimmed; throws ConfigError naming it when missing or empty. */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigError(name, 'is not set');
  return value;
}

/** `SENTINEL_WATCH_CONFIG`: the CLI's config schema, as JSON. Errors name the field inside it. */
export function watchConfigFromEnv(env: Env): WatchConfig {
  const text = requiredEnv(env, 'SENTINEL_WATCH_CONFIG');
  try {
    return parseWatchConfigText(text, 'SENTINEL_WATCH_CONFIG');
  } catch (error) {
    if (error instanceof ConfigError && error.field !== 'SENTINEL_WATCH_CONFIG') {
      throw new ConfigError('SENTINEL_WATCH_CONFIG', error.message);
    }
    throw error;
  }
}

export function loadPollerSettings(env: Env): PollerSettings {
  const config = watchConfigFromEnv(env);
  const tableName = requiredEnv(env, 'SNAPSHOT_TABLE_NAME');
  if (!TABLE_NAME.test(tableName)) {
    throw new ConfigError('SNAPSHOT_TABLE_NAME', `"${tableName}" is not a DynamoDB table name`);
  }
  const topicArn = requiredEnv(env, 'ALERT_TOPIC_ARN');
  if (!TOPIC_ARN.test(topicArn)) {
    throw new ConfigError('ALERT_TOPIC_ARN', `"${topicArn}" is not an SNS topic ARN`);
  }
  return { config, tableName, topicArn };
}
