// The PagerDuty and webhook notifier handlers posting, with Node's real fetch, to local HTTP servers
// standing in for PagerDuty's Events API (which checks every event against the documented v2 fields)
// and for a webhook receiver (which verifies the signature as docs/webhook.md shows). Secrets Manager is
// mocked, and so is DynamoDB (the delivery records, which notifier-delivery.test.ts exercises against
// dynalite). No redis-server: runs without the lock.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Notice } from '../../lambdas/core/notify/notice';
import type { PagerDutyEvent } from '../../lambdas/core/notify/pagerduty';
import { captureOutput, HttpReceiver } from '../helpers/http-receiver';
import {
  alarmFixture,
  laggingOpened,
  laggingResolved,
  pagerDutyProblems,
  snsEventFor,
  switchNotification,
} from '../helpers/notify';
import { verifyWebhook } from '../helpers/verify-webhook';

const PD_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pagerduty-AbCdEf';
const HOOK_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:incident-io-GhIjKl';
const ROUTING_KEY = 'R0UT1NGKEYs3cr3t456789abcdefABCD';
const SIGNING_SECRET = 'whsec_c2VudGluZWwtd2F0Y2gtdGVzdC1zaWduaW5nLWtleQ==';
const BEARER = 'Bearer s3cr3t-receiver-t0ken';
const TABLE = 'sentinel-watch-notify-test';

let pagerDuty: HttpReceiver;
let hook: HttpReceiver;
const secrets = mockClient(SecretsManagerClient);
const dynamo = mockClient(DynamoDBDocumentClient);
let output: ReturnType<typeof captureOutput>;

type Handler = (event: unknown, context: Context) => Promise<{ posted: number }>;
let pagerDutyHandler: typeof import('../../lambdas/pagerduty/handler');
let webhookHandler: typeof import('../../lambdas/webhook/handler');

const context = (remainingMs = 30_000): Context => {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: 'req-notify',
    functionName: 'sentinel-watch-notifier',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
};

beforeAll(async () => {
  pagerDuty = await HttpReceiver.start();
  hook = await HttpReceiver.start();
  Object.assign(process.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    PAGERDUTY_ROUTING_KEY_SECRET_ARN: PD_SECRET_ARN,
    PAGERDUTY_EVENTS_URL: `${pagerDuty.url}/v2/enqueue`,
    WEBHOOK_NAME: 'incident-io',
    WEBHOOK_SECRET_ARN: HOOK_SECRET_ARN,
    SNAPSHOT_TABLE_NAME: TABLE,
    ALERT_TIME_ZONE: 'Europe/Berlin',
    RUNBOOK_BASE_URL: 'https://github.com/example/sentinel-watch/blob/main/docs/alert-catalogue.md',
  });
  pagerDutyHandler = require('../../lambdas/pagerduty/handler');
  webhookHandler = require('../../lambdas/webhook/handler');
});

afterAll(async () => {
  await pagerDuty.stop();
  await hook.stop();
});

beforeEach(() => {
  pagerDuty.reset();
  hook.reset();
  // PagerDuty's answer to a valid event; anything off-schema gets its 400.
  pagerDuty.check = (r) => pagerDutyProblems(r.body);
  pagerDuty.fallback = { status: 202, body: '{"status":"success","message":"Event processed"}' };
  // Every delivery record is free to take: each test's message is new.
  dynamo.reset();
  dynamo.on(PutCommand).resolves({});
  dynamo.on(DeleteCommand).resolves({});
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: PD_SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ routingKey: ROUTING_KEY }) });
  secrets.on(GetSecretValueCommand, { SecretId: HOOK_SECRET_ARN }).resolves({
    SecretString: JSON.stringify({
      url: `${hook.url}/alerts`,
      signingSecret: SIGNING_SECRET,
      headers: { Authorization: BEARER },
    }),
  });
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  // Nothing a notifier wrote may contain a secret.
  for (const secret of [ROUTING_KEY, SIGNING_SECRET, BEARER, '/alerts'])
    expect(output.text()).not.toContain(secret);
});

const events = () => pagerDuty.received.map((r) => JSON.parse(r.body) as PagerDutyEvent);
const pd = (): Handler => pagerDutyHandler.createPagerDutyHandler({ post: { baseDelayMs: 50 } }) as Handler;

