// Connection options shared by `check`, `watch` and `drill`: either `--config FILE` or flags that
// describe one deployment. Both paths end in the same validated WatchConfig.

import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import {
  type Credentials,
  type DeploymentConfig,
  parseWatchConfig,
  parseWatchConfigText,
  type WatchConfig,
} from '../lambdas/core/config';
import { ConfigError, UsageError } from '../lambdas/core/errors';

export const deploymentOptions = {
  config: { type: 'string' },
  sentinels: { type: 'string' },
  master: { type: 'string' },
  name: { type: 'string' },
  'password-env': { type: 'string' },
  'sentinel-password-env': { type: 'string' },
  username: { type: 'string' },
  'sentinel-username': { type: 'string' },
  tls: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  'expected-replicas': { type: 'string' },
  'expected-sentinels': { type: 'string' },
  'no-write-probe': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const deploymentOptionsHelp = `Connection (either --config, or --sentinels with --master):
  --config FILE                 JSON file with {"deployments": [...]} (see README, "Configuration")
  --sentinels H:P,H:P,...       sentinel addresses
  --master NAME                 master name the sentinels monitor
  --name NAME                   deployment name in output and alerts (default: the master name)
  --password-env VAR            env var holding the Redis password (default REDIS_PASSWORD, if set)
  --sentinel-password-env VAR   env var holding the sentinels' password, if they have one
  --username USER               ACL user for the data nodes
  --sentinel-username USER      ACL user for the sentinels
  --tls                         connect with TLS (trust extra CAs with NODE_EXTRA_CA_CERTS)
  --timeout-ms MS               deadline per server (default 1000); the poll's is 3x that + 500
  --expected-replicas N         default 2
  --expected-sentinels N        default: as many as the sentinels themselves know
  --no-write-probe              do not SET sentinel-watch:probe:<name> on the master each poll (for a
                                read-only ACL user; a master refusing writes is then seen only from INFO)`;

type Values = {
  readonly [K in keyof typeof deploymentOptions]?: (typeof deploymentOptions)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

const CONNECTION_FLAGS = [
  'sentinels',
  'master',
  'name',
  'password-env',
  'sentinel-password-env',
  'username',
  'sentinel-username',
  'tls',
  'timeout-ms',
  'expected-replicas',
  'expected-sentinels',
  'no-write-probe',
] as const;

/** Builds the config from `--config` or from flags. Throws UsageError / ConfigError naming the flag. */
export function watchConfigFrom(values: Values, env: NodeJS.ProcessEnv): WatchConfig {
  if (values.config !== undefined) {
    const mixed = CONNECTION_FLAGS.filter((f) => values[f] !== undefined);
    if (mixed.length > 0) {
      throw new UsageError(`--config cannot be combined with --${mixed.join(', --')}: put those in the file`);
    }
    let text: string;
    try {
      text = readFileSync(values.config, 'utf8');
    } catch (error) {
      throw new ConfigError(
        '--config',
        `cannot read ${values.config}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    return parseWatchConfigText(text, values.config);
  }
  if (!values.sentinels) throw new UsageError('give --sentinels H:P,... and --master NAME, or --config FILE');
  if (!values.master) throw new UsageError('--master NAME is required with --sentinels');
  const passwordEnv =
    values['password-env'] ?? (env.REDIS_PASSWORD !== undefined ? 'REDIS_PASSWORD' : undefined);
  const deployment: Record<string, unknown> = {
    masterName: values.master,
    sentinels: values.sentinels
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...(values.name ? { name: values.name } : {}),
    ...(passwordEnv ? { passwordEnv } : {}),
    ...(values['sentinel-password-env'] ? { sentinelPasswordEnv: values['sentinel-password-env'] } : {}),
    ...(values.username ? { username: values.username } : {}),
    ...(values['sentinel-username'] ? { sentinelUsername: values['sentinel-username'] } : {}),
    ...(values.tls ? { tls: true } : {}),
    ...numberFlag(values, 'timeout-ms', 'timeoutMs'),
    ...numberFlag(values, 'expected-replicas', 'expectedReplicas'),
    ...numberFlag(values, 'expected-sentinels', 'expectedSentinels'),
    ...(values['no-write-probe'] ? { writeProbe: false } : {}),
  };
  try {
    return parseWatchConfig({ deployments: [deployment] });
  } catch (error) {
    // Name the flag, not the config path the flags were turned into.
    if (error instanceof ConfigError) throw new UsageError(flagMessage(error));
    throw error;
  }
}

const FLAG_FOR_FIELD: Readonly<Record<string, string>> = {
  masterName: '--master',
  sentinels: '--sentinels',
  name: '--name',
  passwordEnv: '--password-env',
  sentinelPasswordEnv: '--sentinel-password-env',
  username: '--username',
  sentinelUsername: '--sentinel-username',
  timeoutMs: '--timeout-ms',
  expectedReplicas: '--expected-replicas',
  expectedSentinels: '--expected-sentinels',
};

function flagMessage(error: ConfigError): string {
  const match = /^deployments\[0\]\.(\w+)/.exec(error.field);
  const flag = match ? FLAG_FOR_FIELD[match[1]] : undefined;
  const problem = error.message.slice(error.field.length + 2);
  return flag ? `${flag}: ${problem}` : error.message;
}

function numberFlag(values: Values, flag: keyof Values, key: string): Record<string, unknown> {
  const text = values[flag];
  if (text === undefined) return {};
  const n = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${flag}: "${text}" is not a number`);
  }
  return { [key]: n };
}

/**
 * Reads passwords from the environment (local runs). A variable the config names explicitly must be
 * set: a silently missing password would show up later as a confusing NOAUTH finding.
 */
export function credentialsFromEnv(
  deployment: DeploymentConfig,
  index: number,
  env: NodeJS.ProcessEnv,
): Credentials {
  const field = (key: string) => `deployments[${index}].${key}`;
  for (const key of ['passwordSecretArn', 'sentinelPasswordSecretArn'] as const) {
    if (deployment[key]) {
      throw new ConfigError(
        field(key),
        'Secrets Manager ARNs are read by the Lambdas; for the CLI give the password in an env var (passwordEnv)',
      );
    }
  }
  const fromEnv = (name: string | null, key: string): string | undefined => {
    if (name === null) return undefined;
    const value = env[name];
    if (value === undefined || value === '')
      throw new ConfigError(field(key), `environment variable ${name} is not set`);
    return value;
  };
  const password = fromEnv(deployment.passwordEnv, 'passwordEnv');
  const sentinelPassword = fromEnv(deployment.sentinelPasswordEnv, 'sentinelPasswordEnv');
  return {
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(deployment.username ? { username: deployment.username } : {}),
    ...(deployment.sentinelUsername ? { sentinelUsername: deployment.sentinelUsername } : {}),
  };
}
