// A fleet across VPCs and accounts: one alerting stack (table, topic, key, notifiers) and one watcher
// stack per VPC, tied by names and ARNs that are checked at synth.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildFleet } from '../../lib/fleet-stacks';
import { parseFleetLayout } from '../../lib/stack-config';
import { configErrorOf } from '../support/config-error';
import {
  ACCOUNT,
  deployment,
  explicitVpc,
  type Json,
  REGION,
  resourcesOf,
  SLACK_SECRET_ARN,
} from './helpers';

const OTHER_ACCOUNT = '210987654321';

const layout = (patch: Json = {}, watchers?: Json[]): Json => ({
  alerting: {
    account: ACCOUNT,
    region: REGION,
    alertEmails: ['redis-team@example.com'],
    slackWebhookSecretArn: SLACK_SECRET_ARN,
  },
  tags: { team: 'platform' },
  watchers: watchers ?? [
    {
      name: 'orders-vpc',
      vpc: explicitVpc(),
      deployments: [deployment()],
      shards: 1,
    },
    {
      name: 'payments-vpc',
      vpc: explicitVpc({ vpcId: 'vpc-0fedcba9876543210' }),
      deployments: [deployment({ name: 'payments-cache' })],
      vpcEndpoints: false,
    },
  ],
  ...patch,
});

function build(config: Json) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildFleet(app, parseFleetLayout(config), 'SentinelWatch', {});
  const template = (s: Stack) => Template.fromStack(s);
  return { app, stacks, template };
}

const layoutError = (config: Json) => configErrorOf(() => parseFleetLayout(config)).message;

