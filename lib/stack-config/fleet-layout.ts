// The config of a fleet across VPCs or accounts: one shared alerting stack (the table, the alert topic
// and the notifiers) and one watcher stack per VPC (network, poller, drill, monitoring), which
// publishes to that topic and keeps its state in that table. A config file with `watchers` is this
// layout; without, it is the single stack of parse.ts.
//
//   { "alerting": { "account"?, "region"?, "alertEmails", "emailSeverities", "slackWebhookSecretArn",
//                   "secretsKmsKeyArns", "tableEncryption", "logRetentionDays", "onCallRoleArns" },
//     "watchers": [ { "name", "account"?, "region"?, ...every key of the single stack but alerting's } ],
//     "tags"?: { ... } }
//
// Each watcher is validated by the single stack's parser (errors prefixed `watchers[i].`); then what
// ties the stacks together is checked here, at synth, so that a reference that could not work fails
// before any deploy: one region for all (the table and topic are regional), deployment names unique
// across watchers (they share the table's keys), and an explicit alerting account whenever a watcher
// lives in another account (its grants name that account).

import { ConfigError } from '../../lambdas/core/errors';
import { objectAt, rejectUnknownKeys } from '../../lambdas/core/fields';
import { type AlertEmail, parseAlertingSection } from './alerting';
import { parseLogRetentionDays, parseTableEncryption } from './limits';
import { parseOnCallSection } from './on-call';
import { parseStackConfig, type StackConfig } from './parse';
import { parseSecretsKmsKeyArns } from './secrets';
import { parseTags } from './tags';

export interface AlertingConfig {
  /** Null: the account the CDK CLI deploys to. */
  readonly account: string | null;
  readonly region: string | null;
  readonly alertEmails: readonly AlertEmail[];
  readonly slackWebhookSecretArn: string | null;
  readonly secretsKmsKeyArns: readonly string[];
  readonly tableEncryption: 'aws-managed' | 'customer-managed';
  readonly logRetentionDays: number;
  readonly onCallRoleArns: readonly string[];
}

export interface WatcherConfig {
  /** Names the stack (`<stack name>-<name>`). */
  readonly name: string;
  readonly account: string | null;
  readonly region: string | null;
  readonly config: StackConfig;
  /** In another account than the alerting stack: its grants go through resource policies. */
  readonly crossAccount: boolean;
}

export interface FleetLayout {
  readonly alerting: AlertingConfig;
  readonly watchers: readonly WatcherConfig[];
  readonly tags: Readonly<Record<string, string>>;
}

const LAYOUT_KEYS = ['alerting', 'watchers', 'tags'] as const;
const ALERTING_ONLY_KEYS = [
  'alertEmails',
  'emailSeverities',
  'slackWebhookSecretArn',
  'tableEncryption',
  'onCallRoleArns',
] as const;
const ALERTING_KEYS = [
  'account',
  'region',
  ...ALERTING_ONLY_KEYS,
  'secretsKmsKeyArns',
  'logRetentionDays',
] as const;
const WATCHER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** A config with `watchers` is the layout of several stacks. */
export const isFleetLayout = (input: unknown): boolean =>
  typeof input === 'object' && input !== null && !Array.isArray(input) && 'watchers' in input;

/** Runs `parse`, putting `prefix` in front of the field of any ConfigError it throws. */
function under<T>(prefix: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problem = error.message.slice(error.field.length + 2);
    const field = error.field === '(config)' || error.field === '' ? prefix : `${prefix}.${error.field}`;
    throw new ConfigError(field, problem);
  }
}

