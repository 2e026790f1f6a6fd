// Stack variants of the network: a looked-up VPC (NAT, isolated or given subnets) and explicit
// subnets, with and without VPC endpoints.

import { configErrorOf } from '../support/config-error';
import {
  baseConfig,
  buildStack,
  explicitVpc,
  type Json,
  LOOKUP_ENV,
  subnetId,
  synth,
  VPC_ID,
} from './helpers';
import { endpointTypes, functionsByDescription, lookup, lookupConfig } from './variant-helpers';

describe('Variant: VPC lookup', () => {
  it('puts the functions in the NAT subnets and, auto, adds no endpoints', () => {
    // Act
    const template = lookup(['Public', 'Private', 'Isolated']);

    // Assess
    const poller = functionsByDescription(template)['sentinel-watch poller'];
    expect((poller.VpcConfig as Json).SubnetIds).toEqual([subnetId('Private', 0), subnetId('Private', 1)]);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: VPC_ID });
  });

  it('uses isolated subnets when there are no others, and then adds the endpoints', () => {
    // Act
    const template = lookup(['Public', 'Isolated']);

    // Assess
    const poller = functionsByDescription(template)['sentinel-watch poller'];
    expect((poller.VpcConfig as Json).SubnetIds).toEqual([subnetId('Isolated', 0), subnetId('Isolated', 1)]);
    expect(endpointTypes(template)).toEqual(['dynamodb', 'secretsmanager', 'sns']);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      RouteTableIds: ['rtb-0ddddddddddddddd0', 'rtb-0ddddddddddddddd1'],
    });
  });

  it('takes the subnets given by id, and adds endpoints when one of them is isolated', () => {
    // Act
    const template = lookup(['Private', 'Isolated'], {
      subnetIds: [subnetId('Private', 1), subnetId('Isolated', 0)],
    });

    // Assess
    const poller = functionsByDescription(template)['sentinel-watch poller'];
    expect((poller.VpcConfig as Json).SubnetIds).toEqual([subnetId('Private', 1), subnetId('Isolated', 0)]);
    expect(endpointTypes(template)).toEqual(['dynamodb', 'secretsmanager', 'sns']);
  });

  it('adds endpoints to NAT subnets when asked to, and none to isolated ones when told not to', () => {
    expect(endpointTypes(lookup(['Private'], {}, { vpcEndpoints: true }))).toEqual([
      'dynamodb',
      'secretsmanager',
      'sns',
    ]);
    expect(endpointTypes(lookup(['Isolated'], {}, { vpcEndpoints: false }))).toEqual([]);
  });

  it('refuses public or unknown subnets, and a VPC with only public ones', () => {
    expect(
      configErrorOf(() => lookup(['Public', 'Private'], { subnetIds: [subnetId('Public', 0)] })),
    ).toMatchObject({
      field: 'vpc.subnetIds[0]',
      message: expect.stringMatching(/is a public subnet/),
    });
    expect(
      configErrorOf(() => lookup(['Private'], { subnetIds: ['subnet-0eeeeeeeeeeeeeee1'] })),
    ).toMatchObject({
      field: 'vpc.subnetIds[0]',
      message: expect.stringMatching(/is not a subnet of vpc-/),
    });
    expect(configErrorOf(() => lookup(['Public']))).toMatchObject({ field: 'vpc.vpcId' });
  });

  it('asks for credentials (or explicit subnets) when the stack has no account and region', () => {
    expect(configErrorOf(() => synth(lookupConfig()))).toMatchObject({
      field: 'vpc',
      message: expect.stringMatching(/needs an account and a region.*vpc.subnetIds/),
    });
  });

  it('synthesizes with the placeholder VPC before the CLI has looked it up', () => {
    // Prepare: no lookup context, so CDK hands out its dummy VPC and records what is missing.
    const { app } = buildStack(lookupConfig({ subnetIds: [subnetId('Private', 0)] }), { env: LOOKUP_ENV });
    // CDK's template validation warns about the placeholder ids; the CLI synthesizes again after the lookup.
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => {});

    // Act
    const assembly = app.synth();
    stderr.mockRestore();

    // Assess
    expect(assembly.manifest.missing?.map((m) => m.provider)).toEqual(['vpc-provider']);
  });
});

describe('Variant: explicit subnets', () => {
  it('adds no endpoints when told not to, and then needs no route tables', () => {
    // Act
    const template = synth(
      baseConfig({ vpc: explicitVpc({ routeTableIds: undefined }), vpcEndpoints: false }),
    );

    // Assess
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
  });
});
