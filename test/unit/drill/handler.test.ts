// The drill Lambda with its AWS clients mocked (aws-sdk-client-mock): the DynamoDB drill lock and
// report, the SNS notification, the Secrets Manager password. Redis is the in-memory deployment of
// fake-deployment.ts; the real one is covered by test/integration/drill.test.ts.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConfigError } from '../../../lambdas/core/errors';
import { SENTINELS } from '../helpers/snapshot-factory';
import { FakeDeployment } from './fake-deployment';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-cache-redis-AbCdEf';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:sentinel-watch-alerts';
const TABLE = 'sw-unit';
const PASSWORD = 'pw-do-not-log-7f3a9c';
const deploymentConfig = (name: string) => ({
  name,
  masterName: 'mymaster',
  sentinels: SENTINELS.map((a) => `${a.host}:${a.port}`),
  passwordSecretArn: SECRET_ARN,
});
const CONFIG = { deployments: [deploymentConfig('prod-cache'), deploymentConfig('other-cache')] };

const ENV = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  SENTINEL_WATCH_CONFIG: JSON.stringify(CONFIG),
  SNAPSHOT_TABLE_NAME: TABLE,
  ALERT_TOPIC_ARN: TOPIC_ARN,
};
Object.assign(process.env, ENV);

// Required after the environment is set: the handler validates it at module load (cold start).
const { createDrillHandler, loadDrillSettings, parseDrillEvent } =
  require('../../../lambdas/drill/handler') as typeof import('../../../lambdas/drill/handler');

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const ddb = mockClient(DynamoDBDocumentClient);

const context = {
  awsRequestId: 'req-1',
  functionName: 'drill',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

let world: FakeDeployment;
beforeEach(() => {
  sns.reset();
  secrets.reset();
  ddb.reset();
  world = new FakeDeployment();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: PASSWORD }) });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  ddb.on(PutCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
});

