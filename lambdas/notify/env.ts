// The notifiers' environment variables that every one of them has, validated at cold start; each
// error names the variable. Kept apart from the handlers so the CDK can import the channel names
// without an AWS client.

import { ConfigError } from '../core/errors';

type Env = Readonly<Record<string, string | undefined>>;

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** A required Secrets Manager ARN from the environment. */
export function secretArnFromEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is not set');
  if (!SECRET_ARN.test(value)) throw new ConfigError(name, `"${value}" is not a Secrets Manager secret ARN`);
  return value;
}

/** `SNAPSHOT_TABLE_NAME`: the watcher's table, where the delivery records are kept. */
export function tableNameFromEnv(env: Env): string {
  const value = env.SNAPSHOT_TABLE_NAME?.trim();
  if (!value) throw new ConfigError('SNAPSHOT_TABLE_NAME', 'is not set');
  if (!TABLE_NAME.test(value)) {
    throw new ConfigError('SNAPSHOT_TABLE_NAME', `"${value}" is not a DynamoDB table name`);
  }
  return value;
}

/** The delivery records' channel of each notifier (lambdas/adapters/delivery-ledger.ts). */
export const LEDGER_CHANNELS = {
  slack: 'slack',
  pagerDuty: 'pagerduty',
  webhook: (name: string) => `webhook-${name}`,
} as const;
