// Builds the stack from a config object, the way bin/app.ts does, with bundling skipped (the
// `aws:cdk:bundling-stacks: []` context) so that a synth takes a fraction of a second.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SentinelWatchStack } from '../../lib/sentinel-watch-stack';
import { parseStackConfig } from '../../lib/stack-config';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:sentinel-watch/orders-redis-AbC123`;
export const SENTINEL_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:sentinel-watch/orders-sentinel-DeF456`;
export const SLACK_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:sentinel-watch/slack-GhI789`;
export const VPC_ID = 'vpc-0123456789abcdef0';

export type Json = Record<string, unknown>;

export const deployment = (overrides: Json = {}): Json => ({
  name: 'orders-cache',
  masterName: 'mymaster',
  sentinels: ['10.20.1.61:26379', '10.20.2.62:26379', '10.20.3.63:26379'],
  passwordSecretArn: SECRET_ARN,
  ...overrides,
});

/** n deployments written like config/example.json's (about 430 bytes of JSON each). */
export function fleet(n: number): Json[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `cache-${String(i).padStart(4, '0')}`;
    return deployment({
      name,
      masterName: 'mymaster',
      sentinels: [1, 2, 3].map((n) => `sentinel-${n}.${name}.redis.internal:26379`),
      expectedReplicas: 2,
      expectedSentinels: 3,
      minDownAfterMs: 5000,
      flapWindowMs: 600000,
      passwordSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:sentinel-watch/${name}/redis-AbC123`,
    });
  });
}

export const explicitVpc = (overrides: Json = {}): Json => ({
  vpcId: VPC_ID,
  subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  routeTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa2'],
  ...overrides,
});

/** A minimal valid config: one deployment, explicit subnets, no lookups. */
export const baseConfig = (overrides: Json = {}): Json => ({
  deployments: [deployment()],
  vpc: explicitVpc(),
  alertEmails: ['redis-team@example.com'],
  ...overrides,
});

/**
 * The feature flags of cdk.json, as the CDK CLI passes them to the app: the tests must check the
 * template that `cdk deploy` produces, not the one of a bare `new App()`.
 */
export const CDK_JSON_FLAGS: Json = Object.fromEntries(
  Object.entries(
    (JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')) as { context: Json }).context,
  ).filter(([key]) => !key.startsWith('sentinel-watch:')),
);

export interface SynthOptions {
  readonly env?: Environment;
  readonly context?: Json;
}

export function buildStack(config: Json, options: SynthOptions = {}) {
  const app = new App({ context: { ...CDK_JSON_FLAGS, 'aws:cdk:bundling-stacks': [], ...options.context } });
  const stack = new SentinelWatchStack(app, 'SentinelWatch', {
    config: parseStackConfig(config),
    env: options.env,
  });
  return { app, stack };
}

export function synth(config: Json, options: SynthOptions = {}): Template {
  return Template.fromStack(buildStack(config, options).stack);
}

export type SubnetType = 'Public' | 'Private' | 'Isolated';

/**
 * The context value the CLI's VPC lookup would store, for a stack in ACCOUNT/REGION: two subnets per
 * group given.
 */
export function vpcLookupContext(groups: readonly SubnetType[], vpcId = VPC_ID): Json {
  const key = `vpc-provider:account=${ACCOUNT}:filter.vpc-id=${vpcId}:region=${REGION}:returnAsymmetricSubnets=true`;
  const prefix: Record<SubnetType, string> = { Public: 'b', Private: 'c', Isolated: 'd' };
  return {
    [key]: {
      vpcId,
      vpcCidrBlock: '10.20.0.0/16',
      availabilityZones: [],
      subnetGroups: groups.map((type) => ({
        name: type,
        type,
        subnets: ['a', 'b'].map((az, i) => ({
          subnetId: subnetId(type, i),
          cidr: `10.20.${i}.0/24`,
          availabilityZone: `${REGION}${az}`,
          routeTableId: `rtb-0${prefix[type].repeat(15)}${i}`,
        })),
      })),
    },
  };
}

export function subnetId(type: SubnetType, index: number): string {
  const prefix: Record<SubnetType, string> = { Public: 'b', Private: 'c', Isolated: 'd' };
  return `subnet-0${prefix[type].repeat(15)}${index}`;
}

export const LOOKUP_ENV: Environment = { account: ACCOUNT, region: REGION };

/** Every resource of a type, as [logicalId, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)) as [string, Json][];
}