function optional(value: unknown, field: string, re: RegExp, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !re.test(value.trim())) {
    throw new ConfigError(field, `must be ${what}, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

export function parseFleetLayout(input: unknown): FleetLayout {
  const root = objectAt(input, '(config)');
  rejectUnknownKeys(root, LAYOUT_KEYS, '');
  const tags = parseTags(root.tags);
  const alerting = parseAlerting(root.alerting);
  if (!Array.isArray(root.watchers) || root.watchers.length === 0) {
    throw new ConfigError('watchers', 'must be a non-empty array: one watcher stack per VPC');
  }
  const watchers = root.watchers.map((w, i) => parseWatcher(w, `watchers[${i}]`, alerting, tags));
  checkTies(watchers, alerting);
  return { alerting, watchers, tags };
}

function parseAlerting(value: unknown): AlertingConfig {
  const raw = objectAt(value, 'alerting');
  rejectUnknownKeys(raw, ALERTING_KEYS, 'alerting');
  const section = under('alerting', () => parseAlertingSection(raw));
  return {
    account: optional(raw.account, 'alerting.account', ACCOUNT, 'a 12-digit AWS account id'),
    region: optional(raw.region, 'alerting.region', REGION, 'an AWS region (us-east-1)'),
    ...section,
    secretsKmsKeyArns: under('alerting', () => parseSecretsKmsKeyArns(raw.secretsKmsKeyArns)),
    tableEncryption: parseTableEncryption(raw.tableEncryption, 'alerting.tableEncryption'),
    logRetentionDays: parseLogRetentionDays(raw.logRetentionDays, 'alerting.logRetentionDays'),
    ...under('alerting', () => parseOnCallSection(raw)),
  };
}

function parseWatcher(
  value: unknown,
  path: string,
  alerting: AlertingConfig,
  tags: Readonly<Record<string, string>>,
): WatcherConfig {
  const raw = objectAt(value, path);
  for (const key of ALERTING_ONLY_KEYS) {
    if (raw[key] !== undefined) {
      throw new ConfigError(
        `${path}.${key}`,
        'belongs in "alerting": every watcher publishes to the one alert topic and table there',
      );
    }
  }
  const { name, account, region, tags: own, ...rest } = raw;
  if (typeof name !== 'string' || !WATCHER_NAME.test(name)) {
    throw new ConfigError(
      `${path}.name`,
      `must be 1-40 letters, digits or "-", starting with a letter (it names the stack), got ${JSON.stringify(name)}`,
    );
  }
  const config = under(path, () => parseStackConfig({ ...rest, tags: { ...tags, ...parseTags(own) } }));
  const watcherAccount = optional(account, `${path}.account`, ACCOUNT, 'a 12-digit AWS account id');
  return {
    name,
    account: watcherAccount,
    region: optional(region, `${path}.region`, REGION, 'an AWS region (us-east-1)'),
    config,
    crossAccount: watcherAccount !== null && watcherAccount !== alerting.account,
  };
}

/** What must hold between the stacks for their references to work. */
function checkTies(watchers: readonly WatcherConfig[], alerting: AlertingConfig): void {
  const owners = new Map<string, number>();
  watchers.forEach((w, i) => {
    const twin = watchers.findIndex((o) => o.name.toLowerCase() === w.name.toLowerCase());
    if (twin !== i)
      throw new ConfigError(`watchers[${i}].name`, `"${w.name}" is also watchers[${twin}]'s name`);
    const region = w.region ?? alerting.region;
    if (region !== null && alerting.region !== null && region !== alerting.region) {
      throw new ConfigError(
        `watchers[${i}].region`,
        `"${region}" is not the alerting stack's region (${alerting.region}): the table and the topic are ` +
          'regional and the functions reach them in their own region; use one layout (one alerting stack) per region',
      );
    }
    if (w.crossAccount && alerting.account === null) {
      throw new ConfigError(
        'alerting.account',
        `is required: watchers[${i}] (${w.name}) is in account ${w.account}, and the alerting stack's grants ` +
          "to it must name the table's and topic's account",
      );
    }
    if (w.crossAccount && alerting.tableEncryption === 'customer-managed') {
      throw new ConfigError(
        'alerting.tableEncryption',
        `"customer-managed" is not supported with watchers in other accounts (watchers[${i}], ${w.account}): ` +
          'use "aws-managed", or put the watchers in the alerting account',
      );
    }
    w.config.deployments.forEach((d, j) => {
      const other = owners.get(d.name);
      if (other !== undefined) {
        throw new ConfigError(
          `watchers[${i}].deployments[${j}].name`,
          `"${d.name}" is also watched by watchers[${other}] (${watchers[other].name}): deployment names key ` +
            'the shared table and must be unique across watchers',
        );
      }
      owners.set(d.name, i);
    });
  });
}
