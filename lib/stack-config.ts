// The CDK app's config: the deployments to watch (the shared schema of lambdas/core/config.ts, so the
// Lambdas get exactly what was validated here) plus where and how to run in AWS. Validated at synth:
// every error is a ConfigError naming the field, unknown keys are rejected, defaults live here.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Node } from 'constructs';
import { describe } from '../lambdas/core/address';
import { type DeploymentConfig, parseWatchConfig, type WatchConfig } from '../lambdas/core/config';
import { ConfigError } from '../lambdas/core/errors';
import { integer, objectAt, parseJson, rejectUnknownKeys } from '../lambdas/core/fields';
import type { Severity } from '../lambdas/core/types';

/** Context keys the app reads (`cdk.json` or `-c key=value`). */
export const CONTEXT_KEYS = {
  /** The config as an inline object (or its JSON text, from `-c`). Wins over the file. */
  config: 'sentinel-watch:config',
  /** Path of a JSON config file, relative to the working directory. */
  configFile: 'sentinel-watch:configFile',
  /** CloudFormation stack name. */
  stackName: 'sentinel-watch:stackName',
} as const;

export const DEFAULT_CONFIG_FILE = 'config/example.json';
export const DEFAULT_STACK_NAME = 'SentinelWatch';

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Lambda allows 4 KB for all environment variables together; the deployments' JSON gets most of it,
 * the table name and topic ARN (and the runtime's own NODE_OPTIONS) the rest.
 */
export const MAX_WATCH_CONFIG_BYTES = 3500;

export type VpcConfig =
  /** `Vpc.fromLookup` (needs credentials at synth); optionally only the given subnets. */
  | { readonly kind: 'lookup'; readonly vpcId: string; readonly subnetIds: readonly string[] | null }
  /** No lookup: the subnets, one availability zone per subnet, and their route tables. */
  | {
      readonly kind: 'explicit';
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
      readonly availabilityZones: readonly string[];
      readonly routeTableIds: readonly string[] | null;
    };

export interface AlertEmail {
  readonly address: string;
  /** Null: every severity (and the watcher's own alarms). */
  readonly severities: readonly Severity[] | null;
}

export interface StackConfig {
  /** What the Lambdas get as SENTINEL_WATCH_CONFIG, parsed. */
  readonly watch: WatchConfig;
  /** The same, as the JSON text the Lambdas parse again (the user's input, validated). */
  readonly watchConfigJson: string;
  readonly deployments: readonly DeploymentConfig[];
  readonly vpc: VpcConfig;
  readonly redisSecurityGroupId: string | null;
  /** Where the Redis and sentinel ports may be reached (egress of the watcher's security group). */
  readonly redisCidrs: readonly string[];
  /** Ports of data nodes that Sentinel reports but the config does not list. */
  readonly dataNodePorts: readonly number[];
  /** Every TCP port the watcher must reach: sentinels, listed nodes and `dataNodePorts`, sorted. */
  readonly redisPorts: readonly number[];
  readonly scheduleMinutes: number;
  readonly alertEmails: readonly AlertEmail[];
  readonly slackWebhookSecretArn: string | null;
  /** Every Secrets Manager secret the poller and the drill may read (passwords), sorted. */
  readonly passwordSecretArns: readonly string[];
  /** Customer-managed KMS keys those secrets are encrypted with (kms:Decrypt via Secrets Manager). */
  readonly secretsKmsKeyArns: readonly string[];
  readonly retentionDays: number;
  readonly pollEverySeconds: number | null;
  readonly vpcEndpoints: 'auto' | boolean;
  readonly pollerTimeoutSeconds: number;
  readonly drillTimeoutSeconds: number;
  readonly memorySize: number;
  readonly reservedConcurrency: number | null;
  readonly logRetentionDays: number;
  readonly noSuccessMinutes: number;
  readonly tableEncryption: 'aws-managed' | 'customer-managed';
}

const ROOT_KEYS = [
  // shared with lambdas/core/config.ts (parseWatchConfig)
  'deployments',
  'pollEverySeconds',
  'retentionDays',
  // the stack's own
  'vpc',
  'redisSecurityGroupId',
  'redisCidrs',
  'dataNodePorts',
  'scheduleMinutes',
  'alertEmails',
  'emailSeverities',
  'slackWebhookSecretArn',
  'secretsKmsKeyArns',
  'vpcEndpoints',
  'pollerTimeoutSeconds',
  'drillTimeoutSeconds',
  'memorySize',
  'reservedConcurrency',
  'logRetentionDays',
  'noSuccessMinutes',
  'tableEncryption',
] as const;

const WATCH_KEYS = ['deployments', 'pollEverySeconds', 'retentionDays'] as const;
const VPC_KEYS = ['vpcId', 'subnetIds', 'availabilityZones', 'routeTableIds'] as const;
const EMAIL_KEYS = ['address', 'severities'] as const;

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const ROUTE_TABLE_ID = /^rtb-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** A full secret ARN ends with the 6 characters Secrets Manager appends to the name. */
const FULL_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * Validates the stack config (parsed JSON or a JS object) and applies defaults. Throws ConfigError
 * naming the field.
 */
export function parseStackConfig(input: unknown): StackConfig {
  const root = objectAt(input, '(config)');
  rejectUnknownKeys(root, ROOT_KEYS, '');

  // The deployments part goes through the shared parser, untouched, so that the Lambdas (which parse
  // SENTINEL_WATCH_CONFIG with it again) see exactly what was validated here.
  const watchInput: Record<string, unknown> = {};
  for (const key of WATCH_KEYS) if (root[key] !== undefined) watchInput[key] = root[key];
  const watch = parseWatchConfig(watchInput);
  watch.deployments.forEach((d, i) => {
    checkDeploymentForAws(d, `deployments[${i}]`);
  });
  const watchConfigJson = JSON.stringify(watchInput);
  if (Buffer.byteLength(watchConfigJson) > MAX_WATCH_CONFIG_BYTES) {
    throw new ConfigError(
      'deployments',
      `take ${Buffer.byteLength(watchConfigJson)} bytes as JSON, more than the ${MAX_WATCH_CONFIG_BYTES} ` +
        "that fit in the Lambdas' 4 KB of environment variables: drop keys left at their defaults, or " +
        'split the deployments over several stacks (context sentinel-watch:stackName)',
    );
  }

  const vpc = parseVpc(root.vpc);
  const redisSecurityGroupId = pattern(
    root.redisSecurityGroupId,
    'redisSecurityGroupId',
    SECURITY_GROUP_ID,
    'a security group id (sg-...)',
  );
  const redisCidrs =
    root.redisCidrs === undefined
      ? redisSecurityGroupId
        ? []
        : ['0.0.0.0/0']
      : list(root.redisCidrs, 'redisCidrs', (v, f) => cidr(v, f), redisSecurityGroupId === null);
  const dataNodePorts =
    root.dataNodePorts === undefined
      ? [6379]
      : list(root.dataNodePorts, 'dataNodePorts', (v, f) => integer(v, f, 0, 1, 65535), false);
  const redisPorts = [
    ...new Set([
      ...watch.deployments.flatMap((d) => [...d.sentinels, ...d.nodes].map((a) => a.port)),
      ...dataNodePorts,
    ]),
  ].sort((a, b) => a - b);

  const scheduleMinutes = integer(root.scheduleMinutes, 'scheduleMinutes', 1, 1, 60);
  if (watch.pollEverySeconds !== null && scheduleMinutes !== 1) {
    throw new ConfigError(
      'pollEverySeconds',
      `needs scheduleMinutes 1: each scheduled run keeps polling for one minute, so with runs every ` +
        `${scheduleMinutes} minutes the other ${scheduleMinutes - 1} would go unwatched`,
    );
  }
  const emailSeverities =
    root.emailSeverities === undefined ? null : severities(root.emailSeverities, 'emailSeverities');
  const alertEmails =
    root.alertEmails === undefined
      ? []
      : list(root.alertEmails, 'alertEmails', (v, f) => alertEmail(v, f, emailSeverities), false);
  alertEmails.forEach((e, i) => {
    if (alertEmails.findIndex((o) => o.address.toLowerCase() === e.address.toLowerCase()) !== i) {
      throw new ConfigError(`alertEmails[${i}]`, `${e.address} is listed twice`);
    }
  });

  const slackWebhookSecretArn = fullSecretArn(root.slackWebhookSecretArn, 'slackWebhookSecretArn');
  const secretsKmsKeyArns =
    root.secretsKmsKeyArns === undefined
      ? []
      : list(
          root.secretsKmsKeyArns,
          'secretsKmsKeyArns',
          (v, f) =>
            requiredPattern(v, f, KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)'),
          false,
          true,
        );
  const passwordSecretArns = [
    ...new Set(
      watch.deployments.flatMap((d) =>
        [d.passwordSecretArn, d.sentinelPasswordSecretArn].filter((a): a is string => a !== null),
      ),
    ),
  ].sort();

  const vpcEndpoints = endpoints(root.vpcEndpoints);
  if (vpc.kind === 'explicit' && vpcEndpoints !== false && vpc.routeTableIds === null) {
    throw new ConfigError(
      'vpc.routeTableIds',
      `is required with explicit subnetIds while vpcEndpoints is on (${JSON.stringify(vpcEndpoints)}` +
        `${vpcEndpoints === 'auto' ? ", which means on when the stack cannot see the subnets' routes" : ''}): ` +
        'the DynamoDB gateway endpoint is added to the route tables of those subnets. Give one per ' +
        'subnet, or set vpcEndpoints to false if the subnets have a NAT',
    );
  }

  // The longest single poll, plus time to read secrets, store and publish with retries.
  const longestPollSeconds = Math.ceil(Math.max(...watch.deployments.map((d) => d.pollTimeoutMs)) / 1000);
  const minPollerTimeout = longestPollSeconds + 15;
  // With pollEverySeconds the poller keeps polling for the scheduled minute, then saves and publishes.
  const pollerTimeoutSeconds = integer(
    root.pollerTimeoutSeconds,
    'pollerTimeoutSeconds',
    Math.max(watch.pollEverySeconds === null ? 60 : 90, minPollerTimeout),
    minPollerTimeout,
    900,
  );
  const drillTimeoutSeconds = integer(root.drillTimeoutSeconds, 'drillTimeoutSeconds', 300, 60, 900);
  const memorySize = integer(root.memorySize, 'memorySize', 256, 128, 10_240);
  const reservedConcurrency =
    root.reservedConcurrency === undefined || root.reservedConcurrency === null
      ? null
      : integer(root.reservedConcurrency, 'reservedConcurrency', 1, 1, 10);
  const logRetentionDays = integer(root.logRetentionDays, 'logRetentionDays', 30, 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new ConfigError(
      'logRetentionDays',
      `must be one of the periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')}), got ${logRetentionDays}`,
    );
  }
  // One late scheduled run must not raise the alarm: the window holds at least two runs.
  const minNoSuccess = 2 * scheduleMinutes;
  const noSuccessMinutes = integer(
    root.noSuccessMinutes,
    'noSuccessMinutes',
    Math.max(5, minNoSuccess),
    1,
    1440,
  );
  if (noSuccessMinutes < minNoSuccess) {
    throw new ConfigError(
      'noSuccessMinutes',
      `must be at least twice scheduleMinutes (${minNoSuccess}), so that one late run does not raise the alarm; got ${noSuccessMinutes}`,
    );
  }
  const tableEncryption =
    root.tableEncryption === undefined
      ? 'aws-managed'
      : oneOf(root.tableEncryption, 'tableEncryption', ['aws-managed', 'customer-managed'] as const);

  return {
    watch,
    watchConfigJson,
    deployments: watch.deployments,
    vpc,
    redisSecurityGroupId,
    redisCidrs,
    dataNodePorts,
    redisPorts,
    scheduleMinutes,
    alertEmails,
    slackWebhookSecretArn,
    passwordSecretArns,
    secretsKmsKeyArns,
    retentionDays: watch.retentionDays,
    pollEverySeconds: watch.pollEverySeconds,
    vpcEndpoints,
    pollerTimeoutSeconds,
    drillTimeoutSeconds,
    memorySize,
    reservedConcurrency,
    logRetentionDays,
    noSuccessMinutes,
    tableEncryption,
  };
}

/**
 * Reads the config named by the app's context: `sentinel-watch:config` (an object, or JSON text when
 * given with `-c`) or else the file `sentinel-watch:configFile` (default config/example.json).
 */
export function loadStackConfig(node: Node, cwd = process.cwd()): StackConfig {
  const inline = node.tryGetContext(CONTEXT_KEYS.config);
  if (inline !== undefined) {
    if (typeof inline !== 'string') return parseStackConfig(inline);
    return parseStackConfig(parseJson(inline, CONTEXT_KEYS.config));
  }
  const file = node.tryGetContext(CONTEXT_KEYS.configFile) ?? DEFAULT_CONFIG_FILE;
  if (typeof file !== 'string' || file.trim() === '') {
    throw new ConfigError(CONTEXT_KEYS.configFile, `must be a file path, got ${describe(file)}`);
  }
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new ConfigError(CONTEXT_KEYS.configFile, `cannot read ${file} (${(error as Error).message})`);
  }
  return parseStackConfig(parseJson(text, file));
}

