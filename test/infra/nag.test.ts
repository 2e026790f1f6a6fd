import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  baseConfig,
  buildStack,
  deployment,
  fleet,
  HOOK_SECRET_ARN,
  type Json,
  LOOKUP_ENV,
  PD_SECRET_ARN,
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
      pagerDuty: { routingKeySecretArn: PD_SECRET_ARN, region: 'eu' },
      webhooks: [
        { name: 'incident-io', secretArn: HOOK_SECRET_ARN },
        { name: 'teams', secretArn: HOOK_SECRET_ARN, severities: ['critical'] },
      ],
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

describe('cdk-nag: AwsSolutionsChecks and ServerlessChecks', () => {
  it.each(variants)('finds no unacknowledged violation: %s', (_title, config, options) => {
    // Prepare
    const { app } = buildStack(config, options);

    // Act
    const reports = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].map((pack) =>
      pack.validateScope(app),
    );

    // Assess
    for (const report of reports) {
      expect(report.violations).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it("acknowledges only what cannot be fixed, where it applies, with a reason a reviewer can check (the drill key's rotation, the VPC functions' roles, the on-call policy's read-only wildcards, dead-letter queues, tracing, the schedule and the drill)", () => {
    // Prepare
    const { app } = buildStack(example);

    // Act
    const acks = acknowledgements(app);

    // Assess
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual(
      [
        'SentinelWatch/DrillKey/Secret AwsSolutions-SMG4',
        'SentinelWatch/Poller/Poller/Role AwsSolutions-IAM5[Resource::*]',
        'SentinelWatch/Drill/Drill/Role AwsSolutions-IAM5[Resource::*]',
        'SentinelWatch/OnCall/Policy AwsSolutions-IAM5[Resource::*]',
        'SentinelWatch/OnCall/Policy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:SentinelWatch-*]',
        // Dead-letter queues need no dead-letter queue of their own.
        'SentinelWatch/Alerting/EmailDeadLetters Serverless-SQSRedrivePolicy',
        'SentinelWatch/Alerting/EmailDeadLetters AwsSolutions-SQS3',
        'SentinelWatch/Notifiers/Slack/DeadLetters Serverless-SQSRedrivePolicy',
        'SentinelWatch/Notifiers/Slack/DeadLetters AwsSolutions-SQS3',
        // X-Ray is not used (it needs a Resource "*" grant).
        'SentinelWatch/Poller/Poller/Function Serverless-LambdaTracing',
        'SentinelWatch/Drill/Drill/Function Serverless-LambdaTracing',
        'SentinelWatch/Notifiers/Slack/Function/Function Serverless-LambdaTracing',
        // A schedule tick is not worth a DLQ; the drill is never invoked asynchronously.
        'SentinelWatch/Poller/Poller/Function Serverless-LambdaDLQ',
        'SentinelWatch/Poller/Poller/Function Serverless-LambdaAsyncFailureDestination',
        'SentinelWatch/Poller/Schedule Serverless-EventBusDLQ',
        'SentinelWatch/Drill/Drill/Function Serverless-LambdaDLQ',
        'SentinelWatch/Drill/Drill/Function Serverless-LambdaAsyncFailureDestination',
      ].sort(),
    );
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(120);
    const reasonOf = (path: string, id: string) => acks.find((a) => a.path === path && a.id === id)?.reason;
    for (const role of ['Poller/Poller', 'Drill/Drill']) {
      expect(reasonOf(`SentinelWatch/${role}/Role`, 'AwsSolutions-IAM5[Resource::*]')).toMatch(
        /ec2:DescribeNetworkInterfaces/,
      );
    }
    expect(reasonOf('SentinelWatch/OnCall/Policy', 'AwsSolutions-IAM5[Resource::*]')).toMatch(
      /^Only cloudwatch:GetMetricData/,
    );
    expect(
      reasonOf(
        'SentinelWatch/OnCall/Policy',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:SentinelWatch-*]',
      ),
    ).toMatch(/^cloudwatch:DescribeAlarms on the alarms of this stack only/);
    // No notifier's delivery path is acknowledged: each one is fixed.
    expect(
      acks.filter(
        (a) =>
          a.path.includes('Notifiers') && /DLQ|Redrive|Failure/.test(a.id) && !a.path.endsWith('DeadLetters'),
      ),
    ).toEqual([]);
    expect(reasonOf('SentinelWatch/DrillKey/Secret', 'AwsSolutions-SMG4')).toMatch(/HMAC key/);
  });

  it('passes synth through the validation plugin, as bin/app.ts registers it', () => {
    // Prepare
    const { app } = buildStack(example);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

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
