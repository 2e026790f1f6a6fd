// The deployed poller (its handler with the default wiring) reads silences from its own table: a
// SILENCE item written by `silence add --table` holds the alert back; with the silence removed, the
// next invocation pages. The DynamoDB document client is mocked (aws-sdk-client-mock).

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { newSilence } from '../../../lambdas/core/silence';
import type { Snapshot } from '../../../lambdas/core/types';
import { fail, healthySnapshot, MINUTE, NOW, node } from '../helpers/snapshot-factory';

Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  SENTINEL_WATCH_CONFIG: JSON.stringify({
    deployments: [
      { name: 'prod-cache', masterName: 'mymaster', sentinels: ['10.0.1.61:26379'], passwordEnv: 'UNIT_PW' },
    ],
  }),
  SNAPSHOT_TABLE_NAME: 'sw-unit',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:sentinel-watch-alerts',
  UNIT_PW: 'unused',
});
const { createPollerHandler } =
  require('../../../lambdas/poller/handler') as typeof import('../../../lambdas/poller/handler');

const sns = mockClient(SNSClient);
const ddb = mockClient(DynamoDBDocumentClient);
mockClient(SecretsManagerClient).on(GetSecretValueCommand).rejects(new Error('not used'));

const silenceItem = {
  ...newSilence({
    id: 's-0123456789',
    deployment: 'prod-cache',
    code: 'REPLICA_UNREACHABLE',
    startsAt: NOW,
    durationMs: 60 * MINUTE,
    reason: 'disk swap on 10.0.1.63',
    createdBy: 'alice@bastion',
    now: NOW,
  }),
  pk: 'SILENCES',
  sk: 'SILENCE#prod-cache#s-0123456789',
  kind: 'silence',
};

let now = NOW + MINUTE;
let silences: Record<string, unknown>[] = [silenceItem];
const items = new Map<string, Record<string, unknown>>();

beforeAll(() => {
  ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const item = items.get(`${input.Key.pk}|${input.Key.sk}`);
    return item ? { Item: structuredClone(item) } : {};
  });
  ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    items.set(`${input.Item.pk}|${input.Item.sk}`, structuredClone(input.Item));
    return {};
  });
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => ({
    Items: input.ExpressionAttributeValues[':pk'] === 'SILENCES' ? silences : [],
  }));
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

const handler = createPollerHandler({
  clock: () => now,
  probe: async () => {
    const s = healthySnapshot({ at: now });
    fail(node(s, 2), 'refused');
    return s as Snapshot;
  },
  sleep: async () => undefined,
});
const invoke = () =>
  handler({}, {
    awsRequestId: `r-${now}`,
    functionName: 'sentinel-watch-poller',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context);

describe('Function: handler (poller) with a silence in its table', () => {
  it('publishes nothing while the silence holds, and pages at the first poll after it is removed', async () => {
    // Act
    await invoke();
    now += MINUTE;
    await invoke();
    const whileSilenced = sns.commandCalls(PublishCommand).length;
    silences = [{ ...silenceItem, endsAt: new Date(now).toISOString(), endedBy: 'bob' }];
    now += MINUTE;
    await invoke();

    // Assess
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ExpressionAttributeValues: { ':pk': 'SILENCES', ':prefix': 'SILENCE#prod-cache#' },
      ConsistentRead: true,
    });
    expect(whileSilenced).toBe(0);
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(
      published.map((p) => [p.MessageAttributes?.type?.StringValue, p.MessageAttributes?.code?.StringValue]),
    ).toEqual([['opened', 'REPLICA_UNREACHABLE']]);
    expect(published[0].Message).toMatch(
      /^Silence s-0123456789 \(REPLICA_UNREACHABLE of prod-cache: "disk swap on 10.0.1.63"\) ended \(1 alert held back\)/,
    );
  });
});