/** The CloudFormation stack name from context, checked like CloudFormation would. */
export function stackNameFrom(node: Node): string {
  const name = node.tryGetContext(CONTEXT_KEYS.stackName) ?? DEFAULT_STACK_NAME;
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new ConfigError(
      CONTEXT_KEYS.stackName,
      `${describe(name)} is not a stack name (a letter, then letters, digits or "-", at most 128)`,
    );
  }
  return name;
}

// ---------------------------------------------------------------------------------------------

function checkDeploymentForAws(d: DeploymentConfig, path: string): void {
  for (const key of ['passwordEnv', 'sentinelPasswordEnv'] as const) {
    if (d[key] !== null) {
      const arnKey = key === 'passwordEnv' ? 'passwordSecretArn' : 'sentinelPasswordSecretArn';
      throw new ConfigError(
        `${path}.${key}`,
        `cannot be used in AWS (the Lambdas have no such environment variable): store the password in ` +
          `Secrets Manager and give its ARN as ${arnKey}`,
      );
    }
  }
  fullSecretArn(d.passwordSecretArn ?? undefined, `${path}.passwordSecretArn`);
  fullSecretArn(d.sentinelPasswordSecretArn ?? undefined, `${path}.sentinelPasswordSecretArn`);
}

function fullSecretArn(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ConfigError(field, `must be a string, got ${describe(value)}`);
  const text = value.trim();
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(text)) {
    throw new ConfigError(field, `"${text}" is not a Secrets Manager secret ARN`);
  }
  if (!FULL_SECRET_ARN.test(text)) {
    throw new ConfigError(
      field,
      `"${text}" is a partial ARN: give the full ARN, ending in the "-" and 6 characters Secrets ` +
        'Manager appends to the name (as the console shows it), so that IAM can grant exactly this secret',
    );
  }
  return text;
}

