// `test-alert`, `doctor` and `silence --table` as separate CLI processes against local stand-ins of every
// AWS API they call (support/aws-stand-ins.ts: CloudFormation and SNS over the query protocol,
// CloudWatch and SQS over AWS JSON 1.0) and dynalite as the table. The SNS stand-in delivers what is
// published the way the topic does: to email subscriptions (recorded, with their severity filter) and
// to the real Slack notifier handler, which posts to a local webhook receiver.
// No redis-server here: this file needs no lock.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { CheckResult } from '../../cli/doctor/checks';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { toSnapshotRecord } from '../../lambdas/core/snapshot-record';
import type { Snapshot } from '../../lambdas/core/types';
import {
  json,
  queryResult,
  type StandIn,
  startJsonStandIn,
  startQueryStandIn,
  xml,
} from './support/aws-stand-ins';
import { startHangingTcp } from './support/hanging-tcp';
import { runCli } from './support/run-cli';

const STACK = 'SentinelWatch';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:SentinelWatch-AlertingTopic-AbC';
const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const CFN_NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const SLACK_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf';

process.env.SLACK_WEBHOOK_SECRET_ARN = SLACK_SECRET;
// The Slack handler reads its settings when loaded; its delivery records (the table) are
// slack-delivery.test.ts's subject: here it posts each message without them (ledger null), so it
// never calls DynamoDB.
process.env.SNAPSHOT_TABLE_NAME = 'sentinel-watch-oncall-it';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_REGION = 'us-east-1';
const { createSlackHandler } =
  require('../../lambdas/slack/handler') as typeof import('../../lambdas/slack/handler');
const slackHandler = createSlackHandler({ ledger: null });

