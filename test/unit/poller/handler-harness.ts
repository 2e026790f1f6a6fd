// The poller handler's unit-test harness, shared by handler*.test.ts: its AWS clients mocked
// (aws-sdk-client-mock): SNS, Secrets Manager and a DynamoDB document client that behaves like a
// one-table store (conditional puts included); a fake clock, sleep and probe that hands out prepared
// snapshots. Importing it registers the beforeEach/afterEach that reset them for every test.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { decodeState } from '../../../lambdas/adapters/state-codec';
import type { Credentials } from '../../../lambdas/core/config';
import type { DrillLockClaims } from '../../../lambdas/core/drill-lock';
import type { Snapshot } from '../../../lambdas/core/types';
import type { PollerState } from '../../../lambdas/poller/state';
import { healthySnapshot, MINUTE, NOW } from '../helpers/snapshot-factory';

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-cache-redis-AbCdEf';
export const DRILL_KEY_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sentinel-watch-drill-key-AbCdEf';
export const DRILL_KEY = 'drill-key-for-unit-tests-0123456789abcdef';
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:sentinel-watch-alerts';
export const TABLE = 'sw-unit';
export const PASSWORD = 'pw-do-not-log-7f3a9c';
export const CONFIG = {
  deployments: [
    {
      name: 'prod-cache',
      masterName: 'mymaster',
      sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
      passwordSecretArn: SECRET_ARN,
    },
  ],
};

export const ENV = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  SENTINEL_WATCH_CONFIG: JSON.stringify(CONFIG),
  SNAPSHOT_TABLE_NAME: TABLE,
  ALERT_TOPIC_ARN: TOPIC_ARN,
  DRILL_KEY_SECRET_ARN: DRILL_KEY_ARN,
};
Object.assign(process.env, ENV);

// Required after the environment is set: the handler validates it at module load (cold start).
export const { createPollerHandler } =
  require('../../../lambdas/poller/handler') as typeof import('../../../lambdas/poller/handler');

export const sns = mockClient(SNSClient);
export const secrets = mockClient(SecretsManagerClient);
export const ddb = mockClient(DynamoDBDocumentClient);

// ---- a one-table DynamoDB stand-in: Get and (conditional) Put on pk/sk ----
export type Item = Record<string, unknown>;
export let table: Map<string, Item>;
export const itemKey = (k: Record<string, unknown>) => `${k.pk}|${k.sk}`;
export const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

export function fakeTable(): void {
  table = new Map();
  ddb.on(GetCommand).callsFake((input: { Key: Item }) => {
    const item = table.get(itemKey(input.Key));
    return item ? { Item: structuredClone(item) } : {};
  });
  ddb
    .on(PutCommand)
    .callsFake((input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
      const existing = table.get(itemKey(input.Item));
      const condition = input.ConditionExpression ?? '';
      if (condition.startsWith('attribute_not_exists') && existing) throw conditionFailed();
      if (
        condition === '#version = :expected' &&
        existing?.version !== input.ExpressionAttributeValues?.[':expected']
      ) {
        throw conditionFailed();
      }
      table.set(itemKey(input.Item), structuredClone(input.Item));
      return {};
    });
}

export const storedState = (): { version: number; state: PollerState } => {
  const item = table.get('DEPLOYMENT#prod-cache|STATE');
  // As DynamoDB holds it: compressed (state-codec.ts).
  return { version: item?.version as number, state: decodeState(item ?? {}) as PollerState };
};

export const named = (name: string, message = name): Error => Object.assign(new Error(message), { name });

// ---- the handler with a fake clock, probe and sleep ----
export let now: number;
export let queue: Snapshot[];
export let probed: Credentials[];
export let sleeps: number[];

/** A handler as after a cold start (its own secret cache), with the fakes above. */
export const coldStart = () =>
  createPollerHandler({
    clock: () => now,
    probe: async (_d, credentials) => {
      probed.push(credentials);
      const next = queue.shift();
      if (!next) throw new Error('no snapshot queued');
      return next;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  });
export let handler = coldStart();

export let requests = 0;
export const context = (): Context =>
  ({
    awsRequestId: `req-${++requests}`,
    functionName: 'sentinel-watch-poller',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

/** One scheduled invocation that polls `snapshot`; the clock then moves on a minute. */
export async function invoke(snapshot: Snapshot) {
  queue.push(snapshot);
  try {
    return await handler({}, context());
  } finally {
    now += MINUTE;
  }
}

export const healthy = () => healthySnapshot({ at: now }) as Snapshot;
/** The sentinels failed over to 10.0.1.63 (config epoch 2). */
export const switched = () => healthySnapshot({ at: now, masterIndex: 2, configEpoch: 2 }) as Snapshot;
/** The same, with a drill lock value on the new master (PTTL 14 s). */
export const switchedWithLock = (value: string): Snapshot => {
  const s = healthySnapshot({ at: now, masterIndex: 2, configEpoch: 2 });
  s.nodes[2].drillLock = { owner: value, ttlMs: 14_000 };
  return s as Snapshot;
};
/** A drill that failed over 10.0.1.61 two seconds ago, its heartbeat a second old. */
export const drillClaims = (at: number): DrillLockClaims => ({
  deployment: 'prod-cache',
  id: 'drill-42',
  from: { host: '10.0.1.61', port: 6379 },
  startedAt: at - 5_000,
  windowEndsAt: at + 300_000,
  failoverAt: at - 2_000,
  beatAt: at - 1_000,
  ttlMs: 15_000,
});

export const SWITCH_SUBJECT = '[CRITICAL] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379';

export let stdout: string[];
export let spies: jest.SpyInstance[];

beforeEach(() => {
  sns.reset();
  secrets.reset();
  ddb.reset();
  fakeTable();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: PASSWORD }) });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  now = NOW;
  queue = [];
  probed = [];
  sleeps = [];
  handler = coldStart();
  // Powertools writes logs and EMF to stdout, warnings and errors to stderr: keep both.
  stdout = [];
  spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    }),
  );
});

afterEach(() => {
  for (const spy of spies) spy.mockRestore();
});
