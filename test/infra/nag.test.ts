import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  baseConfig,
  buildStack,
  deployment,
  fleet,
  type Json,
  LOOKUP_ENV,
  SENTINEL_SECRET_ARN,
  SLACK_SECRET_ARN,
  VPC_ID,
  vpcLookupContext,
} from './helpers';

const example = JSON.parse(readFileSync(join(__dirname, '../../config/example.json'), 'utf8')) as Json;

const variants: [string, Json, Parameters<typeof buildStack>[1]][] = [
  ['config/example.json (explicit subnets, endpoints, Slack, Redis security group)', example, {}],
  ['minimal, no endpoints', baseConfig({ vpcEndpoints: false }), {}],
  [
    'VPC lookup with NAT',
    baseConfig({ vpc: { vpcId: VPC_ID } }),
    { env: LOOKUP_ENV, context: vpcLookupContext(['Public', 'Private']) },
  ],
  [
    'VPC lookup, isolated',
    baseConfig({ vpc: { vpcId: VPC_ID } }),
    { env: LOOKUP_ENV, context: vpcLookupContext(['Isolated']) },
  ],
  [
    'everything optional on',
    baseConfig({
      deployments: [
        deployment({ sentinelPasswordSecretArn: SENTINEL_SECRET_ARN }),
        deployment({ name: 'sessions' }),
      ],
      slackWebhookSecretArn: SLACK_SECRET_ARN,
      tableEncryption: 'customer-managed',
      secretsKmsKeyArns: ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      alertEmails: [{ address: 'oncall@example.com', severities: ['critical'] }],
      reservedConcurrency: 2,
      pollEverySeconds: 10,
      detailedMetrics: ['sessions'],
      tags: { team: 'platform', 'cost-center': '4711' },
    }),
    {},
  ],
  [
    'a fleet: 1,000 deployments in 20 shards, secrets granted by path prefix',
    baseConfig({ deployments: fleet(1000), shards: 20, pollEverySeconds: 60 }),
    {},
  ],
];

/** Every acknowledgement recorded in the construct tree, with the path it was recorded at. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag: AwsSolutionsChecks', () => {
  it.each(variants)('finds no unacknowledged violation: %s', (_title, config, options) => {
    // Prepare
    const { app } = buildStack(config, options);

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it("acknowledges the drill key's rotation, the VPC functions' roles and the on-call policy's read-only wildcards only, with reasons a reviewer can check", () => {
    // Prepare
    const { app } = buildStack(example);

    // Act
    const acks = acknowledgements(app);

    // Assess
    // The on-call policy belongs to the alerting half (lib/compose.ts), built before the watcher half.
    expect(acks.map((a) => [a.path, a.id])).toEqual([
      ['SentinelWatch/OnCall/Policy', 'AwsSolutions-IAM5[Resource::*]'],
      [
        'SentinelWatch/OnCall/Policy',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:SentinelWatch-*]',
      ],
      ['SentinelWatch/DrillKey/Secret', 'AwsSolutions-SMG4'],
      ['SentinelWatch/Poller/Poller/Role', 'AwsSolutions-IAM5[Resource::*]'],
      ['SentinelWatch/Drill/Drill/Role', 'AwsSolutions-IAM5[Resource::*]'],
    ]);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(120);
    expect(acks[0].reason).toMatch(/^Only cloudwatch:GetMetricData/);
    expect(acks[1].reason).toMatch(/^cloudwatch:DescribeAlarms on the alarms of this stack only/);
    expect(acks[2].reason).toMatch(/HMAC key/);
    for (const ack of acks.slice(3, 5)) expect(ack.reason).toMatch(/ec2:DescribeNetworkInterfaces/);
  });

  it('passes synth through the validation plugin, as bin/app.ts registers it', () => {
    // Prepare
    const { app } = buildStack(example);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act / Assess
    expect(() => app.synth()).not.toThrow();
  });

  it('fails synth through the validation plugin when a finding is not acknowledged', () => {
    // Prepare: a wildcard nobody acknowledged.
    const { app, stack } = buildStack(example);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    stack.poller.watcher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }),
    );

    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });
});
