// The poller handler with its AWS clients mocked (aws-sdk-client-mock): SNS, Secrets Manager and a
// DynamoDB document client that behaves like a one-table store (conditional puts included). The probe
// is a fake that hands out prepared snapshots; real Redis is covered by test/integration/poller.test.ts.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { Credentials } from '../../../lambdas/core/config';
import { type DrillLockClaims, encodeDrillLock } from '../../../lambdas/core/drill-lock';
import type { Snapshot } from '../../../lambdas/core/types';
import type { PollerState } from '../../../lambdas/poller/state';
import { healthySnapshot, MINUTE, NOW } from '../helpers/snapshot-factory';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-cache-redis-AbCdEf';
const DRILL_KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sentinel-watch-drill-key-AbCdEf';
const DRILL_KEY = 'drill-key-for-unit-tests-0123456789abcdef';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:sentinel-watch-alerts';
const TABLE = 'sw-unit';
const PASSWORD = 'pw-do-not-log-7f3a9c';
const CONFIG = {
  deployments: [
    {
      name: 'prod-cache',
      masterName: 'mymaster',
      sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
      passwordSecretArn: SECRET_ARN,
    },
  ],
};

const ENV = {
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
const { createPollerHandler } =
  require('../../../lambdas/poller/handler') as typeof import('../../../lambdas/poller/handler');

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const ddb = mockClient(DynamoDBDocumentClient);

// ---- a one-table DynamoDB stand-in: Get and (conditional) Put on pk/sk ----
type Item = Record<string, unknown>;
let table: Map<string, Item>;
const itemKey = (k: Record<string, unknown>) => `${k.pk}|${k.sk}`;
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function fakeTable(): void {
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

const storedState = (): { version: number; state: PollerState } => {
  const item = table.get('DEPLOYMENT#prod-cache|STATE');
  return { version: item?.version as number, state: item?.state as PollerState };
};

const named = (name: string, message = name): Error => Object.assign(new Error(message), { name });

// ---- the handler with a fake clock, probe and sleep ----
let now: number;
let queue: Snapshot[];
let probed: Credentials[];
let sleeps: number[];

/** A handler as after a cold start (its own secret cache), with the fakes above. */
const coldStart = () =>
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
let handler = coldStart();

let requests = 0;
const context = (): Context =>
  ({
    awsRequestId: `req-${++requests}`,
    functionName: 'sentinel-watch-poller',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

/** One scheduled invocation that polls `snapshot`; the clock then moves on a minute. */
async function invoke(snapshot: Snapshot) {
  queue.push(snapshot);
  try {
    return await handler({}, context());
  } finally {
    now += MINUTE;
  }
}

const healthy = () => healthySnapshot({ at: now }) as Snapshot;
/** The sentinels failed over to 10.0.1.63 (config epoch 2). */
const switched = () => healthySnapshot({ at: now, masterIndex: 2, configEpoch: 2 }) as Snapshot;
/** The same, with a drill lock value on the new master (PTTL 14 s). */
const switchedWithLock = (value: string): Snapshot => {
  const s = healthySnapshot({ at: now, masterIndex: 2, configEpoch: 2 });
  s.nodes[2].drillLock = { owner: value, ttlMs: 14_000 };
  return s as Snapshot;
};
/** A drill that failed over 10.0.1.61 two seconds ago, its heartbeat a second old. */
const drillClaims = (at: number): DrillLockClaims => ({
  deployment: 'prod-cache',
  id: 'drill-42',
  from: { host: '10.0.1.61', port: 6379 },
  startedAt: at - 5_000,
  windowEndsAt: at + 300_000,
  failoverAt: at - 2_000,
  beatAt: at - 1_000,
  ttlMs: 15_000,
});

const SWITCH_SUBJECT = '[CRITICAL] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379';

let stdout: string[];
let spies: jest.SpyInstance[];

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

describe('Function: handler (poller)', () => {
  it('publishes a master switch once, with the subject, body and attributes subscriptions filter on', async () => {
    // Prepare
    await invoke(healthy());

    // Act
    const summary = await invoke(switched());
    await invoke(switched());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: SWITCH_SUBJECT,
      Message: expect.stringContaining('Old master:  10.0.1.61:6379'),
      MessageAttributes: expect.objectContaining({
        severity: { DataType: 'String', StringValue: 'critical' },
        code: { DataType: 'String', StringValue: 'MASTER_CHANGED' },
        deployment: { DataType: 'String', StringValue: 'prod-cache' },
        type: { DataType: 'String', StringValue: 'event' },
      }),
    });
    expect(summary.deployments).toEqual([
      { deployment: 'prod-cache', polls: 1, published: 1, pending: 0, stopped: 'done' },
    ]);
    expect(probed[0]).toEqual({ password: PASSWORD });
    const { state } = storedState();
    expect(state.outbox.map((e) => [e.notification.code, e.status, e.attempts])).toEqual([
      ['MASTER_CHANGED', 'sent', 1],
    ]);
    expect(state.lastSnapshot?.master).toEqual({ host: '10.0.1.63', port: 6379 });
  });

  it('sends nothing and stores a snapshot with its TTL while the deployment is healthy', async () => {
    // Act
    await invoke(healthy());
    await invoke(healthy());
    await invoke(healthy());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    const snapshots = [...table.entries()].filter(([k]) => k.includes('|SNAPSHOT#'));
    expect(snapshots).toHaveLength(3);
    expect(snapshots[0][1]).toMatchObject({
      deployment: 'prod-cache',
      master: '10.0.1.61:6379',
      expiresAt: Math.floor(NOW / 1000) + 30 * 86_400,
    });
    expect(storedState().version).toBe(3);
    // The secret is read once per cold start and then cached for its TTL.
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('retries a throttled publish with backoff within the invocation, then succeeds', async () => {
    // Prepare
    sns
      .on(PublishCommand)
      .rejectsOnce(named('ThrottledException', 'Rate exceeded'))
      .rejectsOnce(named('ThrottledException', 'Rate exceeded'))
      .resolves({ MessageId: 'm-2' });
    await invoke(healthy());

    // Act
    const summary = await invoke(switched());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
    expect(sleeps).toEqual([150, 300]); // 200 ms, then 400 ms, each with jitter 0.75
    expect(summary.deployments[0]).toMatchObject({ published: 1, pending: 0 });
    expect(storedState().state.outbox[0]).toMatchObject({ status: 'sent', attempts: 3, claimedBy: null });
  });

  it('keeps an alert that fails on every try pending, and the next invocation sends it exactly once', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(named('InternalErrorException', 'service unavailable'));
    await invoke(healthy());

    // Act: the switch cannot be published...
    const failed = await invoke(switched());
    const afterFailure = storedState().state.outbox;
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    // ...the next invocations can: the first sends it, the second has nothing left to send.
    const next = await invoke(switched());
    await invoke(switched());

    // Assess
    expect(failed.deployments[0]).toMatchObject({ published: 0, pending: 1 });
    expect(afterFailure).toEqual([
      expect.objectContaining({
        status: 'pending',
        attempts: 4,
        claimedBy: null,
        lastError: 'InternalErrorException',
      }),
    ]);
    expect(next.deployments[0]).toMatchObject({ published: 1, pending: 0 });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: SWITCH_SUBJECT });
    expect(storedState().state.outbox.map((e) => [e.status, e.attempts])).toEqual([['sent', 5]]);
  });

  it('does not retry an error that cannot succeed, and keeps the alert for the next invocation', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(named('AuthorizationErrorException', 'not authorized'));
    await invoke(healthy());

    // Act
    await invoke(switched());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(storedState().state.outbox[0]).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('lets only the invocation that saves first send, when two overlap', async () => {
    // Prepare
    await invoke(healthy());
    queue.push(switched(), switched());

    // Act: EventBridge delivered the schedule twice; both read the same state version.
    const [a, b] = await Promise.all([handler({}, context()), handler({}, context())]);

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect([a.deployments[0].stopped, b.deployments[0].stopped].sort()).toEqual(['conflict', 'done']);
    expect(storedState().state.outbox.map((e) => e.status)).toEqual(['sent']);
  });

  it("reports the drill's own switch as info: a lock signed with the drill key from Secrets Manager", async () => {
    // Prepare: the drill holds its signed lock, replicated to the new master
    await invoke(healthy());
    secrets.on(GetSecretValueCommand, { SecretId: DRILL_KEY_ARN }).resolves({ SecretString: DRILL_KEY });
    const claims = drillClaims(now);
    const current = switchedWithLock(encodeDrillLock(claims, DRILL_KEY));

    // Act
    await invoke(current);

    // Assess
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: '[INFO] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379 (drill)',
      MessageAttributes: expect.objectContaining({
        severity: { DataType: 'String', StringValue: 'info' },
        drillId: { DataType: 'String', StringValue: 'drill-42' },
      }),
    });
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: DRILL_KEY_ARN });
    expect(storedState().state.drill).toEqual({
      id: 'drill-42',
      startedAt: claims.startedAt,
      from: claims.from,
      failoverAt: claims.failoverAt,
      windowEndsAt: claims.windowEndsAt,
    });
  });

  it.each([
    ['unsigned (any value anyone can write)', () => encodeDrillLock(drillClaims(now), null)],
    ['signed with another key', () => encodeDrillLock(drillClaims(now), 'z'.repeat(48))],
    ['a plain drill id', () => 'drill-42'],
  ])('pages a switch when the drill lock on the master is %s', async (_label, value) => {
    // Prepare
    await invoke(healthy());
    secrets.on(GetSecretValueCommand, { SecretId: DRILL_KEY_ARN }).resolves({ SecretString: DRILL_KEY });

    // Act
    await invoke(switchedWithLock(value()));

    // Assess
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: SWITCH_SUBJECT,
      Message: expect.stringContaining('Not treated as a drill: drill lock "drill-42" is not trusted: '),
    });
    expect(storedState().state.drill).toBeNull();
  });

  it('fails with an error naming the secret, not its value, when the secret is missing', async () => {
    // Prepare
    secrets.reset();
    secrets
      .on(GetSecretValueCommand)
      .rejects(named('ResourceNotFoundException', "Secrets Manager can't find it"));
    const fresh = createPollerHandler({ clock: () => now, probe: async () => healthy() });

    // Act
    const error = await fresh({}, context()).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toMatchObject({ name: 'PollerError' });
    expect((error as Error).message).toBe(
      `poll failed for 1 deployment: prod-cache: secret ${SECRET_ARN}: does not exist (ResourceNotFoundException)`,
    );
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('fails with a clear error when the secret is empty or JSON without a password', async () => {
    for (const SecretString of ['   ', JSON.stringify({ user: 'app' })]) {
      // Prepare
      secrets.reset();
      secrets.on(GetSecretValueCommand).resolves({ SecretString });
      const fresh = createPollerHandler({ clock: () => now, probe: async () => healthy() });

      // Act
      const error = await fresh({}, context()).catch((e: unknown) => e as Error);

      // Assess
      expect((error as Error).message).toMatch(
        /secret arn:aws:secretsmanager:\S+: (is empty|is a JSON object without a non-empty string "password" key)$/,
      );
    }
  });

  it('writes structured logs and EMF metrics per deployment, never the password', async () => {
    // Prepare
    sns.on(PublishCommand).rejectsOnce(named('ThrottledException')).resolves({ MessageId: 'm-4' });
    await invoke(healthy());

    // Act
    await invoke(switched());

    // Assess: the output of every stream
    const output = stdout.join('');
    expect(output).not.toContain(PASSWORD);
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const polled = lines.filter((l) => l.message === 'polled');
    expect(polled).toHaveLength(2);
    expect(polled[1]).toMatchObject({
      level: 'INFO',
      service: 'sentinel-watch-poller',
      deployment: 'prod-cache',
      master: '10.0.1.63:6379',
      notifications: ['event MASTER_CHANGED deployment'],
    });
    expect(lines.some((l) => l.message === 'publish failed' && l.level === 'WARN')).toBe(true);
    // One EMF line per poll: fleet and per-shard metrics, and the switch counted for the deployment
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(2);
    const directives = (
      emf[1]._aws as {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      }
    ).CloudWatchMetrics;
    expect(directives.map((d) => [d.Namespace, d.Dimensions])).toEqual([
      ['SentinelWatch', [[], ['shard']]],
      ['SentinelWatch', [[]]],
      ['SentinelWatch', [['deployment']]],
    ]);
    expect(directives[0].Metrics.map((m) => m.Name)).toEqual(['PollDurationMs']);
    expect(directives[1].Metrics.map((m) => m.Name)).toEqual(
      expect.arrayContaining(['MaxReplicaLagBytes', 'UnreachableNodes', 'OpenIncidents', 'Failovers']),
    );
    expect(directives[2].Metrics.map((m) => m.Name)).toEqual(['Failovers']);
    expect(emf[1]).toMatchObject({
      sw: 'poll',
      shard: '0',
      deployment: 'prod-cache',
      ReachableNodes: 3,
      UnreachableNodes: 0,
      ReachableSentinels: 3,
      MaxReplicaLagBytes: 0,
      OpenIncidents: 0,
      PollDurationMs: 42,
      AlertsPublished: 1,
      Failovers: 1,
    });
    // The healthy poll counts no failover, so no per-deployment metric at all
    expect(JSON.stringify(emf[0]._aws)).not.toContain('"deployment"');
    // Per-replica lag as plain fields (Contributor Insights ranks them), not as metrics
    const replicas = lines.filter((l) => l.sw === 'replica');
    expect(replicas.length).toBeGreaterThan(0);
    expect(replicas[0]).toMatchObject({ deployment: 'prod-cache', replica: expect.any(String) });
    expect(replicas.every((l) => !('_aws' in l))).toBe(true);
  });
});