function parseVpc(value: unknown): VpcConfig {
  if (value === undefined) {
    throw new ConfigError(
      'vpc',
      'is required: { "vpcId": "vpc-..." } to look it up, or add "subnetIds" and "availabilityZones" to synth without lookups',
    );
  }
  const raw = objectAt(value, 'vpc');
  rejectUnknownKeys(raw, VPC_KEYS, 'vpc');
  const vpcId = requiredPattern(raw.vpcId, 'vpc.vpcId', VPC_ID, 'a VPC id (vpc-...)');
  const ids = (v: unknown, field: string, re: RegExp, what: string) =>
    list(v, field, (item, f) => requiredPattern(item, f, re, what), true, true);
  const subnetIds =
    raw.subnetIds === undefined ? null : ids(raw.subnetIds, 'vpc.subnetIds', SUBNET_ID, 'a subnet id');
  const availabilityZones =
    raw.availabilityZones === undefined
      ? null
      : list(
          raw.availabilityZones,
          'vpc.availabilityZones',
          (item, f) => requiredPattern(item, f, AVAILABILITY_ZONE, 'an availability zone name (us-east-1a)'),
          true,
        );
  const routeTableIds =
    raw.routeTableIds === undefined
      ? null
      : list(
          raw.routeTableIds,
          'vpc.routeTableIds',
          (item, f) => requiredPattern(item, f, ROUTE_TABLE_ID, 'a route table id (rtb-...)'),
          true,
        );

  if (availabilityZones === null) {
    if (routeTableIds !== null) {
      throw new ConfigError(
        'vpc.routeTableIds',
        'only goes with explicit subnetIds and availabilityZones (a looked-up VPC brings its route tables)',
      );
    }
    return { kind: 'lookup', vpcId, subnetIds };
  }
  if (subnetIds === null) {
    throw new ConfigError('vpc.subnetIds', 'is required with availabilityZones (one subnet per zone)');
  }
  if (availabilityZones.length !== subnetIds.length) {
    throw new ConfigError(
      'vpc.availabilityZones',
      `must name the zone of each subnet, in the order of subnetIds: ${subnetIds.length} subnets, ${availabilityZones.length} zones`,
    );
  }
  if (new Set(availabilityZones).size !== availabilityZones.length) {
    throw new ConfigError('vpc.availabilityZones', 'must not repeat a zone: give one subnet per zone');
  }
  if (routeTableIds !== null && routeTableIds.length !== subnetIds.length) {
    throw new ConfigError(
      'vpc.routeTableIds',
      `must give the route table of each subnet, in the order of subnetIds: ${subnetIds.length} subnets, ${routeTableIds.length} route tables`,
    );
  }
  return { kind: 'explicit', vpcId, subnetIds, availabilityZones, routeTableIds };
}