const handler = () => createDrillHandler({ drill: world.deps(), env: {} });
const published = () => sns.commandCalls(PublishCommand)[0]?.args[0].input;
const attributes = () =>
  Object.fromEntries(
    Object.entries(published()?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
  );
const putOf = (sk: string) =>
  ddb.commandCalls(PutCommand).find((c) => String(c.args[0].input.Item?.sk).startsWith(sk));

describe('Lambda: drill handler', () => {
  it('runs the drill, stores the report and publishes an info notification', async () => {
    // Act
    const report = await handler()({ deployment: 'prod-cache', confirm: 'prod-cache' }, context);

    // Assess: the report
    expect(report).toMatchObject({ deployment: 'prod-cache', passed: true, outcome: 'passed' });

    // Assess: the DynamoDB lock was taken (conditionally, with an expiry) and released
    const lockPut = putOf('DRILL_LOCK')!.args[0].input;
    expect(lockPut).toMatchObject({
      TableName: TABLE,
      Item: { pk: 'DEPLOYMENT#prod-cache', sk: 'DRILL_LOCK', owner: report.id },
      ConditionExpression: expect.stringContaining('attribute_not_exists'),
    });
    expect(Number(lockPut.Item?.lockExpiresAtMs)).toBeGreaterThan(world.t);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { pk: 'DEPLOYMENT#prod-cache', sk: 'DRILL_LOCK' },
      ExpressionAttributeValues: { ':owner': report.id },
    });

    // Assess: the report is stored under the drill's start time
    const stored = putOf('DRILL#')!.args[0].input.Item!;
    expect(stored).toMatchObject({
      pk: 'DEPLOYMENT#prod-cache',
      sk: `DRILL#${report.startedAt}`,
      kind: 'drill',
    });
    expect(stored.report).toEqual(JSON.parse(JSON.stringify(report)));

    // Assess: the notification
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(published()).toMatchObject({
      TopicArn: TOPIC_ARN,
      Subject: '[sentinel-watch] prod-cache: failover drill PASSED',
    });
    expect(published()?.Message).toContain('PASSED: 10.0.1.61:6379 -> 10.0.1.62:6379');
    expect(attributes()).toMatchObject({
      severity: 'info',
      code: 'DRILL_PASSED',
      deployment: 'prod-cache',
      type: 'drill',
      outcome: 'passed',
    });

    // Assess: the password came from Secrets Manager and went nowhere else
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(published()?.Message).not.toContain(PASSWORD);
  });

  it('refuses while another drill holds the DynamoDB lock, and publishes a critical DRILL_FAILED', async () => {
    // Prepare: the conditional put fails; the lock belongs to someone else for another minute
    ddb
      .on(PutCommand, { Item: { sk: 'DRILL_LOCK' } })
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    ddb
      .on(GetCommand)
      .resolves({ Item: { owner: 'drill-from-pipeline', lockExpiresAtMs: world.t + 60_000 } });

    // Act
    const report = await handler()({ deployment: 'prod-cache', confirm: 'prod-cache' }, context);

    // Assess
    expect(report.outcome).toBe('refused');
    expect(report.checks.find((c) => c.name === 'no-other-drill')).toMatchObject({ passed: false });
    expect(report.summary).toContain(
      'another drill holds the DynamoDB drill lock and key sentinel-watch:drill-lock:prod-cache on the master: drill-from-pipeline',
    );
    expect(world.log().some((l) => l.includes('SENTINEL FAILOVER'))).toBe(false);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
    expect(putOf('DRILL#')).toBeDefined();
    expect(attributes()).toMatchObject({
      severity: 'critical',
      code: 'DRILL_FAILED',
      outcome: 'refused',
      type: 'drill',
    });
    expect(published()?.Subject).toBe('[sentinel-watch] prod-cache: failover drill REFUSED');
  });

  it('publishes a failed drill as critical, with the reason in the message', async () => {
    world.failoverReply = 'NOGOODSLAVE No suitable replica to promote';
    const report = await handler()({ deployment: 'prod-cache', confirm: 'prod-cache' }, context);
    expect(report.outcome).toBe('failed');
    expect(attributes()).toMatchObject({ severity: 'critical', code: 'DRILL_FAILED', outcome: 'failed' });
    expect(published()?.Message).toContain(
      'Abort reason: SENTINEL FAILOVER refused by 10.0.1.61:26379: NOGOODSLAVE',
    );
  });

  it('dry run: no failover, the lock only probed, an info notification', async () => {
    const report = await handler()({ deployment: 'other-cache', dryRun: true }, context);
    expect(report).toMatchObject({ deployment: 'other-cache', outcome: 'dry-run', passed: true });
    expect(world.log().some((l) => l.includes('SENTINEL FAILOVER'))).toBe(false);
    expect(attributes()).toMatchObject({ severity: 'info', code: 'DRILL_PASSED', outcome: 'dry-run' });
  });

  it('fails with a clear error, before any drill, when the password secret is missing', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );

    // Act / Assess
    await expect(handler()({ deployment: 'prod-cache', confirm: 'prod-cache' }, context)).rejects.toThrow(
      `deployments[0].passwordSecretArn: secret ${SECRET_ARN}: does not exist (ResourceNotFoundException)`,
    );
    expect(world.sent).toEqual([]);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('returns the report even when storing and publishing fail (a retry would fail over again)', async () => {
    ddb
      .on(PutCommand, { Item: { kind: 'drill' } })
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    sns.on(PublishCommand).rejects(Object.assign(new Error('down'), { name: 'InternalErrorException' }));
    const errors: string[] = [];
    const log = {
      info: () => undefined,
      error: (message: string, data?: Record<string, unknown>) => errors.push(`${message}: ${data?.error}`),
    };

    // Act
    const report = await createDrillHandler({ drill: world.deps(), env: {}, log })(
      { deployment: 'prod-cache', confirm: 'prod-cache' },
      context,
    );

    // Assess
    expect(report.passed).toBe(true);
    expect(errors).toEqual([
      expect.stringMatching(
        /^could not store the drill report: DynamoDB Put \(putDrillReport\) on table "sw-unit" failed: ProvisionedThroughputExceededException/,
      ),
      'could not publish the drill notification: SNS Publish failed: InternalErrorException (retryable)',
    ]);
  });

  it('rejects an event without a deployment when the config lists several', async () => {
    await expect(handler()({}, context)).rejects.toThrow(
      'event.deployment: is required: one of prod-cache, other-cache',
    );
  });

  it('fails over nothing without confirm, nor through the dry-run alias, and dry-runs there', async () => {
    // Prepare
    const viaAlias = {
      ...context,
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:SentinelWatch-Drill:dry-run',
    } as Context;

    // Act / Assess
    await expect(handler()({ deployment: 'prod-cache' }, context)).rejects.toThrow('event.confirm');
    await expect(handler()({ deployment: 'prod-cache', confirm: 'prod-cache' }, viaAlias)).rejects.toThrow(
      'event.dryRun: must be true when invoked through the dry-run alias',
    );
    expect(world.sent).toEqual([]);
    const report = await handler()({ deployment: 'prod-cache', dryRun: true }, viaAlias);
    expect(report).toMatchObject({ outcome: 'dry-run', passed: true, schemaVersion: 2 });
  });

  it('does not start a drill without enough time left', async () => {
    const short = { ...context, getRemainingTimeInMillis: () => 60_000 } as Context;
    await expect(handler()({ deployment: 'prod-cache', confirm: 'prod-cache' }, short)).rejects.toThrow(
      /has 60000 ms left; a drill is started only with 120000 ms/,
    );
    expect(world.sent).toEqual([]);
  });
});

