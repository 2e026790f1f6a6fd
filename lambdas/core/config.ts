// The deployment schema, shared by the CLI (`--config`), the Lambdas (`SENTINEL_WATCH_CONFIG`) and the
// CDK app (validated at synth). Users write it by hand, so every error names the field it is about,
// unknown keys are rejected (a typo must not silently fall back to a default), and defaults live here.

import { describe, parseAddress } from './address';
import { type CriteriaOverrides, parseCriteria } from './drill/criteria';
import { ConfigError } from './errors';
import {
  boolean,
  integer,
  number,
  objectAt,
  optionalString,
  parseJson,
  rejectUnknownKeys,
  requiredString,
} from './fields';
import {
  DEFAULT_MAX_REPLY_BYTES,
  MAX_DEPLOYMENTS,
  MAX_MAX_REPLY_BYTES,
  MAX_NODES,
  MAX_SENTINELS,
  MIN_MAX_REPLY_BYTES,
} from './limits';
import { type Address, formatAddress } from './types';

export interface DeploymentConfig {
  /** Used in alerts, metrics and storage keys. Defaults to `masterName`. */
  readonly name: string;
  readonly masterName: string;
  readonly sentinels: readonly Address[];
  /** Data nodes to probe even when no sentinel names them (e.g. a replica Sentinel forgot). */
  readonly nodes: readonly Address[];
  readonly username: string | null;
  readonly passwordEnv: string | null;
  readonly passwordSecretArn: string | null;
  readonly sentinelUsername: string | null;
  readonly sentinelPasswordEnv: string | null;
  readonly sentinelPasswordSecretArn: string | null;
  readonly tls: boolean;
  readonly expectedReplicas: number;
  /**
   * How many sentinels the deployment has. Null (the default): what the sentinels themselves report,
   * so listing one sentinel address is enough and never makes a healthy deployment look short.
   */
  readonly expectedSentinels: number | null;
  readonly maxLagBytes: number;
  readonly maxLagSeconds: number;
  readonly reminderMinutes: number;
  /** CONFIG_RISK when a sentinel's down-after-milliseconds is below this. */
  readonly minDownAfterMs: number;
  /** MASTER_FLAPPING window; null: 2 x the failover-timeout the sentinels report. */
  readonly flapWindowMs: number | null;
  /** Deadline for each connection and command batch to one server. */
  readonly timeoutMs: number;
  /** Deadline for one whole poll of the deployment. */
  readonly pollTimeoutMs: number;
  /**
   * Each poll SETs `sentinel-watch:probe:<name>` (60 s TTL) on the master and reports a master that
   * refuses it. Off for watchers whose ACL may not write; `check` then says the probe is off.
   */
  readonly writeProbe: boolean;
  /**
   * `watch` and the poller (with pollEverySeconds) read the master's INFO replication this often
   * between polls and poll at once when a replica looks behind. 0 turns it off.
   */
  readonly lagCheckMs: number;
  /** Bytes one server may send in one poll before it is cut off as `reply-too-large`. */
  readonly maxReplyBytes: number;
  /** The drill's pass criteria for this deployment (drill/criteria.ts); the rest keep their defaults. */
  readonly drill?: CriteriaOverrides;
}

export interface WatchConfig {
  readonly deployments: readonly DeploymentConfig[];
  /**
   * Poller: poll again every this many seconds within one scheduled invocation, and poll at once on a
   * sentinel event in between. Null: one poll per invocation.
   */
  readonly pollEverySeconds: number | null;
  /** Poller: how long stored snapshots are kept (their DynamoDB TTL). */
  readonly retentionDays: number;
}

/** Passwords resolved from env or Secrets Manager. Kept apart from config so config can be logged. */
export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  readonly sentinelUsername?: string;
  readonly sentinelPassword?: string;
}

export const DEFAULTS = {
  expectedReplicas: 2,
  maxLagBytes: 1_048_576,
  maxLagSeconds: 10,
  reminderMinutes: 60,
  // Measured on loopback: 1000 ms gave a spurious second failover in ~3 of 20 master kills; 1500 none.
  minDownAfterMs: 1500,
  timeoutMs: 1000,
  retentionDays: 30,
  lagCheckMs: 1000,
} as const;

const ROOT_KEYS = ['deployments', 'pollEverySeconds', 'retentionDays'] as const;

