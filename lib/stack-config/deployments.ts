// The deployments part of the stack config: the shared schema of lambdas/core/config.ts, plus what AWS
// needs of it (passwords from Secrets Manager by full ARN, a size that fits the Lambdas' environment).

import { type DeploymentConfig, parseWatchConfig, type WatchConfig } from '../../lambdas/core/config';
import { ConfigError } from '../../lambdas/core/errors';
import { WATCH_KEYS } from './keys';
import { fullSecretArn } from './secrets';

/**
 * Lambda allows 4 KB for all environment variables together; the deployments' JSON gets most of it,
 * the table name and topic ARN (and the runtime's own NODE_OPTIONS) the rest.
 */
export const MAX_WATCH_CONFIG_BYTES = 3500;

export interface DeploymentsSection {
  /** What the Lambdas get as SENTINEL_WATCH_CONFIG, parsed. */
  readonly watch: WatchConfig;
  /** The same, as the JSON text the Lambdas parse again (the user's input, validated). */
  readonly watchConfigJson: string;
  /** Every Secrets Manager secret the poller and the drill may read (passwords), sorted. */
  readonly passwordSecretArns: readonly string[];
}

export function parseDeploymentsSection(root: Record<string, unknown>): DeploymentsSection {
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
  const passwordSecretArns = [
    ...new Set(
      watch.deployments.flatMap((d) =>
        [d.passwordSecretArn, d.sentinelPasswordSecretArn].filter((a): a is string => a !== null),
      ),
    ),
  ].sort();
  return { watch, watchConfigJson, passwordSecretArns };
}

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
