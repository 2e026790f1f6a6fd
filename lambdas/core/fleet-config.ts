// The poller's config as the CDK app bundles it into the function's code asset (one JSON file next to
// index.js): the deployments (the shared schema of config.ts), how many shards poll them, and which
// deployments get per-deployment metrics. Validated at synth by the CDK app and again at cold start
// by the Lambda, with the same code, so a file that reaches a Lambda is one that passed synth.
//
// Why a file in the asset rather than an environment variable (4 KB for all of them: 9 deployments)
// or S3/SSM/the table: the code and its config are one asset with one hash, so a deploy changes both
// at once or neither (CloudFormation rolls both back together), there is no second place to edit by
// hand, and no extra call or permission at cold start. See docs/aws.md ("Fleets").

import { type DeploymentConfig, parseWatchConfig, type WatchConfig } from './config';
import { ConfigError } from './errors';
import { integer, objectAt, rejectUnknownKeys } from './fields';
import { assignShards, fewestShards } from './shard';

/** File name inside the function's asset directory. */
export const FLEET_CONFIG_FILE = 'sentinel-watch-config.json';
export const FLEET_CONFIG_FORMAT = 'sentinel-watch/fleet-config/1';

/**
 * A shard holds at most this many deployments. What bounds it: connections per invocation (3
 * pub/sub connections per deployment with `pollEverySeconds`, plus the polls in flight) against
 * Lambda's 1,024 file descriptors, the memory measured by `npm run bench -- --fleet` (docs/benchmarks.md,
 * "Fleet"), and the poll of a whole shard finishing within seconds of the scheduled minute.
 */
export const MAX_DEPLOYMENTS_PER_SHARD = 100;
export const MAX_SHARDS = 200;
/** Deployments probed at the same time by one invocation: bounds its Redis connections in flight. */
export const POLL_CONCURRENCY = 25;

/**
 * Peak memory of one poller invocation (VmHWM, what Lambda reports as "Max Memory Used") for a shard
 * of n deployments: measured by `npm run bench -- --fleet` with the bundled poller (Node 20, x64):
 * ~96 MB with 5 deployments, ~120 MB with 28, ~146 MB with 56 (docs/benchmarks.md, "Fleet").
 */
export const MEMORY_MODEL = { baseMb: 96, perDeploymentMb: 0.9 } as const;
export const estimatedPeakMb = (deployments: number): number =>
  MEMORY_MODEL.baseMb + MEMORY_MODEL.perDeploymentMb * deployments;
/** The memory sizes the stack picks from: the smallest with twice the estimated peak. */
export const MEMORY_SIZES = [256, 512, 1024, 2048] as const;
export const memorySizeFor = (deployments: number): number =>
  MEMORY_SIZES.find((m) => m >= 2 * estimatedPeakMb(deployments)) ?? MEMORY_SIZES[MEMORY_SIZES.length - 1];

export interface FleetConfig {
  readonly watch: WatchConfig;
  /** Poller invocations per scheduled tick; a deployment's shard is shardOf(name, shards). */
  readonly shards: number;
  /** Deployments that publish per-deployment (and per-replica) CloudWatch metrics. */
  readonly detailedMetrics: readonly string[];
}

const FILE_KEYS = ['format', 'watch', 'shards', 'detailedMetrics'] as const;

/** The bundled file's content, from the validated watch config input (the user's own JSON). */
export function fleetConfigDocument(
  watchInput: Record<string, unknown>,
  shards: number,
  detailedMetrics: readonly string[],
): Record<string, unknown> {
  return { format: FLEET_CONFIG_FORMAT, shards, detailedMetrics: [...detailedMetrics], watch: watchInput };
}

/** Reads the bundled file's content back; errors name the field inside it. */
export function parseFleetConfig(input: unknown): FleetConfig {
  const root = objectAt(input, '(fleet config)');
  rejectUnknownKeys(root, FILE_KEYS, '');
  if (root.format !== FLEET_CONFIG_FORMAT) {
    throw new ConfigError('format', `must be "${FLEET_CONFIG_FORMAT}", got ${JSON.stringify(root.format)}`);
  }
  const watch = parseWatchConfig(root.watch);
  const shards = parseShards(root.shards, watch.deployments);
  const detailedMetrics = parseDetailedMetrics(root.detailedMetrics, watch.deployments);
  return { watch, shards, detailedMetrics };
}

/**
 * `shards`: 1 to MAX_SHARDS, and enough that no shard holds more than MAX_DEPLOYMENTS_PER_SHARD
 * deployments (the error says how many would do).
 */
export function parseShards(value: unknown, deployments: readonly DeploymentConfig[]): number {
  const shards = integer(value, 'shards', 1, 1, MAX_SHARDS);
  const sizes = assignShards(deployments, shards).map((s) => s.length);
  const largest = Math.max(...sizes);
  if (largest > MAX_DEPLOYMENTS_PER_SHARD) {
    const enough = fewestShards(
      deployments.map((d) => d.name),
      MAX_DEPLOYMENTS_PER_SHARD,
      shards + 1,
      MAX_SHARDS,
    );
    throw new ConfigError(
      'shards',
      `${shards} shard${shards === 1 ? '' : 's'} for ${deployments.length} deployments puts ${largest} in ` +
        `shard ${sizes.indexOf(largest)}, more than the ${MAX_DEPLOYMENTS_PER_SHARD} one poller ` +
        `invocation watches: ${enough === null ? `split the deployments over several stacks` : `set shards to ${enough} or more`}`,
    );
  }
  return shards;
}

/** `detailedMetrics`: names of configured deployments, each once. */
export function parseDetailedMetrics(value: unknown, deployments: readonly DeploymentConfig[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ConfigError('detailedMetrics', 'must be an array of deployment names');
  }
  const names = new Set(deployments.map((d) => d.name));
  return value.map((v, i) => {
    const field = `detailedMetrics[${i}]`;
    if (typeof v !== 'string' || !names.has(v)) {
      throw new ConfigError(field, `${JSON.stringify(v)} is not the name of a configured deployment`);
    }
    if (value.indexOf(v) !== i) throw new ConfigError(field, `"${v}" is listed twice`);
    return v;
  });
}

/** The deployments one shard watches, as the watch config runPoller takes. */
export function shardWatchConfig(fleet: FleetConfig, shard: number): WatchConfig {
  return { ...fleet.watch, deployments: assignShards(fleet.watch.deployments, fleet.shards)[shard] ?? [] };
}