const DEPLOYMENT_KEYS = [
  'name',
  'masterName',
  'sentinels',
  'nodes',
  'username',
  'passwordEnv',
  'passwordSecretArn',
  'sentinelUsername',
  'sentinelPasswordEnv',
  'sentinelPasswordSecretArn',
  'tls',
  'expectedReplicas',
  'expectedSentinels',
  'maxLagBytes',
  'maxLagSeconds',
  'reminderMinutes',
  'minDownAfterMs',
  'flapWindowMs',
  'timeoutMs',
  'pollTimeoutMs',
  'writeProbe',
  'lagCheckMs',
  'maxReplyBytes',
  'drill',
] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** Validates parsed JSON (or a JS object) and applies defaults. Throws `ConfigError` naming the field. */
export function parseWatchConfig(input: unknown): WatchConfig {
  const root = objectAt(input, '(config)');
  rejectUnknownKeys(root, ROOT_KEYS, '');
  const list = root.deployments;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError('deployments', `must be a non-empty array, got ${describe(list)}`);
  }
  if (list.length > MAX_DEPLOYMENTS) {
    throw new ConfigError('deployments', `lists ${list.length}: at most ${MAX_DEPLOYMENTS} per config`);
  }
  const deployments = list.map((item, i) => parseDeployment(item, `deployments[${i}]`));
  const seen = new Set<string>();
  deployments.forEach((d, i) => {
    if (seen.has(d.name)) throw new ConfigError(`deployments[${i}].name`, `"${d.name}" is used twice`);
    seen.add(d.name);
  });
  // A poll takes up to pollTimeoutMs (3.5 s by default): more often than every 2 s is not a poll cycle.
  const pollEverySeconds =
    root.pollEverySeconds === undefined || root.pollEverySeconds === null
      ? null
      : integer(root.pollEverySeconds, 'pollEverySeconds', 0, 2, 60);
  const retentionDays = integer(root.retentionDays, 'retentionDays', DEFAULTS.retentionDays, 1, 3650);
  return { deployments, pollEverySeconds, retentionDays };
}

/** Parses config file text; JSON syntax errors are reported as config errors too. */
export function parseWatchConfigText(text: string, source: string): WatchConfig {
  return parseWatchConfig(parseJson(text, source));
}