describe('Function: parseDrillEvent', () => {
  const config = loadDrillSettings(ENV).config;

  it('accepts the event fields and picks the deployment', () => {
    expect(
      parseDrillEvent({ deployment: 'other-cache', failback: true, confirm: 'other-cache' }, config),
    ).toMatchObject({
      index: 1,
      dryRun: false,
      failback: true,
      switchover: false,
      criteria: {},
      deployment: { name: 'other-cache' },
    });
  });

  it("takes the run's pass criteria and the switchover mode from the event", () => {
    const request = parseDrillEvent(
      {
        deployment: 'prod-cache',
        confirm: 'prod-cache',
        switchover: true,
        criteria: { maxSplitBrainMs: 0, maxLostAcknowledgedWrites: 0 },
      },
      config,
    );
    expect(request).toMatchObject({
      switchover: true,
      criteria: { maxSplitBrainMs: 0, maxLostAcknowledgedWrites: { client: 0, oldMaster: 0 } },
    });
  });

  it('needs no confirmation for a dry run, and accepts one through the dry-run alias', () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:SentinelWatch-Drill:dry-run';
    expect(parseDrillEvent({ deployment: 'prod-cache', dryRun: true }, config, arn)).toMatchObject({
      dryRun: true,
    });
  });

  it.each([
    [
      'an empty event (one deployment named)',
      { deployment: 'prod-cache' },
      '',
      'event.confirm: a real failover of prod-cache needs "confirm": "prod-cache" in the event (or "dryRun": true)',
    ],
    [
      "another deployment's name",
      { deployment: 'prod-cache', confirm: 'other-cache' },
      '',
      'event.confirm: "other-cache" is not the deployment\'s name: a real failover of prod-cache needs "confirm": "prod-cache"',
    ],
    [
      'a confirmed failover through the dry-run alias',
      { deployment: 'prod-cache', confirm: 'prod-cache' },
      'arn:aws:lambda:eu-west-1:123456789012:function:SentinelWatch-Drill:dry-run',
      'event.dryRun: must be true when invoked through the dry-run alias: it runs dry runs only (invoke the function without the alias, with confirm, to fail over)',
    ],
    [
      'a pass criterion of the wrong type',
      { deployment: 'prod-cache', confirm: 'prod-cache', criteria: { maxSplitBrainMs: '5s' } },
      '',
      'event.criteria.maxSplitBrainMs: must be a whole number from 0 to 3600000, got "5s"',
    ],
  ])('refuses %s', (_label, event, arn, message) => {
    expect(() => parseDrillEvent(event, config, arn)).toThrow(
      new ConfigError(message.split(': ')[0], message.slice(message.indexOf(': ') + 2)),
    );
  });

  it.each([
    [{ deployment: 'nope' }, 'event.deployment: "nope" is not one of prod-cache, other-cache'],
    [
      { deployment: 'prod-cache', dryrun: true },
      'event.dryrun: unknown key (expected deployment, dryRun, failback, confirm, switchover, criteria)',
    ],
    [{ deployment: 'prod-cache', failback: 'yes' }, 'event.failback: must be true or false, got "yes"'],
  ])('rejects %j', (event, message) => {
    expect(() => parseDrillEvent(event, config)).toThrow(
      new ConfigError(message.split(': ')[0], message.slice(message.indexOf(': ') + 2)),
    );
  });
});

describe('Function: loadDrillSettings', () => {
  it.each([
    [{ ...ENV, SENTINEL_WATCH_CONFIG: undefined }, 'SENTINEL_WATCH_CONFIG: is not set'],
    [{ ...ENV, SENTINEL_WATCH_CONFIG: '{"deployments":[{"masterName":"m"}]}' }, 'deployments[0].sentinels'],
    [{ ...ENV, SNAPSHOT_TABLE_NAME: '' }, 'SNAPSHOT_TABLE_NAME: is not set'],
    [{ ...ENV, ALERT_TOPIC_ARN: 'topic' }, 'ALERT_TOPIC_ARN: "topic" is not an SNS topic ARN'],
    [
      { ...ENV, DRILL_REPORT_RETENTION_DAYS: '0' },
      'DRILL_REPORT_RETENTION_DAYS: "0" must be a whole number of days',
    ],
  ])('names the variable at fault (%#)', (env, message) => {
    expect(() => loadDrillSettings(env)).toThrow(message);
  });

  it('defaults the report retention to a year', () => {
    expect(loadDrillSettings(ENV).retentionDays).toBe(365);
  });
});
