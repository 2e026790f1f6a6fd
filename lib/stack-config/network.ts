// Where the watcher runs and what it may reach: the VPC (looked up, or given explicitly so synth needs
// no credentials), the security group and CIDRs of the Redis side, the ports, the VPC endpoints.

import { describe } from '../../lambdas/core/address';
import type { WatchConfig } from '../../lambdas/core/config';
import { ConfigError } from '../../lambdas/core/errors';
import { integer, objectAt, rejectUnknownKeys } from '../../lambdas/core/fields';
import { list, pattern, requiredPattern } from './fields';

export type VpcConfig =
  /** `Vpc.fromLookup` (needs credentials at synth); optionally only the given subnets. */
  | { readonly kind: 'lookup'; readonly vpcId: string; readonly subnetIds: readonly string[] | null }
  /** No lookup: the subnets, one availability zone per subnet, and their route tables. */
  | {
      readonly kind: 'explicit';
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
      readonly availabilityZones: readonly string[];
      readonly routeTableIds: readonly string[] | null;
    };

export interface NetworkSection {
  readonly vpc: VpcConfig;
  readonly redisSecurityGroupId: string | null;
  /** Where the Redis and sentinel ports may be reached (egress of the watcher's security group). */
  readonly redisCidrs: readonly string[];
  /** Ports of data nodes that Sentinel reports but the config does not list. */
  readonly dataNodePorts: readonly number[];
  /** Every TCP port the watcher must reach: sentinels, listed nodes and `dataNodePorts`, sorted. */
  readonly redisPorts: readonly number[];
}

const VPC_KEYS = ['vpcId', 'subnetIds', 'availabilityZones', 'routeTableIds'] as const;

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const ROUTE_TABLE_ID = /^rtb-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseNetworkSection(root: Record<string, unknown>, watch: WatchConfig): NetworkSection {
  const vpc = parseVpc(root.vpc);
  const redisSecurityGroupId = pattern(
    root.redisSecurityGroupId,
    'redisSecurityGroupId',
    SECURITY_GROUP_ID,
    'a security group id (sg-...)',
  );
  const redisCidrs =
    root.redisCidrs === undefined
      ? redisSecurityGroupId
        ? []
        : ['0.0.0.0/0']
      : list(root.redisCidrs, 'redisCidrs', (v, f) => cidr(v, f), redisSecurityGroupId === null);
  const dataNodePorts =
    root.dataNodePorts === undefined
      ? [6379]
      : list(root.dataNodePorts, 'dataNodePorts', (v, f) => integer(v, f, 0, 1, 65535), false);
  const redisPorts = [
    ...new Set([
      ...watch.deployments.flatMap((d) => [...d.sentinels, ...d.nodes].map((a) => a.port)),
      ...dataNodePorts,
    ]),
  ].sort((a, b) => a - b);
  return { vpc, redisSecurityGroupId, redisCidrs, dataNodePorts, redisPorts };
}

/** `vpcEndpoints`, checked against the VPC: the gateway endpoint needs the subnets' route tables. */
export function parseVpcEndpoints(value: unknown, vpc: VpcConfig): 'auto' | boolean {
  const vpcEndpoints = endpoints(value);
  if (vpc.kind === 'explicit' && vpcEndpoints !== false && vpc.routeTableIds === null) {
    throw new ConfigError(
      'vpc.routeTableIds',
      `is required with explicit subnetIds while vpcEndpoints is on (${JSON.stringify(vpcEndpoints)}` +
        `${vpcEndpoints === 'auto' ? ", which means on when the stack cannot see the subnets' routes" : ''}): ` +
        'the DynamoDB gateway endpoint is added to the route tables of those subnets. Give one per ' +
        'subnet, or set vpcEndpoints to false if the subnets have a NAT',
    );
  }
  return vpcEndpoints;
}

function parseVpc(value: unknown): VpcConfig {
  if (value === undefined) {
    throw new ConfigError(
      'vpc',
      'is required: { "vpcId": "vpc-..." } to look it up, or add "subnetIds" and "availabilityZones" to synth without lookups',
    );
  }
  const raw = objectAt(value, 'vpc');
  rejectUnknownKeys(raw, VPC_KEYS, 'vpc');
  const vpcId = requiredPattern(raw.vpcId, 'vpc.vpcId', VPC_ID, 'a VPC id (vpc-...)');
  const ids = (v: unknown, field: string, re: RegExp, what: string) =>
    list(v, field, (item, f) => requiredPattern(item, f, re, what), true, true);
  const subnetIds =
    raw.subnetIds === undefined ? null : ids(raw.subnetIds, 'vpc.subnetIds', SUBNET_ID, 'a subnet id');
  const availabilityZones =
    raw.availabilityZones === undefined
      ? null
      : list(
          raw.availabilityZones,
          'vpc.availabilityZones',
          (item, f) => requiredPattern(item, f, AVAILABILITY_ZONE, 'an availability zone name (us-east-1a)'),
          true,
        );
  const routeTableIds =
    raw.routeTableIds === undefined
      ? null
      : list(
          raw.routeTableIds,
          'vpc.routeTableIds',
          (item, f) => requiredPattern(item, f, ROUTE_TABLE_ID, 'a route table id (rtb-...)'),
          true,
        );

  if (availabilityZones === null) {
    if (routeTableIds !== null) {
      throw new ConfigError(
        'vpc.routeTableIds',
        'only goes with explicit subnetIds and availabilityZones (a looked-up VPC brings its route tables)',
      );
    }
    return { kind: 'lookup', vpcId, subnetIds };
  }
  if (subnetIds === null) {
    throw new ConfigError('vpc.subnetIds', 'is required with availabilityZones (one subnet per zone)');
  }
  if (availabilityZones.length !== subnetIds.length) {
    throw new ConfigError(
      'vpc.availabilityZones',
      `must name the zone of each subnet, in the order of subnetIds: ${subnetIds.length} subnets, ${availabilityZones.length} zones`,
    );
  }
  if (new Set(availabilityZones).size !== availabilityZones.length) {
    throw new ConfigError('vpc.availabilityZones', 'must not repeat a zone: give one subnet per zone');
  }
  if (routeTableIds !== null && routeTableIds.length !== subnetIds.length) {
    throw new ConfigError(
      'vpc.routeTableIds',
      `must give the route table of each subnet, in the order of subnetIds: ${subnetIds.length} subnets, ${routeTableIds.length} route tables`,
    );
  }
  return { kind: 'explicit', vpcId, subnetIds, availabilityZones, routeTableIds };
}

function endpoints(value: unknown): 'auto' | boolean {
  if (value === undefined || value === 'auto') return 'auto';
  if (typeof value === 'boolean') return value;
  throw new ConfigError('vpcEndpoints', `must be "auto", true or false, got ${describe(value)}`);
}

function cidr(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ConfigError(field, `must be an IPv4 CIDR, got ${describe(value)}`);
  const m = CIDR.exec(value.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new ConfigError(field, `"${value}" is not an IPv4 CIDR block (10.0.0.0/16)`);
  }
  return value.trim();
}