describe('Function: handler (PagerDuty notifier) against a local Events API v2 that checks the schema', () => {
  it('triggers an incident when it opens and resolves the same incident when it is resolved', async () => {
    // Act
    await pd()(snsEventFor(laggingOpened), context());
    await pd()(snsEventFor(laggingResolved), context());

    // Assess
    expect(pagerDuty.received.map((r) => r.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    const [trigger, resolve] = events();
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: laggingOpened.incidentId,
    });
    expect(resolve).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: laggingOpened.incidentId,
    });
    expect(output.text()).toContain('"message":"delivered to PagerDuty"');
  });

  it('makes a master switch its own incident with the old and new master and the timeline', async () => {
    // Act
    await pd()(snsEventFor(switchNotification), context());

    // Assess
    const [event] = events();
    expect(event.dedup_key).toBe(switchNotification.incidentId);
    expect(event.payload?.custom_details).toMatchObject({
      old_master: '10.0.1.61:6379',
      new_master: '10.0.1.63:6379',
    });
    expect(event.payload?.custom_details?.failover_timeline).toHaveLength(6);
    expect(event.links?.[0].href).toMatch(/alert-catalogue\.md#master-changed$/);
  });

  it('triggers on a watcher alarm and resolves it when it is OK', async () => {
    // Act
    await pd()(alarmFixture('poller-errors-alarm.json'), context());
    await pd()(alarmFixture('poller-errors-ok.json'), context());

    // Assess
    const [alarm, ok] = events();
    expect(alarm).toMatchObject({ event_action: 'trigger', payload: { severity: 'error' } });
    expect(ok).toMatchObject({ event_action: 'resolve', dedup_key: alarm.dedup_key });
  });

  it.each([
    [{ status: 429, body: '{"status":"throttle event"}' }],
    [{ status: 408, body: 'request timeout' }],
    [{ status: 500, body: 'internal error' }],
    [{ status: 503, body: '' }],
  ])('retries %j and then delivers', async (first) => {
    // Prepare
    pagerDuty.replies = [first];

    // Act
    const result = await pd()(snsEventFor(laggingOpened), context());

    // Assess
    expect(result).toEqual({ posted: 1 });
    expect(pagerDuty.received).toHaveLength(2);
    expect(pagerDuty.received[1].body).toBe(pagerDuty.received[0].body);
  });

  it('does not retry a 400 (an event PagerDuty will never take) and fails the invocation', async () => {
    // Prepare
    pagerDuty.replies = [
      { status: 400, body: '{"status":"invalid event","errors":["routing_key invalid"]}' },
    ];

    // Act
    const error = (await pd()(snsEventFor(laggingOpened), context()).catch((e: unknown) => e)) as Error;

    // Assess
    expect(pagerDuty.received).toHaveLength(1);
    expect(error).toMatchObject({ name: 'DeliveryError', outcome: 'rejected', status: 400 });
    expect(error.message).toContain('PagerDuty Events API: HTTP 400');
  });

  it('stops trying a server that never answers before the deadline, trying only what fits', async () => {
    // Prepare: tries of 1 s; 8 s left in the invocation, 5.5 s of it kept for the delivery record.
    pagerDuty.fallback = 'hang';
    const handler = pagerDutyHandler.createPagerDutyHandler({
      post: { baseDelayMs: 50, timeoutMs: 1_000 },
    }) as Handler;
    const started = Date.now();

    // Act
    const error = (await handler(snsEventFor(laggingOpened), context(8_000)).catch(
      (e: unknown) => e,
    )) as Error;

    // Assess: two whole tries fit in the 2.5 s, a third would not
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ name: 'DeliveryError', outcome: 'deadline' });
    expect(error.message).toContain('request failed (TimeoutError); the next try');
    expect(pagerDuty.received).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(elapsed).toBeLessThan(2_500);
  });

  it('takes a 2xx whose body never ends as delivered (PagerDuty has the event), within one try', async () => {
    // Prepare
    pagerDuty.fallback = 'stall';
    const handler = pagerDutyHandler.createPagerDutyHandler({ post: { timeoutMs: 1_000 } }) as Handler;
    const started = Date.now();

    // Act
    const result = await handler(snsEventFor(laggingOpened), context());

    // Assess: not sent again (a second trigger would be a duplicate)
    expect(result).toEqual({ posted: 1 });
    expect(pagerDuty.received).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('Function: handler (webhook notifier) against a local receiver that verifies signatures', () => {
  const webhook = (): Handler =>
    webhookHandler.createWebhookHandler({ post: { baseDelayMs: 50 } }) as Handler;

  it('posts the notice as JSON, signed, with the receiver headers from the secret', async () => {
    // Act
    await webhook()(snsEventFor(switchNotification), context());

    // Assess
    const [request] = hook.received;
    expect(request.path).toBe('/alerts');
    expect(request.headers.authorization).toBe(BEARER);
    expect(request.headers['content-type']).toBe('application/json');
    expect(verifyWebhook(SIGNING_SECRET, request.headers, request.body)).toBe(true);
    expect(verifyWebhook('whsec_d3Jvbmcta2V5', request.headers, request.body)).toBe(false);
    expect(verifyWebhook(SIGNING_SECRET, request.headers, `${request.body} `)).toBe(false);
    const notice = JSON.parse(request.body) as Notice;
    expect(notice).toMatchObject({
      schemaVersion: 1,
      source: 'sentinel-watch',
      kind: 'alert',
      code: 'MASTER_CHANGED',
      status: 'firing',
      master: { previous: '10.0.1.61:6379', current: '10.0.1.63:6379' },
    });
    expect(request.headers['idempotency-key']).toBe(request.headers['webhook-id']);
  });

  it('retries with the same id (the receiver can drop a duplicate), re-signed with a fresh timestamp', async () => {
    // Prepare
    hook.replies = [{ status: 503, body: 'busy' }, { status: 408 }];

    // Act
    await webhook()(snsEventFor(laggingOpened), context());

    // Assess
    expect(hook.received).toHaveLength(3);
    const ids = new Set(hook.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const r of hook.received) expect(verifyWebhook(SIGNING_SECRET, r.headers, r.body)).toBe(true);
  });

  it('refuses a replayed delivery older than five minutes (the receiver side of the timestamp)', async () => {
    // Act
    await webhook()(snsEventFor(laggingOpened), context());

    // Assess
    const [r] = hook.received;
    expect(verifyWebhook(SIGNING_SECRET, r.headers, r.body, Math.floor(Date.now() / 1000) + 301)).toBe(false);
  });

  it('fails with an error that names the secret and the key, never a value', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: HOOK_SECRET_ARN }).resolves({
      SecretString: JSON.stringify({ url: `${hook.url}/alerts`, signingSecret: 'short' }),
    });

    // Act
    const error = (await webhook()(snsEventFor(laggingOpened), context()).catch((e: unknown) => e)) as Error;

    // Assess
    expect(error.message).toBe(`secret ${HOOK_SECRET_ARN}: has no "signingSecret" of at least 16 characters`);
    expect(hook.received).toHaveLength(0);
  });
});