describe('Fleet layout: one alerting stack, one watcher stack per VPC (same account)', () => {
  const { app, stacks, template } = build(layout());
  const alerting = template(stacks.alerting);
  const watchers = stacks.watchers.map(template);

  it('keeps one table, one topic with its key, and the Slack notifier in the alerting stack', () => {
    // Assess
    expect(stacks.alerting.stackName).toBe('SentinelWatch-alerting');
    alerting.resourceCountIs('AWS::DynamoDB::Table', 1);
    alerting.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'SentinelWatch-alerting-snapshots' });
    alerting.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'SentinelWatch-alerting-alerts' });
    alerting.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/SentinelWatch-alerting-alerts' });
    alerting.resourceCountIs('AWS::Lambda::Function', 1);
    alerting.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'SentinelWatch-alerting-slack-errors',
    });
    for (const w of watchers) {
      for (const type of ['AWS::DynamoDB::Table', 'AWS::SNS::Topic', 'AWS::KMS::Key'])
        w.resourceCountIs(type, 0);
      w.resourceCountIs('AWS::Lambda::Function', 2);
    }
  });

  it('lets each watcher use the shared table and topic by ARN, and send its alarms there', () => {
    // Assess
    const table = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:dynamodb:${REGION}:${ACCOUNT}:table/SentinelWatch-alerting-snapshots`,
        ],
      ],
    };
    const topic = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:sns:${REGION}:${ACCOUNT}:SentinelWatch-alerting-alerts`],
      ],
    };
    for (const w of watchers) {
      w.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^PollerRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Sid: 'SnapshotTableItems', Resource: table }),
            Match.objectLike({ Sid: 'PublishAlerts', Action: 'sns:Publish', Resource: topic }),
            Match.objectLike({
              Sid: 'AlertTopicKey',
              Condition: {
                StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` },
                'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/SentinelWatch-alerting-alerts' },
              },
            }),
          ]),
        },
      });
      const env = (
        (resourcesOf(w, 'AWS::Lambda::Function')[0][1].Properties as Json).Environment as { Variables: Json }
      ).Variables;
      expect(env).toMatchObject({
        SNAPSHOT_TABLE_NAME: 'SentinelWatch-alerting-snapshots',
        ALERT_TOPIC_ARN: topic,
      });
      for (const [, alarm] of resourcesOf(w, 'AWS::CloudWatch::Alarm')) {
        expect((alarm.Properties as Json).AlarmActions).toEqual([topic]);
      }
      // No CloudFormation exports between the stacks
      expect(JSON.stringify(w.toJSON())).not.toContain('Fn::ImportValue');
    }
    expect(stacks.watchers.map((w) => w.dependencies.map((d) => d.stackName))).toEqual([
      ['SentinelWatch-alerting'],
      ['SentinelWatch-alerting'],
    ]);
  });

  it('passes cdk-nag on every stack', () => {
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect(report.violations).toEqual([]);
  });
});

describe('Fleet layout: a watcher in another account', () => {
  const config = layout({}, [
    { name: 'orders-vpc', vpc: explicitVpc(), deployments: [deployment()] },
    {
      name: 'partner',
      account: OTHER_ACCOUNT,
      vpc: explicitVpc({ vpcId: 'vpc-0fedcba9876543210' }),
      deployments: [deployment({ name: 'partner-cache' })],
    },
  ]);
  const { app, stacks, template } = build(config);
  const alerting = template(stacks.alerting);
  const partner = template(stacks.watchers[1]);

  it("allows the other account's watcher roles in the topic, key and table policies, by name", () => {
    // Assess
    const topicPolicy = JSON.stringify(resourcesOf(alerting, 'AWS::SNS::TopicPolicy')[0][1]);
    expect(topicPolicy).toContain('WatcherStacksPublish');
    expect(topicPolicy).toContain(`:iam::${OTHER_ACCOUNT}:root`);
    expect(topicPolicy).toContain(`${OTHER_ACCOUNT}:role/SentinelWatch-partner-*`);
    const keyPolicy = JSON.stringify(resourcesOf(alerting, 'AWS::KMS::Key')[0][1]);
    expect(keyPolicy).toContain('WatcherStacksUseTopicKey');
    const table = resourcesOf(alerting, 'AWS::DynamoDB::Table')[0][1].Properties as Json;
    const statement = ((table.ResourcePolicy as Json).PolicyDocument as { Statement: Json[] }).Statement[0];
    expect(statement.Sid).toBe('WatcherStacksItems');
    expect(JSON.stringify(statement.Condition)).toContain(`${OTHER_ACCOUNT}:role/SentinelWatch-partner-*`);
    expect(JSON.stringify(statement.Principal)).toContain(`:iam::${OTHER_ACCOUNT}:root`);
  });

  it('names its roles as the policies expect, and alarms to a topic in its own account', () => {
    // Assess
    partner.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SentinelWatch-partner-poller' });
    partner.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SentinelWatch-partner-drill' });
    partner.resourceCountIs('AWS::SNS::Topic', 1);
    partner.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'redis-team@example.com' });
    const local = resourcesOf(partner, 'AWS::SNS::Topic')[0][0];
    for (const [, alarm] of resourcesOf(partner, 'AWS::CloudWatch::Alarm')) {
      expect((alarm.Properties as Json).AlarmActions).toEqual([{ Ref: local }]);
    }
    expect(stacks.watchers[1].account).toBe(OTHER_ACCOUNT);
  });

  it('passes cdk-nag on every stack', () => {
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('Fleet layout: references checked at synth, fields named', () => {
  it.each([
    [
      'a watcher in another region',
      layout({}, [{ name: 'eu', region: 'eu-west-1', vpc: explicitVpc(), deployments: [deployment()] }]),
      /^watchers\[0\]\.region: "eu-west-1" is not the alerting stack's region \(us-east-1\)/,
    ],
    [
      'a deployment name used by two watchers',
      layout({}, [
        { name: 'a', vpc: explicitVpc(), deployments: [deployment()] },
        { name: 'b', vpc: explicitVpc(), deployments: [deployment({ name: 'x' }), deployment()] },
      ]),
      /^watchers\[1\]\.deployments\[1\]\.name: "orders-cache" is also watched by watchers\[0\] \(a\)/,
    ],
    [
      'alert emails in a watcher',
      layout({}, [
        { name: 'a', vpc: explicitVpc(), deployments: [deployment()], alertEmails: ['x@example.com'] },
      ]),
      /^watchers\[0\]\.alertEmails: belongs in "alerting"/,
    ],
    [
      'a watcher in another account without the alerting account',
      {
        ...layout(),
        alerting: { alertEmails: [] },
        watchers: [{ name: 'a', account: OTHER_ACCOUNT, vpc: explicitVpc(), deployments: [deployment()] }],
      },
      /^alerting\.account: is required: watchers\[0\] \(a\) is in account 210987654321/,
    ],
    [
      'a customer-managed table key with a watcher in another account',
      {
        ...layout(),
        alerting: { account: ACCOUNT, tableEncryption: 'customer-managed' },
        watchers: [{ name: 'a', account: OTHER_ACCOUNT, vpc: explicitVpc(), deployments: [deployment()] }],
      },
      /^alerting\.tableEncryption: "customer-managed" is not supported with watchers in other accounts/,
    ],
    [
      'an error inside a watcher',
      layout({}, [{ name: 'a', vpc: explicitVpc(), deployments: [deployment({ sentinels: ['x'] })] }]),
      /^watchers\[0\]\.deployments\[0\]\.sentinels\[0\]: "x" is not "host:port"$/,
    ],
    [
      'two watchers of one name',
      layout({}, [
        { name: 'a', vpc: explicitVpc(), deployments: [deployment()] },
        { name: 'A', vpc: explicitVpc(), deployments: [deployment({ name: 'y' })] },
      ]),
      /^watchers\[1\]\.name: "A" is also watchers\[0\]'s name$/,
    ],
  ])('rejects %s', (_label, config, message) => {
    expect(layoutError(config)).toMatch(message);
  });

  it('rejects a watcher name that makes its role names too long', () => {
    // Prepare
    const config = layout({}, [
      { name: `p${'x'.repeat(39)}`, account: OTHER_ACCOUNT, vpc: explicitVpc(), deployments: [deployment()] },
    ]);

    // Act / Assess
    expect(() => buildFleet(new App(), parseFleetLayout(config), 'SentinelWatch-Production-EU', {})).toThrow(
      /^watchers\[0\]\.name: makes the stack name .* too long for its role names/,
    );
  });
});

describe('Fleet layout: config/fleet-example.json', () => {
  it('builds the alerting stack and both watchers, cdk-nag clean', () => {
    // Prepare
    const example = JSON.parse(
      readFileSync(join(__dirname, '../../config/fleet-example.json'), 'utf8'),
    ) as Json;

    // Act
    const { app, stacks } = build(example);
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect([stacks.alerting, ...stacks.watchers].map((s) => s.stackName)).toEqual([
      'SentinelWatch-alerting',
      'SentinelWatch-orders-vpc',
      'SentinelWatch-partner-vpc',
    ]);
    expect(report.violations).toEqual([]);
  });
});
