// A fleet across VPCs and accounts: one alerting stack (table, topic, key, notifiers) and one watcher
// stack per VPC, tied by names and ARNs that are checked at synth.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildFleet } from '../../lib/fleet-stacks';
import { parseFleetLayout } from '../../lib/stack-config';
import { configErrorOf } from '../support/config-error';
import {
  ACCOUNT,
  deployment,
  explicitVpc,
  HOOK_SECRET_ARN,
  type Json,
  PD_SECRET_ARN,
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

/** The findings of both rule packs bin/app.ts runs, on every stack of the app. */
const nagViolations = (app: App) => [
  ...new AwsSolutionsChecks(app).validateScope(app).violations,
  ...new ServerlessChecks(app).validateScope(app).violations,
];

/** A function's environment variables, the function found by its logical id's start. */
function envOf(template: Template, idStart: string): Json {
  const fn = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(idStart));
  if (!fn) throw new Error(`no function ${idStart}*`);
  return ((fn[1].Properties as Json).Environment as { Variables: Json }).Variables;
}

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

  it('passes cdk-nag (AWS Solutions and Serverless) on every stack', () => {
    // Act / Assess
    expect(nagViolations(app)).toEqual([]);
  });
});

describe('Fleet layout: the notifiers in the alerting stack, the presentation in every stack', () => {
  const config = layout({
    alerting: {
      ...(layout().alerting as Json),
      pagerDuty: { routingKeySecretArn: PD_SECRET_ARN },
      webhooks: [{ name: 'incident-io', secretArn: HOOK_SECRET_ARN, severities: ['critical'] }],
      alertTimeZone: 'Europe/Berlin',
      runbookBaseUrl: 'https://wiki.example.com/redis/{code}',
    },
  });
  const { app, stacks, template } = build(config);
  const alerting = template(stacks.alerting);
  const watchers = stacks.watchers.map(template);

  it('deploys every notifier once, in the alerting stack, with its queue, alarms and outputs', () => {
    // Assess
    alerting.resourceCountIs('AWS::Lambda::Function', 3);
    // Each notifier's queue and the email subscriptions' one.
    alerting.resourceCountIs('AWS::SQS::Queue', 4);
    const notifierTopic = resourcesOf(alerting, 'AWS::SNS::Topic').find(([id]) =>
      id.startsWith('AlertingNotifierAlarmTopic'),
    )?.[0];
    for (const name of ['slack', 'pagerduty', 'webhook-incident-io']) {
      for (const kind of ['errors', 'undelivered']) {
        alerting.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `SentinelWatch-alerting-${name}-${kind}`,
          // Never to the alert topic: a notifier must not receive the alarm about itself.
          AlarmActions: [{ Ref: notifierTopic }],
        });
      }
    }
    alerting.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'SentinelWatch-alerting-email-undelivered',
    });
    expect(Object.keys(alerting.toJSON().Outputs).sort()).toEqual([
      'AlertTopicArn',
      'EmailDlqUrl',
      'NotifierAlarmTopicArn',
      'PagerDutyDlqUrl',
      'PagerDutyFunctionName',
      'SlackDlqUrl',
      'SlackFunctionName',
      'SnapshotTableName',
      'WebhookincidentioDlqUrl',
      'WebhookincidentioFunctionName',
    ]);
    // The on-call policy may read the depth of every dead-letter queue.
    const policy = JSON.stringify(resourcesOf(alerting, 'AWS::IAM::ManagedPolicy')[0][1]);
    expect(policy).toContain('ReadDeadLetterQueues');
    for (const queue of [
      'NotifiersSlackDeadLetters',
      'NotifiersPagerDutyDeadLetters',
      'AlertingEmailDeadLetters',
    ])
      expect(policy).toContain(queue);
    for (const w of watchers) {
      w.resourceCountIs('AWS::Lambda::Function', 2);
      w.resourceCountIs('AWS::SQS::Queue', 0);
    }
  });

  it("gives the notifiers the fleet's runbook and time zone, and no dashboard (the alerting stack has none)", () => {
    // Assess
    alerting.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    for (const id of ['NotifiersSlack', 'NotifiersPagerDuty', 'NotifiersWebhookincidentio']) {
      const env = envOf(alerting, id);
      expect(env).toMatchObject({
        RUNBOOK_BASE_URL: 'https://wiki.example.com/redis/{code}',
        ALERT_TIME_ZONE: 'Europe/Berlin',
      });
      expect(env.DASHBOARD_URL).toBeUndefined();
    }
  });

  it("gives each watcher's poller and drill the runbook, the time zone and its own stack's dashboard", () => {
    // Assess
    stacks.watchers.forEach((stack, i) => {
      const w = watchers[i];
      const dashboardName = { 'Fn::Join': ['-', [stack.stackName, { Ref: 'AWS::Region' }]] };
      w.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: dashboardName });
      for (const fn of ['PollerFunction', 'DrillFunction']) {
        const env = envOf(w, fn);
        expect(env).toMatchObject({
          RUNBOOK_BASE_URL: 'https://wiki.example.com/redis/{code}',
          ALERT_TIME_ZONE: 'Europe/Berlin',
          DASHBOARD_URL: { 'Fn::Join': ['', expect.arrayContaining(['#dashboards:name=', dashboardName])] },
        });
      }
      expect(w.toJSON().Outputs.DashboardUrl.Value).toEqual(envOf(w, 'PollerFunction').DASHBOARD_URL);
    });
  });

  it('passes cdk-nag (AWS Solutions and Serverless) on every stack', () => {
    // Act / Assess
    expect(nagViolations(app)).toEqual([]);
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
    // Its alarm topic only: no notifier is there, so no notifier-alarm topic (nor its subscriptions).
    partner.resourceCountIs('AWS::SNS::Topic', 1);
    partner.resourceCountIs('AWS::SNS::Subscription', 1);
    partner.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'redis-team@example.com' });
    const local = resourcesOf(partner, 'AWS::SNS::Topic')[0][0];
    for (const [, alarm] of resourcesOf(partner, 'AWS::CloudWatch::Alarm')) {
      expect((alarm.Properties as Json).AlarmActions).toEqual([{ Ref: local }]);
    }
    expect(stacks.watchers[1].account).toBe(OTHER_ACCOUNT);
  });

  it('passes cdk-nag (AWS Solutions and Serverless) on every stack', () => {
    // Act / Assess
    expect(nagViolations(app)).toEqual([]);
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
      "a notifier in a watcher (the notifiers are the alerting stack's)",
      layout({}, [
        {
          name: 'a',
          vpc: explicitVpc(),
          deployments: [deployment()],
          pagerDuty: { routingKeySecretArn: PD_SECRET_ARN },
        },
      ]),
      /^watchers\[0\]\.pagerDuty: belongs in "alerting"/,
    ],
    [
      'the runbook in a watcher (one presentation for the fleet)',
      layout({}, [
        { name: 'a', vpc: explicitVpc(), deployments: [deployment()], runbookBaseUrl: 'https://x.example' },
      ]),
      /^watchers\[0\]\.runbookBaseUrl: belongs in "alerting"/,
    ],
    [
      'a bad notifier in the alerting section, its field named',
      layout({ alerting: { alertEmails: [], pagerDuty: { severities: ['critical'] } } }),
      /^alerting\.pagerDuty\.routingKeySecretArn: is required$/,
    ],
    [
      'a bad time zone in the alerting section, its field named',
      layout({ alerting: { alertEmails: [], alertTimeZone: 'Europe/Berlln' } }),
      /^alerting\.alertTimeZone: "Europe\/Berlln" is not an IANA time zone name/,
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

    // Assess
    expect([stacks.alerting, ...stacks.watchers].map((s) => s.stackName)).toEqual([
      'SentinelWatch-alerting',
      'SentinelWatch-orders-vpc',
      'SentinelWatch-partner-vpc',
    ]);
    expect(nagViolations(app)).toEqual([]);
  });
});
