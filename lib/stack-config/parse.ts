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
  const { watch, watchConfigJson, passwordSecretArns } = parseDeploymentsSection(root);
  const network = parseNetworkSection(root, watch);
  const scheduleMinutes = parseScheduleMinutes(root, watch);
  const alerting = parseAlertingSection(root);
  const secretsKmsKeyArns = parseSecretsKmsKeyArns(root.secretsKmsKeyArns);
  const vpcEndpoints = parseVpcEndpoints(root.vpcEndpoints, network.vpc);
  const limits = parseLimitsSection(root, watch, scheduleMinutes);
  const onCall = parseOnCallSection(root);
  return {
    watch,
    watchConfigJson,
    deployments: watch.deployments,
    ...network,
    scheduleMinutes,
    ...alerting,
    passwordSecretArns,
    secretsKmsKeyArns,
    retentionDays: watch.retentionDays,
    pollEverySeconds: watch.pollEverySeconds,
    vpcEndpoints,
    ...limits,
    ...onCall,
  };
}
