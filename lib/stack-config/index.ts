// The CDK app's config: the deployments to watch (the shared schema of lambdas/core/config.ts, so the
// Lambdas get exactly what was validated here) plus where and how to run in AWS. Validated at synth:
// every error is a ConfigError naming the field, unknown keys are rejected, defaults live here.
//
// One file per section: deployments.ts (what to watch), network.ts (VPC, security group, ports,
// endpoints), alerting.ts (email, Slack), secrets.ts (secret and KMS ARNs), limits.ts (schedule,
// timeouts, sizes, retention, alarm window), tags.ts (resource tags); parse.ts composes them,
// fleet-layout.ts is the several-stack layout (one alerting stack, a watcher stack per VPC),
// context.ts finds the file, example-guard.ts keeps config/example.json's placeholder ids out of a
// deploy.

export { type AlertEmail, SEVERITIES } from './alerting';
export {
  type AppConfig,
  CONTEXT_KEYS,
  DEFAULT_CONFIG_FILE,
  DEFAULT_STACK_NAME,
  loadAppConfig,
  loadStackConfig,
  stackNameFrom,
} from './context';
export { EXAMPLE_CONFIG_FILE, refuseExampleConfig } from './example-guard';
export {
  type AlertingConfig,
  type FleetLayout,
  isFleetLayout,
  parseFleetLayout,
  type WatcherConfig,
} from './fleet-layout';
export { DEPLOY_ONLY_KEYS, ROOT_KEYS, WATCH_KEYS } from './keys';
export { LOG_RETENTION_DAYS } from './limits';
export type { VpcConfig } from './network';
export { parseStackConfig, type StackConfig } from './parse';
export { MAX_TAGS, parseTags } from './tags';
