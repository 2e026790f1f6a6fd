// The deployments part of the stack config: the shared schema of lambdas/core/config.ts, plus what AWS
// needs of it (passwords from Secrets Manager by full ARN), the number of shards that poll them and
// the deployments with per-deployment metrics. All of it reaches the Lambdas as one JSON file in their
// code asset (lambdas/core/fleet-config.ts), so there is no size limit but the shards'.

import { type DeploymentConfig, parseWatchConfig, type WatchConfig } from '../../lambdas/core/config';
import { ConfigError } from '../../lambdas/core/errors';
import {
  fleetConfigDocument,
  parseDetailedMetrics,
  parseFleetConfig,
  parseShards,
} from '../../lambdas/core/fleet-config';
import { WATCH_KEYS } from './keys';
import { fullSecretArn, secretGrantResources } from './secrets';

export interface DeploymentsSection {
  /** The deployments and poller settings the Lambdas get, parsed. */
  readonly watch: WatchConfig;
  /** Poller invocations per scheduled tick (lambdas/core/shard.ts). */
  readonly shards: number;
  /** Deployments that publish per-deployment and per-replica metrics. */
  readonly detailedMetrics: readonly string[];
  /** The file bundled into the poller's and the drill's code (lambdas/core/fleet-config.ts). */
  readonly fleetConfigJson: string;
  /** Every Secrets Manager secret the poller and the drill may read (passwords), sorted. */
  readonly passwordSecretArns: readonly string[];
  /** What their IAM policy grants: those ARNs, or their path prefixes when too many to list. */
  readonly passwordSecretGrants: readonly string[];
}

export function parseDeploymentsSection(root: Record<string, unknown>): DeploymentsSection {
  // The deployments part goes through the shared parser, untouched, so that the Lambdas (which parse
  // the bundled file with it again) see exactly what was validated here.
  const watchInput: Record<string, unknown> = {};
  for (const key of WATCH_KEYS) if (root[key] !== undefined) watchInput[key] = root[key];
  const watch = parseWatchConfig(watchInput);
  watch.deployments.forEach((d, i) => {
    checkDeploymentForAws(d, `deployments[${i}]`);
  });
  const shards = parseShards(root.shards, watch.deployments);
  const detailedMetrics = parseDetailedMetrics(root.detailedMetrics, watch.deployments);
  const fleetConfigJson = JSON.stringify(fleetConfigDocument(watchInput, shards, detailedMetrics));
  // What the Lambdas will read must read back the same: a check of the file format itself.
  parseFleetConfig(JSON.parse(fleetConfigJson));
  const passwordSecretArns = [
    ...new Set(
      watch.deployments.flatMap((d) =>
        [d.passwordSecretArn, d.sentinelPasswordSecretArn].filter((a): a is string => a !== null),
      ),
    ),
  ].sort();
  const passwordSecretGrants = secretGrantResources(passwordSecretArns);
  return { watch, shards, detailedMetrics, fleetConfigJson, passwordSecretArns, passwordSecretGrants };
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
