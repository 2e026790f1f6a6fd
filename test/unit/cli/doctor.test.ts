// `sentinel-watch doctor` with aws-sdk-client-mock for every client: what each check reports, that a
// failing call fails its own check only, and the exit code (0 OK, 1 warning, 2 failure).

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type DoctorDeps, doctorCommand } from '../../../cli/commands/doctor';
import type { CheckResult } from '../../../cli/doctor/checks';
import { MINUTE, NOW } from '../helpers/snapshot-factory';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:SentinelWatch-AlertingTopic-AbC';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/SentinelWatch-NotifierDlq';
const cfn = mockClient(CloudFormationClient);
const sns = mockClient(SNSClient);
const cw = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
const region = { region: 'us-east-1' };
const clients = () => ({
  cloudformation: new CloudFormationClient(region),
  sns: new SNSClient(region),
  cloudwatch: new CloudWatchClient(region),
  sqs: new SQSClient(region),
  dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(region)),
});

let out: string[];
const io = () => ({ out: (t: string) => out.push(t), err: () => undefined, env: {} as NodeJS.ProcessEnv });
const deps: DoctorDeps = { clients, now: () => NOW };
const run = async (...argv: string[]) => {
  const code = await doctorCommand(['--stack', 'SentinelWatch', '--json', ...argv], io(), deps);
  // Each line is a CheckResult after the CLI's schemaVersion (tested below).
  const results = out.map((l) => {
    const { schemaVersion: _, ...result } = JSON.parse(l) as CheckResult & { schemaVersion: number };
    return result;
  });
  return { code, results };
};
const status = (results: CheckResult[], check: string) => results.find((r) => r.check === check);

const snapshot = (deployment: string, agoMs: number) => ({
  pk: `DEPLOYMENT#${deployment}`,
  sk: `SNAPSHOT#${new Date(NOW - agoMs).toISOString()}`,
  deployment,
  takenAt: new Date(NOW - agoMs).toISOString(),
  expiresAt: 0,
  durationMs: 20,
  master: '10.0.1.61:6379',
  unanimous: true,
  truncated: false,
  nodes: [],
  sentinels: [],
  findings: [],
});

beforeEach(() => {
  for (const m of [cfn, sns, cw, sqs, ddb]) m.reset();
  out = [];
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'SentinelWatch',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'AlertTopicArn', OutputValue: TOPIC },
          { OutputKey: 'SnapshotTableName', OutputValue: 'SentinelWatch-Table' },
          { OutputKey: 'DeploymentNames', OutputValue: 'orders-cache,sessions' },
          { OutputKey: 'PollerNoSuccessMinutes', OutputValue: '5' },
          { OutputKey: 'AlarmNamePrefix', OutputValue: 'SentinelWatch-' },
          { OutputKey: 'PollerFunctionName', OutputValue: 'SentinelWatch-Poller' },
          { OutputKey: 'SlackFunctionName', OutputValue: 'SentinelWatch-Slack' },
          { OutputKey: 'NotifierDlqUrl', OutputValue: DLQ },
        ],
      },
    ],
  });
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
    const pk = input.ExpressionAttributeValues[':pk'];
    if (pk === 'SILENCES') return { Items: [] };
    return {
      Items:
        pk === 'DEPLOYMENT#orders-cache'
          ? [snapshot('orders-cache', MINUTE)]
          : [snapshot('sessions', 30_000)],
    };
  });
  sns.on(ListSubscriptionsByTopicCommand).resolves({
    Subscriptions: [
      {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        SubscriptionArn: `${TOPIC}:1111`,
        TopicArn: TOPIC,
      },
      {
        Protocol: 'lambda',
        Endpoint: 'arn:aws:lambda:...:SentinelWatch-Slack',
        SubscriptionArn: `${TOPIC}:2222`,
      },
    ],
  });
  cw.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: 'f0', Values: [0] },
      { Id: 'f1', Values: [] },
      { Id: 'sns', Values: [0] },
    ],
  });
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      { AlarmName: 'SentinelWatch-poller-errors', StateValue: 'OK', StateReason: 'ok' },
      { AlarmName: 'SentinelWatch-poller-not-running', StateValue: 'OK', StateReason: 'ok' },
    ],
  });
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' },
  });
});

