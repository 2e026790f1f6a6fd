// How functions in private subnets without a NAT reach the AWS APIs they call: a DynamoDB gateway
// endpoint (free; routes added to the subnets' route tables) and interface endpoints for SNS and
// Secrets Manager (billed per AZ-hour), reachable on 443 from the watcher's security group only.
// CloudWatch Logs and the EMF metrics need none: the Lambda service ships a function's logs itself.

import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface WatcherEndpointsProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The security group of the functions that use the endpoints. */
  readonly clients: ec2.ISecurityGroup;
}

export class WatcherEndpoints extends Construct {
  readonly dynamoDb: ec2.GatewayVpcEndpoint;
  readonly sns: ec2.InterfaceVpcEndpoint;
  readonly secretsManager: ec2.InterfaceVpcEndpoint;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: WatcherEndpointsProps) {
    super(scope, id);
    this.dynamoDb = new ec2.GatewayVpcEndpoint(this, 'DynamoDb', {
      vpc: props.vpc,
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [props.subnets],
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: props.vpc,
      description: 'sentinel-watch VPC endpoints: HTTPS from the watcher functions only',
      allowAllOutbound: false,
    });
    this.securityGroup.connections.allowFrom(props.clients, ec2.Port.tcp(443), 'HTTPS from sentinel-watch');

    const endpoint = (name: string, service: ec2.InterfaceVpcEndpointAwsService) =>
      new ec2.InterfaceVpcEndpoint(this, name, {
        vpc: props.vpc,
        service,
        subnets: props.subnets,
        securityGroups: [this.securityGroup],
        privateDnsEnabled: true,
        // Only the rule above: not the default "443 from the whole VPC".
        open: false,
      });
    this.sns = endpoint('Sns', ec2.InterfaceVpcEndpointAwsService.SNS);
    this.secretsManager = endpoint('SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
  }
}