describe('Function: handler module (cold start)', () => {
  const load = (env: Record<string, string | undefined>): unknown => {
    const saved = { ...process.env };
    Object.assign(process.env, ENV, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    try {
      let error: unknown;
      jest.isolateModules(() => {
        try {
          require('../../../lambdas/poller/handler');
        } catch (e) {
          error = e;
        }
      });
      return error;
    } finally {
      process.env = saved;
    }
  };

  it.each([
    [
      'a sentinel without a port',
      {
        SENTINEL_WATCH_CONFIG: JSON.stringify({
          deployments: [{ masterName: 'm', sentinels: ['10.0.1.61'] }],
        }),
      },
      'SENTINEL_WATCH_CONFIG: deployments[0].sentinels[0]: "10.0.1.61" is not "host:port"',
    ],
    [
      'pollEverySeconds out of range',
      { SENTINEL_WATCH_CONFIG: JSON.stringify({ ...CONFIG, pollEverySeconds: 1 }) },
      'SENTINEL_WATCH_CONFIG: pollEverySeconds: must be between 2 and 60, got 1',
    ],
    [
      'config that is not JSON',
      { SENTINEL_WATCH_CONFIG: '{"deployments": [' },
      /^SENTINEL_WATCH_CONFIG: is not valid JSON/,
    ],
    ['no config', { SENTINEL_WATCH_CONFIG: undefined }, 'SENTINEL_WATCH_CONFIG: is not set'],
    ['no table name', { SNAPSHOT_TABLE_NAME: '' }, 'SNAPSHOT_TABLE_NAME: is not set'],
    [
      'a topic that is not an ARN',
      { ALERT_TOPIC_ARN: 'alerts' },
      'ALERT_TOPIC_ARN: "alerts" is not an SNS topic ARN',
    ],
  ])('rejects %s with an error naming the field', (_label, env, expected) => {
    // Act
    const error = load(env);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ConfigError');
    if (typeof expected === 'string') expect((error as Error).message).toBe(expected);
    else expect((error as Error).message).toMatch(expected);
  });

  it('loads with a valid environment', () => {
    // Act / Assess
    expect(load({})).toBeUndefined();
  });
});