function alertEmail(value: unknown, field: string, fallback: readonly Severity[] | null): AlertEmail {
  if (typeof value === 'string') return { address: email(value, field), severities: fallback };
  const raw = objectAt(value, field);
  rejectUnknownKeys(raw, EMAIL_KEYS, field);
  if (raw.address === undefined) throw new ConfigError(`${field}.address`, 'is required');
  return {
    address: email(raw.address, `${field}.address`),
    severities: raw.severities === undefined ? fallback : severities(raw.severities, `${field}.severities`),
  };
}

function email(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new ConfigError(field, `must be an email address, got ${describe(value)}`);
  }
  const text = value.trim();
  if (!EMAIL.test(text)) throw new ConfigError(field, `"${text}" is not an email address`);
  return text;
}

function severities(value: unknown, field: string): Severity[] {
  const items = list(value, field, (v, f) => oneOf(v, f, SEVERITIES), true, true);
  return SEVERITIES.filter((s) => items.includes(s));
}

function endpoints(value: unknown): 'auto' | boolean {
  if (value === undefined || value === 'auto') return 'auto';
  if (typeof value === 'boolean') return value;
  throw new ConfigError('vpcEndpoints', `must be "auto", true or false, got ${describe(value)}`);
}

function cidr(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ConfigError(field, `must be an IPv4 CIDR, got ${describe(value)}`);
  const m = CIDR.exec(value.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new ConfigError(field, `"${value}" is not an IPv4 CIDR block (10.0.0.0/16)`);
  }
  return value.trim();
}

// ---------------------------------------------------------------------------------------------
// Small field readers, in the style of lambdas/core/config.ts.

function list<T>(
  value: unknown,
  field: string,
  item: (value: unknown, field: string) => T,
  nonEmpty: boolean,
  unique = false,
): T[] {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
    throw new ConfigError(field, `must be a${nonEmpty ? ' non-empty' : 'n'} array, got ${describe(value)}`);
  }
  const items = value.map((v, i) => item(v, `${field}[${i}]`));
  if (unique) {
    items.forEach((v, i) => {
      if (items.indexOf(v) !== i) throw new ConfigError(`${field}[${i}]`, `${String(v)} is listed twice`);
    });
  }
  return items;
}

function pattern(value: unknown, field: string, re: RegExp, what: string): string | null {
  if (value === undefined || value === null) return null;
  return requiredPattern(value, field, re, what);
}

function requiredPattern(value: unknown, field: string, re: RegExp, what: string): string {
  if (value === undefined) throw new ConfigError(field, 'is required');
  if (typeof value !== 'string') throw new ConfigError(field, `must be ${what}, got ${describe(value)}`);
  const text = value.trim();
  if (!re.test(text)) throw new ConfigError(field, `"${text}" is not ${what}`);
  return text;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      field,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}