interface Delivered {
  readonly subject: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

let dynamo: EmbeddedDynamo;
let cfn: StandIn<URLSearchParams>;
let sns: StandIn<URLSearchParams>;
let cloudwatch: StandIn<Record<string, unknown>>;
let sqs: StandIn<Record<string, unknown>>;
let webhook: Server;
let slackPosts: { text: string; color: string }[];
let emails: Record<string, Delivered[]>;
let deliveries: Promise<unknown>[];
let outputs: Record<string, string>;
let env: NodeJS.ProcessEnv;

const secrets = mockClient(SecretsManagerClient);

/** Email subscriptions as config/example.json makes them: one for everything, one for critical only. */
const EMAIL_FILTERS: Record<string, readonly string[] | null> = {
  'redis-team@example.com': null,
  'oncall@example.com': ['critical'],
};

const cli = (args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runCli(args, { ...env, ...extraEnv });

/** What SNS does with one Publish: every subscription whose filter matches gets it. */
function deliver(message: Delivered): void {
  for (const [address, severities] of Object.entries(EMAIL_FILTERS)) {
    const sev = message.attributes.severity;
    if (severities === null || sev === undefined || severities.includes(sev)) {
      emails[address] = [...(emails[address] ?? []), message];
    }
  }
  const event: SNSEvent = {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${TOPIC}:slack`,
        Sns: {
          Type: 'Notification',
          MessageId: `m-${Date.now()}`,
          TopicArn: TOPIC,
          Subject: message.subject,
          Message: message.body,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://example.invalid/cert',
          UnsubscribeUrl: 'https://example.invalid/unsub',
          MessageAttributes: Object.fromEntries(
            Object.entries(message.attributes).map(([k, v]) => [k, { Type: 'String', Value: v }]),
          ),
        },
      },
    ],
  };
  deliveries.push(slackHandler(event, { awsRequestId: 'it' } as Context));
}

const stackXml = (status = 'UPDATE_COMPLETE') =>
  queryResult(
    CFN_NS,
    'DescribeStacks',
    `<Stacks><member><StackName>${STACK}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${STACK}/1</StackId>` +
      `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>${status}</StackStatus><Outputs>` +
      Object.entries(outputs)
        .map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${xml(v)}</OutputValue></member>`)
        .join('') +
      '</Outputs></member></Stacks>',
  );

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo('sentinel-watch-oncall-it');
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const payload = JSON.parse(body) as { text: string; attachments: { color: string }[] };
      slackPosts.push({ text: payload.text, color: payload.attachments[0].color });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  secrets
    .on(GetSecretValueCommand, { SecretId: SLACK_SECRET })
    .resolves({ SecretString: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/services/T/B/x` });

  cfn = await startQueryStandIn(CFN_NS, { DescribeStacks: () => ({ body: stackXml() }) });
  sns = await startQueryStandIn(SNS_NS, {
    Publish: (form) => {
      const attributes: Record<string, string> = {};
      for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
        attributes[form.get(`MessageAttributes.entry.${i}.Name`) ?? ''] =
          form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
      }
      deliver({ subject: form.get('Subject') ?? '', body: form.get('Message') ?? '', attributes });
      return { body: queryResult(SNS_NS, 'Publish', `<MessageId>${Date.now()}</MessageId>`) };
    },
    ListSubscriptionsByTopic: () => ({
      body: queryResult(
        SNS_NS,
        'ListSubscriptionsByTopic',
        '<Subscriptions>' +
          `<member><TopicArn>${TOPIC}</TopicArn><Protocol>email</Protocol><SubscriptionArn>${TOPIC}:1</SubscriptionArn><Owner>123456789012</Owner><Endpoint>redis-team@example.com</Endpoint></member>` +
          `<member><TopicArn>${TOPIC}</TopicArn><Protocol>email</Protocol><SubscriptionArn>PendingConfirmation</SubscriptionArn><Owner>123456789012</Owner><Endpoint>oncall@example.com</Endpoint></member>` +
          `<member><TopicArn>${TOPIC}</TopicArn><Protocol>lambda</Protocol><SubscriptionArn>${TOPIC}:2</SubscriptionArn><Owner>123456789012</Owner><Endpoint>arn:aws:lambda:us-east-1:123456789012:function:SentinelWatch-Slack</Endpoint></member>` +
          '</Subscriptions>',
      ),
    }),
  });
  cloudwatch = await startJsonStandIn({
    GetMetricData: (body) =>
      json({
        MetricDataResults: (
          body.MetricDataQueries as {
            Id: string;
            MetricStat: { Metric: { Dimensions: { Value: string }[] } };
          }[]
        ).map((q) => ({
          Id: q.Id,
          StatusCode: 'Complete',
          Timestamps: [Math.floor(Date.now() / 1000)],
          Values: [q.MetricStat.Metric.Dimensions[0].Value === 'SentinelWatch-Slack' ? 3 : 0],
        })),
      }),
    DescribeAlarms: () =>
      json({
        MetricAlarms: [
          { AlarmName: 'SentinelWatch-poller-errors', StateValue: 'OK', StateReason: 'fine' },
          {
            AlarmName: 'SentinelWatch-slack-errors',
            StateValue: 'ALARM',
            StateReason: 'Threshold Crossed: 1 datapoint [3.0]',
          },
        ],
      }),
  });
  sqs = await startJsonStandIn({
    GetQueueAttributes: () =>
      json({ Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' } }),
  });

  outputs = {
    AlertTopicArn: TOPIC,
    SnapshotTableName: dynamo.tableName,
    DeploymentNames: 'orders-cache,sessions',
    PollerNoSuccessMinutes: '5',
    AlarmNamePrefix: 'SentinelWatch-',
    PollerFunctionName: 'SentinelWatch-Poller',
    SlackFunctionName: 'SentinelWatch-Slack',
    // The SQS client sends to the queue URL's own host: the stand-in's.
    NotifierDlqUrl: `${sqs.endpoint}/123456789012/SentinelWatch-NotifierDlq`,
  };
  env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    USER: 'it-user',
  };

  // orders-cache was polled a minute ago; sessions not for an hour.
  const snapshot = (deployment: string, agoMs: number) =>
    ({
      deployment,
      masterName: 'mymaster',
      takenAt: new Date(Date.now() - agoMs).toISOString(),
      durationMs: 12,
      master: { host: '10.0.1.61', port: 6379 },
      consensus: { votes: [], unanimous: true },
      nodes: [],
      sentinels: [],
      findings: [],
      truncated: false,
      unavailable: [],
    }) as unknown as Snapshot;
  await dynamo.store.putSnapshot(toSnapshotRecord(snapshot('orders-cache', 60_000), { retentionDays: 1 }));
  await dynamo.store.putSnapshot(toSnapshotRecord(snapshot('sessions', 3_600_000), { retentionDays: 1 }));
}, 60_000);

afterAll(async () => {
  for (const s of [cfn, sns, cloudwatch, sqs]) await s?.close();
  webhook?.closeAllConnections();
  await new Promise<void>((resolve) => (webhook ? webhook.close(() => resolve()) : resolve()));
  await dynamo?.close();
});

beforeEach(() => {
  slackPosts = [];
  emails = {};
  deliveries = [];
});

describe('sentinel-watch test-alert against local stand-ins', () => {
  it('publishes a marked opened, then its resolved: every email subscription and Slack get both, in order', async () => {
    // Act
    const r = await cli(['test-alert', '--stack', STACK, '--resolve-after', '1s']);
    await Promise.all(deliveries);

    // Assess
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(cfn.calls.at(-1)?.params.get('StackName')).toBe(STACK);
    for (const address of Object.keys(EMAIL_FILTERS)) {
      expect(
        emails[address]?.map((m) => [m.attributes.type, m.attributes.test, m.subject.slice(0, 17)]),
      ).toEqual([
        ['opened', 'true', '[TEST] [CRITICAL]'],
        ['resolved', 'true', '[TEST] [RESOLVED]'],
      ]);
    }
    const [opened, resolved] = emails['redis-team@example.com'];
    expect(opened.body).toMatch(
      /^TEST ALERT, nothing is wrong: it-user@.* ran "sentinel-watch test-alert --stack SentinelWatch"/,
    );
    expect(opened.attributes.deployment).toBe('orders-cache');
    expect(/Incident: (.+)/.exec(opened.body)?.[1]).toBe(/Incident: (.+)/.exec(resolved.body)?.[1]);
    expect(slackPosts.map((p) => [p.text.slice(0, 17), p.color])).toEqual([
      ['[TEST] [CRITICAL]', '#D72B3F'],
      ['[TEST] [RESOLVED]', '#2EB67D'],
    ]);
  }, 60_000);
});

describe('sentinel-watch silence --table against dynalite', () => {
  it('adds a silence to the table that list shows (doctor, below, reports it)', async () => {
    const added = await cli([
      'silence',
      'add',
      '--table',
      dynamo.tableName,
      '--deployment',
      'orders-cache',
      '--for',
      '2h',
      '--reason',
      'failover test window',
    ]);
    const listed = await cli(['silence', 'list', '--table', dynamo.tableName, '--json']);

    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^s-[0-9a-f]{10}: silenced every alert of orders-cache until .* \(2 h\), in table sentinel-watch-oncall-it\.$/m,
    );
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      expect.objectContaining({
        deployment: 'orders-cache',
        status: 'active',
        reason: 'failover test window',
        createdBy: expect.stringMatching(/^it-user@/),
      }),
    ]);
  }, 60_000);
});

describe('sentinel-watch doctor against local stand-ins', () => {
  it('reports every check with its own status and exits 2 for the failures it finds', async () => {
    // Act
    const r = await cli(['doctor', '--stack', STACK, '--json']);
    const results = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CheckResult);
    const status = (check: string) => results.find((x) => x.check === check)?.status;

    // Assess
    expect(r.code).toBe(2);
    expect(status('stack SentinelWatch')).toBe('ok');
    expect(status('last poll of orders-cache')).toBe('ok');
    expect(results.find((x) => x.check === 'last poll of sessions')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^60 min ago/),
    });
    expect(status('subscription email redis-team@example.com')).toBe('ok');
    expect(status('subscription email oncall@example.com')).toBe('warn');
    expect(results.find((x) => x.check === 'errors of Slack (SentinelWatch-Slack)')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^3 failed/),
    });
    expect(status('errors of Poller (SentinelWatch-Poller)')).toBe('ok');
    expect(results.find((x) => x.check === 'dead-letter queue NotifierDlqUrl')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^2 undelivered message/),
    });
    expect(results.find((x) => x.check.startsWith('silence s-'))).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(
        /^every alert of orders-cache until .* by it-user@.*: failover test window$/,
      ),
    });
    expect(status('alarm SentinelWatch-slack-errors')).toBe('fail');
    expect(status('alarm SentinelWatch-poller-errors')).toBe('ok');
    // The calls, as the services' protocols carry them.
    expect(sqs.calls.map((c) => c.params.QueueUrl)).toContain(outputs.NotifierDlqUrl);
    expect(cloudwatch.calls.map((c) => c.operation).sort()).toEqual(['DescribeAlarms', 'GetMetricData']);
    expect(cloudwatch.calls.find((c) => c.operation === 'DescribeAlarms')?.params.AlarmNamePrefix).toBe(
      'SentinelWatch-',
    );
    expect(sns.calls.find((c) => c.operation === 'ListSubscriptionsByTopic')?.params.get('TopicArn')).toBe(
      TOPIC,
    );
  }, 60_000);

  it('gives up on an endpoint that never answers by its deadline, and says so', async () => {
    // Prepare: CloudFormation accepts connections and never answers
    const hanging = await startHangingTcp();
    const started = Date.now();

    // Act
    const r = await cli(['doctor', '--stack', STACK], { AWS_ENDPOINT_URL_CLOUDFORMATION: hanging.endpoint });
    const elapsed = Date.now() - started;
    await hanging.close();

    // Assess: the call deadline (15 s, retries included) ends it, not the test's timeout
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /FAIL\s+stack SentinelWatch\s+cannot describe stack SentinelWatch: TimeoutError/,
    );
    expect(hanging.connections()).toBeGreaterThanOrEqual(1);
    expect(elapsed).toBeLessThan(25_000);
  }, 60_000);
});
