// Where the watcher runs: the user's VPC (looked up, or given subnet by subnet), the private subnets
// its functions get, and their security group. Egress is limited to the Redis and sentinel ports
// the config names (plus HTTPS for AWS APIs); when the Redis security group is given, its ingress
// rule for those ports is added here too.

import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConfigError } from '../../lambdas/core/errors';
import type { VpcConfig } from '../stack-config';

export interface WatcherNetworkProps {
  readonly vpc: VpcConfig;
  /** TCP ports of every sentinel and data node the watcher talks to. */
  readonly redisPorts: readonly number[];
  /** Redis security group: egress to it, and an ingress rule on it from the watcher. */
  readonly redisSecurityGroupId: string | null;
  /** CIDR blocks the Redis ports may be reached in (with or instead of the security group). */
  readonly redisCidrs: readonly string[];
}

export class WatcherNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The poller's and the drill's security group. */
  readonly securityGroup: ec2.SecurityGroup;
  /**
   * Whether the selected subnets are known to have no route to the internet (no NAT or transit
   * gateway); null when the subnets were given explicitly and this cannot be known at synth.
   */
  readonly isolated: boolean | null;

  constructor(scope: Construct, id: string, props: WatcherNetworkProps) {
    super(scope, id);
    const config = props.vpc;

    if (config.kind === 'explicit') {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: config.vpcId,
        availabilityZones: [...config.availabilityZones],
        privateSubnetIds: [...config.subnetIds],
        privateSubnetRouteTableIds: config.routeTableIds ? [...config.routeTableIds] : undefined,
      });
      this.subnets = { subnets: this.vpc.privateSubnets };
      this.isolated = null;
      if (config.routeTableIds === null) {
        // Allowed only with vpcEndpoints false (the schema checks it): then nothing reads them.
        Validations.of(this).acknowledge({
          id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
          reason:
            'No route tables given because no gateway endpoint is added (vpcEndpoints false): ' +
            "nothing in this stack reads the subnets' route tables.",
        });
      }
    } else {
      const stack = Stack.of(this);
      if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
        throw new ConfigError(
          'vpc',
          `looking up ${config.vpcId} needs an account and a region: run cdk with AWS credentials ` +
            '(CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION), or give vpc.subnetIds, vpc.availabilityZones ' +
            'and vpc.routeTableIds to synth without lookups',
        );
      }
      this.vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: config.vpcId });
      // Until the CLI has done the lookup, CDK hands out a placeholder VPC: nothing can be checked yet.
      const lookedUp = this.vpc.vpcId === config.vpcId;
      if (!lookedUp) acknowledgePlaceholderIds(Stack.of(this));
      const selected = selectPrivateSubnets(this.vpc, config.subnetIds, lookedUp);
      this.subnets = { subnets: selected };
      const isolatedIds = new Set(this.vpc.isolatedSubnets.map((s) => s.subnetId));
      this.isolated = selected.some((s) => isolatedIds.has(s.subnetId));
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'WatcherSecurityGroup', {
      vpc: this.vpc,
      description: 'sentinel-watch poller and drill: Redis/Sentinel ports and HTTPS to AWS APIs only',
      allowAllOutbound: false,
    });
    // AWS APIs (DynamoDB, SNS, Secrets Manager): through VPC endpoints or a NAT, which the route
    // tables decide; their addresses are not known here, so HTTPS goes to any address.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');

    const redisSg = props.redisSecurityGroupId
      ? ec2.SecurityGroup.fromSecurityGroupId(this, 'RedisSecurityGroup', props.redisSecurityGroupId, {
          mutable: true,
        })
      : null;
    for (const port of props.redisPorts) {
      if (redisSg) {
        // Egress on ours, and the matching ingress rule on the Redis security group.
        this.securityGroup.connections.allowTo(redisSg, ec2.Port.tcp(port), `Redis/Sentinel ${port}`);
      }
      for (const cidr of props.redisCidrs) {
        this.securityGroup.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), `Redis/Sentinel ${port}`);
      }
    }
  }
}

/**
 * With `@aws-cdk/core:validateAgainstDefaultRules` (cdk.json), CloudFormation's schema checks fail
 * synth on the placeholder's ids (vpc-12345, p-12345). That first synth only tells the CLI which
 * lookups to do; it then synthesizes again with the real ids, where nothing is acknowledged.
 */
function acknowledgePlaceholderIds(stack: Stack): void {
  const reason =
    "CDK's placeholder VPC before the CLI has looked up the configured one: the CLI synthesizes " +
    'again with the real VPC and subnet ids, and these checks run on that template unacknowledged.';
  Validations.of(stack).acknowledge(
    { id: 'CloudFormation-Validate::F3031', reason },
    { id: 'CloudFormation-Validate::E1151', reason },
  );
}

function selectPrivateSubnets(
  vpc: ec2.IVpc,
  subnetIds: readonly string[] | null,
  lookedUp: boolean,
): ec2.ISubnet[] {
  const candidates = [...vpc.privateSubnets, ...vpc.isolatedSubnets];
  if (subnetIds === null) {
    // Subnets with a NAT first; isolated ones (which need the VPC endpoints) otherwise.
    const chosen = vpc.privateSubnets.length > 0 ? vpc.privateSubnets : vpc.isolatedSubnets;
    if (chosen.length === 0) {
      throw new ConfigError(
        'vpc.vpcId',
        `${vpc.vpcId} has no private subnets (only public ones, where a Lambda function gets no ` +
          'public address): give vpc.subnetIds of private subnets',
      );
    }
    return chosen;
  }
  if (!lookedUp) return candidates.slice(0, 1);
  const publicIds = new Set(vpc.publicSubnets.map((s) => s.subnetId));
  return subnetIds.map((id, i) => {
    if (publicIds.has(id)) {
      throw new ConfigError(
        `vpc.subnetIds[${i}]`,
        `${id} is a public subnet, where a Lambda function gets no public address: choose private subnets`,
      );
    }
    const subnet = candidates.find((s) => s.subnetId === id);
    if (!subnet) throw new ConfigError(`vpc.subnetIds[${i}]`, `${id} is not a subnet of ${vpc.vpcId}`);
    return subnet;
  });
}
