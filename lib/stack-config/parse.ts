// The whole stack config: one section parser per concern, composed in the order a reader meets the
// fields (so the first error reported is the first one in the file's usual layout).

import type { DeploymentConfig, WatchConfig } from '../../lambdas/core/config';
import { objectAt, rejectUnknownKeys } from '../../lambdas/core/fields';
import { type AlertEmail, parseAlertingSection } from './alerting';
import { parseDeploymentsSection } from './deployments';
import { ROOT_KEYS } from './keys';
import { parseLimitsSection, parseScheduleMinutes } from './limits';
import { parseNetworkSection, parseVpcEndpoints, type VpcConfig } from './network';
import { parseOnCallSection } from './on-call';
import { parseSecretsKmsKeyArns } from './secrets';
import { parseTags } from './tags';

export interface StackConfig {
  /** The deployments and poller settings the Lambdas get, parsed. */
  readonly watch: WatchConfig;
  readonly deployments: readonly DeploymentConfig[];
  /** Poller invocations per scheduled tick, each watching its share of the deployments. */
  readonly shards: number;
  /** Deployments that publish per-deployment and per-replica metrics (and get their own alarm). */
  readonly detailedMetrics: readonly string[];
  /** The file bundled into the poller's and the drill's code asset (lambdas/core/fleet-config.ts). */
  readonly fleetConfigJson: string;
  /** Put on every resource that can carry tags. */
  readonly tags: Readonly<Record<string, string>>;
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
  /** The resources their IAM policy names: the ARNs, or path prefixes (`.../sentinel-watch/*`) for many. */
  readonly passwordSecretGrants: readonly string[];
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
  /** IAM roles that get the on-call policy (silence, history, test-alert, doctor). */
  readonly onCallRoleArns: readonly string[];
}

/**
 * Validates the stack config (parsed JSON or a JS object) and applies defaults. Throws ConfigError
 * naming the field.
 */
export function parseStackConfig(input: unknown): StackConfig {
  const root = objectAt(input, '(config)');
  rejectUnknownKeys(root, ROOT_KEYS, '');
  const { watch, shards, detailedMetrics, fleetConfigJson, passwordSecretArns, passwordSecretGrants } =
    parseDeploymentsSection(root);
  const network = parseNetworkSection(root, watch);
  const scheduleMinutes = parseScheduleMinutes(root, watch);
  const alerting = parseAlertingSection(root);
  const secretsKmsKeyArns = parseSecretsKmsKeyArns(root.secretsKmsKeyArns);
  const vpcEndpoints = parseVpcEndpoints(root.vpcEndpoints, network.vpc);
  const limits = parseLimitsSection(root, watch, scheduleMinutes, shards);
  const tags = parseTags(root.tags);
  const onCall = parseOnCallSection(root);
  return {
    watch,
    deployments: watch.deployments,
    shards,
    detailedMetrics,
    fleetConfigJson,
    tags,
    ...network,
    scheduleMinutes,
    ...alerting,
    passwordSecretArns,
    passwordSecretGrants,
    secretsKmsKeyArns,
    retentionDays: watch.retentionDays,
    pollEverySeconds: watch.pollEverySeconds,
    vpcEndpoints,
    ...limits,
    ...onCall,
  };
}
