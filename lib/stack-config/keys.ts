// The stack config's top-level keys, in one dependency-free module: the CDK app validates all of them,
// and the CLI (which reads the same file on a bastion) takes the deployments' part and ignores the rest.

/** Keys shared with lambdas/core/config.ts (parseWatchConfig): what the Lambdas and the CLI get. */
export const WATCH_KEYS = ['deployments', 'pollEverySeconds', 'retentionDays'] as const;

/** Keys only the deployment reads: the VPC, the alert channels, the Lambdas' sizes and limits. */
export const DEPLOY_ONLY_KEYS = [
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
  'shards',
  'detailedMetrics',
  'tags',
  'onCallRoleArns',
] as const;

export const ROOT_KEYS = [...WATCH_KEYS, ...DEPLOY_ONLY_KEYS] as const;
