// What the variant tests (variants*.test.ts) read of a template: a stack on a looked-up VPC, its
// functions by description, its VPC endpoints and the watcher's egress rules.

import type { Template } from 'aws-cdk-lib/assertions';
import {
  baseConfig,
  type Json,
  LOOKUP_ENV,
  resourcesOf,
  type SubnetType,
  synth,
  VPC_ID,
  vpcLookupContext,
} from './helpers';

export const lookupConfig = (vpc: Json = {}, overrides: Json = {}) =>
  baseConfig({ vpc: { vpcId: VPC_ID, ...vpc }, ...overrides });

export const lookup = (groups: SubnetType[], vpc: Json = {}, overrides: Json = {}) =>
  synth(lookupConfig(vpc, overrides), { env: LOOKUP_ENV, context: vpcLookupContext(groups) });

export function functionsByDescription(template: Template): Record<string, Json> {
  return Object.fromEntries(
    resourcesOf(template, 'AWS::Lambda::Function').map(([, r]) => {
      const props = r.Properties as Json;
      return [String(props.Description).split(/[:,]/)[0], props];
    }),
  );
}

export function endpointTypes(template: Template): string[] {
  return resourcesOf(template, 'AWS::EC2::VPCEndpoint')
    .map(
      ([, r]) =>
        JSON.stringify((r.Properties as Json).ServiceName).match(/dynamodb|secretsmanager|sns/)?.[0] ?? '?',
    )
    .sort();
}

/** The inline egress rules of the poller's and drill's security group. */
export function watcherEgress(template: Template): Json[] {
  const found = resourcesOf(template, 'AWS::EC2::SecurityGroup').find(([id]) =>
    id.startsWith('NetworkWatcher'),
  );
  if (!found) throw new Error('no NetworkWatcher security group');
  return (found[1].Properties as Json).SecurityGroupEgress as Json[];
}
