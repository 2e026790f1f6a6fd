// `cdk deploy` with no `-c` deploys config/example.json, whose VPC, subnets, route tables and security
// group are placeholders: the deploy would fail deep inside CloudFormation, or a lookup would ask AWS
// for a VPC that does not exist. A config that uses any of those ids is refused with what to do
// instead, unless the caller asks for the example on purpose (`npm run synth` in CI does).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'constructs';
import { ConfigError } from '../../lambdas/core/errors';
import { CONTEXT_KEYS } from './context';
import type { StackConfig } from './parse';

export const EXAMPLE_CONFIG_FILE = join(__dirname, '..', '..', 'config', 'example.json');

interface ExampleIds {
  readonly vpc?: { vpcId?: string; subnetIds?: string[]; routeTableIds?: string[] };
  readonly redisSecurityGroupId?: string;
}

/** Throws a ConfigError naming the first field that holds one of the example's placeholder ids. */
export function refuseExampleConfig(
  config: StackConfig,
  node: Node,
  exampleFile = EXAMPLE_CONFIG_FILE,
): void {
  const allow = node.tryGetContext(CONTEXT_KEYS.allowExampleConfig);
  if (allow === true || allow === 'true') return;
  let example: ExampleIds;
  try {
    example = JSON.parse(readFileSync(exampleFile, 'utf8')) as ExampleIds;
  } catch {
    return; // no example in this checkout: nothing to compare with
  }
  const placeholders = new Set(
    [
      example.vpc?.vpcId,
      ...(example.vpc?.subnetIds ?? []),
      ...(example.vpc?.routeTableIds ?? []),
      example.redisSecurityGroupId,
    ].filter((id): id is string => typeof id === 'string'),
  );
  const used: [string, string | null][] = [
    ['vpc.vpcId', config.vpc.vpcId],
    ...(config.vpc.subnetIds ?? []).map((id, i): [string, string] => [`vpc.subnetIds[${i}]`, id]),
    ...(config.vpc.kind === 'explicit' ? (config.vpc.routeTableIds ?? []) : []).map(
      (id, i): [string, string] => [`vpc.routeTableIds[${i}]`, id],
    ),
    ['redisSecurityGroupId', config.redisSecurityGroupId],
  ];
  const hit = used.find(([, id]) => id !== null && placeholders.has(id));
  if (!hit) return;
  throw new ConfigError(
    hit[0],
    `"${hit[1]}" is a placeholder from config/example.json, not an id in your account. Copy the ` +
      'example to config/prod.json, put in your VPC, subnets and deployments, and pass it: ' +
      `-c ${CONTEXT_KEYS.configFile}=config/prod.json. To synthesize the example on purpose (CI, a ` +
      `first look at the template), add -c ${CONTEXT_KEYS.allowExampleConfig}=true`,
  );
}