export function parseDeployment(input: unknown, path: string): DeploymentConfig {
  const raw = objectAt(input, path);
  rejectUnknownKeys(raw, DEPLOYMENT_KEYS, path);
  const at = (key: string) => `${path}.${key}`;

  const masterName = requiredString(raw.masterName, at('masterName'));
  if (/\s/.test(masterName)) throw new ConfigError(at('masterName'), 'must not contain white space');
  const givenName = optionalString(raw.name, at('name'));
  const name = givenName ?? masterName;
  if (!NAME.test(name)) {
    // Without a `name`, the master name is the deployment name: the error must point at the field the
    // file has.
    throw givenName
      ? new ConfigError(at('name'), `"${name}" must be 1-64 letters, digits, ".", "_" or "-"`)
      : new ConfigError(
          at('masterName'),
          `"${name}" is also the deployment name when there is no "name", and that must be 1-64 letters, digits, ".", "_" or "-": add a "name"`,
        );
  }
  const sentinels = addressList(raw.sentinels, at('sentinels'), true, MAX_SENTINELS);
  const nodes = raw.nodes === undefined ? [] : addressList(raw.nodes, at('nodes'), false, MAX_NODES);

  const passwordEnv = envName(raw.passwordEnv, at('passwordEnv'));
  const passwordSecretArn = secretArn(raw.passwordSecretArn, at('passwordSecretArn'));
  if (passwordEnv && passwordSecretArn) {
    throw new ConfigError(at('passwordSecretArn'), 'give either passwordEnv or passwordSecretArn, not both');
  }
  const sentinelPasswordEnv = envName(raw.sentinelPasswordEnv, at('sentinelPasswordEnv'));
  const sentinelPasswordSecretArn = secretArn(raw.sentinelPasswordSecretArn, at('sentinelPasswordSecretArn'));
  if (sentinelPasswordEnv && sentinelPasswordSecretArn) {
    throw new ConfigError(
      at('sentinelPasswordSecretArn'),
      'give either sentinelPasswordEnv or sentinelPasswordSecretArn, not both',
    );
  }

  const timeoutMs = integer(raw.timeoutMs, at('timeoutMs'), DEFAULTS.timeoutMs, 50, 60_000);
  // Three waves at most (sentinels, the nodes they name, replicas only a master lists), plus slack.
  const pollTimeoutMs = integer(
    raw.pollTimeoutMs,
    at('pollTimeoutMs'),
    timeoutMs * 3 + 500,
    timeoutMs,
    300_000,
  );

  return {
    name,
    masterName,
    sentinels,
    nodes,
    username: optionalString(raw.username, at('username')),
    passwordEnv,
    passwordSecretArn,
    sentinelUsername: optionalString(raw.sentinelUsername, at('sentinelUsername')),
    sentinelPasswordEnv,
    sentinelPasswordSecretArn,
    tls: boolean(raw.tls, at('tls'), false),
    expectedReplicas: integer(
      raw.expectedReplicas,
      at('expectedReplicas'),
      DEFAULTS.expectedReplicas,
      0,
      MAX_NODES - 1,
    ),
    expectedSentinels:
      raw.expectedSentinels === undefined || raw.expectedSentinels === null
        ? null
        : integer(raw.expectedSentinels, at('expectedSentinels'), 0, 1, MAX_SENTINELS),
    maxLagBytes: integer(
      raw.maxLagBytes,
      at('maxLagBytes'),
      DEFAULTS.maxLagBytes,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    maxLagSeconds: number(raw.maxLagSeconds, at('maxLagSeconds'), DEFAULTS.maxLagSeconds, 0, 86_400),
    reminderMinutes: number(raw.reminderMinutes, at('reminderMinutes'), DEFAULTS.reminderMinutes, 1, 10_080),
    minDownAfterMs: integer(raw.minDownAfterMs, at('minDownAfterMs'), DEFAULTS.minDownAfterMs, 0, 3_600_000),
    flapWindowMs:
      raw.flapWindowMs === undefined || raw.flapWindowMs === null
        ? null
        : integer(raw.flapWindowMs, at('flapWindowMs'), 0, 1000, 86_400_000),
    timeoutMs,
    pollTimeoutMs,
    writeProbe: boolean(raw.writeProbe, at('writeProbe'), true),
    lagCheckMs: optionalRange(raw.lagCheckMs, at('lagCheckMs'), DEFAULTS.lagCheckMs, 200, 60_000),
    maxReplyBytes: integer(
      raw.maxReplyBytes,
      at('maxReplyBytes'),
      DEFAULT_MAX_REPLY_BYTES,
      MIN_MAX_REPLY_BYTES,
      MAX_MAX_REPLY_BYTES,
    ),
    ...(raw.drill !== undefined ? { drill: parseCriteria(raw.drill, at('drill')) } : {}),
  };
}

/** An integer in [min, max], or 0 meaning "off". */
function optionalRange(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === 0) return 0;
  return integer(value, field, fallback, min, max);
}

function envName(value: unknown, field: string): string | null {
  const text = optionalString(value, field);
  if (text !== null && !ENV_VAR.test(text)) {
    throw new ConfigError(field, `"${text}" is not an environment variable name`);
  }
  return text;
}

function secretArn(value: unknown, field: string): string | null {
  const text = optionalString(value, field);
  if (text !== null && !SECRET_ARN.test(text)) {
    throw new ConfigError(field, `"${text}" is not a Secrets Manager secret ARN`);
  }
  return text;
}

function addressList(value: unknown, field: string, required: boolean, max: number): Address[] {
  if (!Array.isArray(value) || (required && value.length === 0)) {
    throw new ConfigError(
      field,
      `must be a${required ? ' non-empty' : 'n'} array of "host:port", got ${describe(value)}`,
    );
  }
  // Before reading any entry: a huge list is refused at once, whatever it holds.
  if (value.length > max) throw new ConfigError(field, `lists ${value.length} addresses: at most ${max}`);
  const seen = new Set<string>();
  return value.map((entry, i) => {
    // Addresses are canonical (see canonicalHost): "localhost:26379" and "127.0.0.1:26379" collide.
    const address = parseAddress(entry, `${field}[${i}]`);
    const key = formatAddress(address);
    if (seen.has(key)) throw new ConfigError(`${field}[${i}]`, `${key} is listed twice`);
    seen.add(key);
    return address;
  });
}
