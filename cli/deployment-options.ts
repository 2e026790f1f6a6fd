// Connection options shared by `check`, `watch` and `drill`: either `--config FILE` or flags that
// describe one deployment. Both paths end in the same validated WatchConfig.

import type { ParseArgsConfig } from 'node:util';
import { parseWatchConfig, type WatchConfig } from '../lambdas/core/config';
import { ConfigError, UsageError } from '../lambdas/core/errors';
import type { SecretSource } from '../lambdas/core/ports';
import { readConfigFile } from './config-file';
import { parseDuration } from './duration';

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
  'aws-secrets': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const deploymentOptionsHelp = `Connection (either --config, or --sentinels with --master):
  --config FILE                 JSON file with {"deployments": [...]}, or the CDK stack's config file
                                (its deploy-only keys are ignored); see docs/cli.md
  --sentinels H:P,H:P,...       sentinel addresses
  --master NAME                 master name the sentinels monitor
  --name NAME                   deployment name in output and alerts (default: the master name)
  --password-env VAR            env var holding the Redis password (default REDIS_PASSWORD, if set);
                                with --config, for every deployment of the file
  --sentinel-password-env VAR   env var holding the sentinels' password, if they have one
  --aws-secrets                 read passwordSecretArn / sentinelPasswordSecretArn of --config from
                                Secrets Manager with your AWS credentials (AWS_PROFILE, SSO, a role)
  --username USER               ACL user for the data nodes
  --sentinel-username USER      ACL user for the sentinels
  --tls                         connect with TLS (trust extra CAs with NODE_EXTRA_CA_CERTS)
  --timeout-ms DURATION         deadline per server: 500ms, 2s, or a number of milliseconds
                                (default 1000); the poll's is 3x that + 500 ms
  --expected-replicas N         default 2
  --expected-sentinels N        default: as many as the sentinels themselves know
  --no-write-probe              do not SET sentinel-watch:probe:<name> on the master each poll (for a
                                read-only ACL user; a master refusing writes is then seen only from INFO)`;

type Values = {
  readonly [K in keyof typeof deploymentOptions]?: (typeof deploymentOptions)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

/** Flags that describe the deployment, so they cannot be combined with --config. */
const CONNECTION_FLAGS = [
  'sentinels',
  'master',
  'name',
  'username',
  'sentinel-username',
  'tls',
  'timeout-ms',
  'expected-replicas',
  'expected-sentinels',
  'no-write-probe',
] as const;

/**
 * `--password-env` / `--sentinel-password-env` with `--config`: the password of every deployment of
 * the file comes from that variable instead of its passwordEnv or passwordSecretArn (a stack config
 * names secret ARNs; a bastion user may rather export the password).
 */
function withPasswordEnv(config: WatchConfig, values: Values): WatchConfig {
  const passwordEnv = values['password-env'];
  const sentinelPasswordEnv = values['sentinel-password-env'];
  if (passwordEnv === undefined && sentinelPasswordEnv === undefined) return config;
  const deployments = config.deployments.map((d) => ({
    ...d,
    ...(passwordEnv !== undefined ? { passwordEnv, passwordSecretArn: null } : {}),
    ...(sentinelPasswordEnv !== undefined ? { sentinelPasswordEnv, sentinelPasswordSecretArn: null } : {}),
  }));
  // The variable names are checked as the file's own fields would be, naming the flag.
  try {
    parseWatchConfig({
      deployments: [
        {
          masterName: 'm',
          sentinels: ['127.0.0.1:1'],
          ...(passwordEnv !== undefined ? { passwordEnv } : {}),
          ...(sentinelPasswordEnv !== undefined ? { sentinelPasswordEnv } : {}),
        },
      ],
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(flagMessage(error));
    throw error;
  }
  return { ...config, deployments };
}

/** --aws-secrets: Secrets Manager with the user's credentials; the SDK is loaded only then. */
export async function secretSourceFrom(values: Values): Promise<SecretSource | null> {
  if (!values['aws-secrets']) return null;
  const { awsSecretSource } = await import('./aws-secrets');
  return awsSecretSource();
}

/** Builds the config from `--config` or from flags. Throws UsageError / ConfigError naming the flag. */
export function watchConfigFrom(values: Values, env: NodeJS.ProcessEnv): WatchConfig {
  if (values.config !== undefined) {
    const mixed = CONNECTION_FLAGS.filter((f) => values[f] !== undefined);
    if (mixed.length > 0) {
      throw new UsageError(`--config cannot be combined with --${mixed.join(', --')}: put those in the file`);
    }
    return withPasswordEnv(readConfigFile(values.config), values);
  }
  if (values['aws-secrets']) {
    throw new UsageError(
      '--aws-secrets reads the secret ARNs of a --config file; with flags, use --password-env',
    );
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
    ...(values['timeout-ms'] !== undefined
      ? {
          // The range is the config's (parseWatchConfig): one rule for the file and the flag.
          timeoutMs: parseDuration(values['timeout-ms'], {
            flag: '--timeout-ms',
            plainUnit: 'ms',
            minMs: 0,
            maxMs: Infinity,
          }),
        }
      : {}),
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
