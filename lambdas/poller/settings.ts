// The poller's settings, validated once at cold start. Every error names the variable (and, for the
// config, the field inside it), so a bad deployment fails on its first invocation with a message
// that says what to fix.
//
// The deployments come from one of:
//   SENTINEL_WATCH_CONFIG_FILE  the fleet config file the CDK app bundles into the code asset
//                               (lambdas/core/fleet-config.ts): how the stack deploys the Lambdas;
//   SENTINEL_WATCH_CONFIG       the CLI's config schema as JSON text, one shard: local runs and tests.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseWatchConfigText, type WatchConfig } from '../core/config';
import { ConfigError } from '../core/errors';
import { parseJson } from '../core/fields';
import { type FleetConfig, parseFleetConfig } from '../core/fleet-config';

export interface PollerSettings {
  /** Every deployment of the stack (each invocation polls its shard of them). */
  readonly config: WatchConfig;
  readonly fleet: FleetConfig;
  /** The first 12 hex digits of the config text's SHA-256: logged, to tell which config a run had. */
  readonly configVersion: string;
  readonly tableName: string;
  readonly topicArn: string;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

type Env = Readonly<Record<string, string | undefined>>;
export type ReadText = (path: string) => string;

const readUtf8: ReadText = (path) => readFileSync(path, 'utf8');

/** A required variable, trimmed; throws ConfigError naming it when missing or empty. */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigError(name, 'is not set');
  return value;
}

/** Errors from inside a config text, re-labelled with the variable they came through. */
function within<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError && error.field !== variable) {
      throw new ConfigError(variable, error.message);
    }
    throw error;
  }
}

/**
 * The fleet config and its text: from SENTINEL_WATCH_CONFIG_FILE (a path, relative ones inside the
 * function's code directory) or else SENTINEL_WATCH_CONFIG (JSON text of the CLI's schema, one shard).
 */
export function fleetConfigFromEnv(
  env: Env,
  read: ReadText = readUtf8,
): { readonly fleet: FleetConfig; readonly text: string } {
  const file = env.SENTINEL_WATCH_CONFIG_FILE?.trim();
  if (file) {
    const path = isAbsolute(file) ? file : join(env.LAMBDA_TASK_ROOT ?? __dirname, file);
    let text: string;
    try {
      text = read(path);
    } catch (error) {
      throw new ConfigError(
        'SENTINEL_WATCH_CONFIG_FILE',
        `cannot read ${path} (${(error as Error).message}): the file is bundled with the function's code by the CDK app`,
      );
    }
    const fleet = within('SENTINEL_WATCH_CONFIG_FILE', () =>
      parseFleetConfig(parseJson(text, 'SENTINEL_WATCH_CONFIG_FILE')),
    );
    return { fleet, text };
  }
  const text = requiredEnv(env, 'SENTINEL_WATCH_CONFIG');
  const watch = within('SENTINEL_WATCH_CONFIG', () => parseWatchConfigText(text, 'SENTINEL_WATCH_CONFIG'));
  return { fleet: { watch, shards: 1, detailedMetrics: [] }, text };
}

/** The deployments, from whichever source is set (the drill reads them the same way). */
export function watchConfigFromEnv(env: Env, read: ReadText = readUtf8): WatchConfig {
  return fleetConfigFromEnv(env, read).fleet.watch;
}

export function loadPollerSettings(env: Env, read: ReadText = readUtf8): PollerSettings {
  const { fleet, text } = fleetConfigFromEnv(env, read);
  const tableName = requiredEnv(env, 'SNAPSHOT_TABLE_NAME');
  if (!TABLE_NAME.test(tableName)) {
    throw new ConfigError('SNAPSHOT_TABLE_NAME', `"${tableName}" is not a DynamoDB table name`);
  }
  const topicArn = requiredEnv(env, 'ALERT_TOPIC_ARN');
  if (!TOPIC_ARN.test(topicArn)) {
    throw new ConfigError('ALERT_TOPIC_ARN', `"${topicArn}" is not an SNS topic ARN`);
  }
  const configVersion = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { config: fleet.watch, fleet, configVersion, tableName, topicArn };
}