describe('Command: doctor', () => {
  it('exits 0 when everything is in order, and says what it checked', async () => {
    const { code, results } = await run();

    expect(code).toBe(0);
    expect(results.map((r) => [r.status, r.check])).toEqual([
      ['ok', 'stack SentinelWatch'],
      ['ok', 'last poll of orders-cache'],
      ['ok', 'last poll of sessions'],
      ['ok', 'silences'],
      ['ok', 'subscription email oncall@example.com'],
      ['ok', 'subscription lambda arn:aws:lambda:...:SentinelWatch-Slack'],
      ['ok', 'errors of Poller (SentinelWatch-Poller)'],
      ['ok', 'errors of Slack (SentinelWatch-Slack)'],
      ['ok', 'SNS deliveries'],
      ['ok', 'dead-letter queue NotifierDlqUrl'],
      ['ok', 'alarm SentinelWatch-poller-errors'],
      ['ok', 'alarm SentinelWatch-poller-not-running'],
    ]);
    expect(status(results, 'last poll of orders-cache')?.detail).toMatch(
      /^60 s ago \(2026-05-01T09:59:00.000Z\), master 10.0.1.61:6379/,
    );
    expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'SentinelWatch-' });
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(NOW - 24 * 3600_000),
      EndTime: new Date(NOW),
    });
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, { QueueUrl: DLQ });
  });

  it('warns about an unconfirmed subscription, notifier errors and a silence in force (exit 1)', async () => {
    // Prepare
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'team@example.com', SubscriptionArn: 'PendingConfirmation' },
      ],
    });
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'f1', Values: [2, 1] },
        { Id: 'sns', Values: [4] },
      ],
    });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'SILENCES', ':prefix': 'SILENCE#' } })
      .resolves({
        Items: [
          {
            id: 's-0123456789',
            deployment: 'orders-cache',
            code: null,
            subject: null,
            startsAt: new Date(NOW - MINUTE).toISOString(),
            endsAt: new Date(NOW + 60 * MINUTE).toISOString(),
            reason: 'patching',
            createdBy: 'alice',
            createdAt: new Date(NOW - MINUTE).toISOString(),
          },
        ],
      });

    // Act
    const { code, results } = await run();

    // Assess
    expect(code).toBe(1);
    expect(status(results, 'subscription email team@example.com')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^pending confirmation/),
    });
    expect(status(results, 'errors of Slack (SentinelWatch-Slack)')).toMatchObject({
      status: 'warn',
      detail: '3 failed invocation(s) in the last 24 h: read its log group',
    });
    expect(status(results, 'SNS deliveries')?.status).toBe('warn');
    expect(status(results, 'silence s-0123456789')).toMatchObject({
      status: 'warn',
      detail: 'every alert of orders-cache until 2026-05-01T11:00:00.000Z (60 min left), by alice: patching',
    });
  });

  it('fails on a stale poll, a dead letter, an alarm firing, and no subscription at all (exit 2)', async () => {
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'DEPLOYMENT#sessions' } }, false).resolves({
      Items: [snapshot('sessions', 20 * MINUTE)],
    });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'SentinelWatch-slack-errors', StateValue: 'ALARM', StateReason: 'Threshold Crossed' },
      ],
    });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });

    const { code, results } = await run();

    expect(code).toBe(2);
    expect(status(results, 'last poll of sessions')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(
        /^20 min ago .* older than 5 min, the poller is not running or not saving$/,
      ),
    });
    expect(status(results, 'dead-letter queue NotifierDlqUrl')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^2 undelivered/),
    });
    expect(status(results, 'alarm SentinelWatch-slack-errors')).toMatchObject({
      status: 'fail',
      detail: 'ALARM: Threshold Crossed',
    });
    expect(status(results, 'subscriptions')).toMatchObject({
      status: 'fail',
      detail: 'the topic has no subscription: nobody receives alerts',
    });
  });

  it('reports a call it may not make as that check failing, and runs the others', async () => {
    cw.on(DescribeAlarmsCommand).rejects(
      Object.assign(new Error('not authorized'), { name: 'AccessDenied' }),
    );

    const { code, results } = await run();

    expect(code).toBe(2);
    expect(status(results, 'alarms')).toEqual({
      check: 'alarms',
      status: 'fail',
      detail: 'could not check: AccessDenied',
    });
    expect(status(results, 'last poll of orders-cache')?.status).toBe('ok');
  });

  it.each([
    [
      'the stack does not exist',
      Object.assign(new Error('Stack with id X does not exist'), { name: 'ValidationError' }),
      'stack SentinelWatch does not exist in this account and region (check --region / AWS_REGION)',
    ],
    // The SDK's words when its error has no name of its own (no region, no route).
    ['no region', new Error('Region is missing'), 'cannot describe stack SentinelWatch: Region is missing'],
  ])('exits 2 with one line when %s', async (_, error, detail) => {
    cfn.on(DescribeStacksCommand).rejects(error);

    const { code, results } = await run();

    expect(code).toBe(2);
    expect(results).toEqual([{ check: 'stack SentinelWatch', status: 'fail', detail }]);
  });

  it('starts every --json line with schemaVersion, like every JSON document of the CLI', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack does not exist'), { name: 'ValidationError' }));

    await doctorCommand(['--stack', 'SentinelWatch', '--json'], io(), deps);

    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\{"schemaVersion":1,"check":"stack SentinelWatch",/);
  });

  it('prints a table and a count without --json', async () => {
    await doctorCommand(['--stack', 'SentinelWatch'], io(), deps);

    expect(out[0].split('\n')[0]).toMatch(/^STATUS\s+CHECK\s+DETAIL$/);
    expect(out[1]).toBe('\n0 failed, 0 warning(s), 12 OK');
  });
});