describe('Settings of the notifier handlers', () => {
  it('names the variable that is wrong', () => {
    expect(() =>
      webhookHandler.loadWebhookSettings({
        WEBHOOK_NAME: 'in cident',
        WEBHOOK_SECRET_ARN: HOOK_SECRET_ARN,
        SNAPSHOT_TABLE_NAME: TABLE,
      }),
    ).toThrow('WEBHOOK_NAME: "in cident" is not 1-32 letters, digits, "_" or "-"');
    expect(() => webhookHandler.loadWebhookSettings({ WEBHOOK_NAME: 'x' })).toThrow(
      'WEBHOOK_SECRET_ARN: is not set',
    );
    expect(() =>
      pagerDutyHandler.loadPagerDutySettings({
        PAGERDUTY_ROUTING_KEY_SECRET_ARN: PD_SECRET_ARN,
        PAGERDUTY_EVENTS_URL: 'events.pagerduty.com',
        SNAPSHOT_TABLE_NAME: TABLE,
      }),
    ).toThrow('PAGERDUTY_EVENTS_URL: "events.pagerduty.com" is not an absolute URL');
    expect(
      pagerDutyHandler.loadPagerDutySettings({
        PAGERDUTY_ROUTING_KEY_SECRET_ARN: PD_SECRET_ARN,
        SNAPSHOT_TABLE_NAME: TABLE,
      }).eventsUrl,
    ).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(() =>
      pagerDutyHandler.loadPagerDutySettings({ PAGERDUTY_ROUTING_KEY_SECRET_ARN: PD_SECRET_ARN }),
    ).toThrow('SNAPSHOT_TABLE_NAME: is not set');
    expect(() =>
      webhookHandler.loadWebhookSettings({
        WEBHOOK_NAME: 'x',
        WEBHOOK_SECRET_ARN: HOOK_SECRET_ARN,
        SNAPSHOT_TABLE_NAME: 'a b',
      }),
    ).toThrow('SNAPSHOT_TABLE_NAME: "a b" is not a DynamoDB table name');
  });
});
