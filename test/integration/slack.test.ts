// The Slack notifier handler posting, with Node's real fetch, to a local HTTP server standing in for a
// Slack incoming webhook. Secrets Manager is mocked (it only hands over the webhook URL), and so is
// DynamoDB (its delivery records, which slack-delivery.test.ts exercises against dynalite). No
// redis-server: runs without the lock.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SectionBlock } from '@slack/types';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { slackPayloadProblems } from '../../lambdas/core/notify/slack-limits';
import type { SlackWebhookPayload } from '../../lambdas/core/slack-message';
import { captureOutput, HttpReceiver } from '../helpers/http-receiver';
import { alarmFixture, laggingResolved, snsEventFor, switchNotification } from '../helpers/notify';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-webhook-AbCdEf';
const TOKEN = 'T0AAAAAAA/B0BBBBBBB/s3cretW3bh00kT0ken';

Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
  SNAPSHOT_TABLE_NAME: 'sentinel-watch-slack-test',
});
// Required after the environment is set: the handler validates it at module load (cold start).
const { createSlackHandler, handler } =
  require('../../lambdas/slack/handler') as typeof import('../../lambdas/slack/handler');

const secrets = mockClient(SecretsManagerClient);
const dynamo = mockClient(DynamoDBDocumentClient);
let slack: HttpReceiver;
let webhookUrl: string;
let output: ReturnType<typeof captureOutput>;

const snsEvent = snsEventFor;
const context = { awsRequestId: 'req-slack', functionName: 'sentinel-watch-slack' } as unknown as Context;

beforeAll(async () => {
  slack = await HttpReceiver.start();
  webhookUrl = `${slack.url}/services/${TOKEN}`;
});

afterAll(async () => {
  await slack.stop();
});

beforeEach(() => {
  // Every delivery record is free to take: each test's message is new.
  dynamo.reset();
  dynamo.on(PutCommand).resolves({});
  dynamo.on(DeleteCommand).resolves({});
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ webhookUrl }) });
  slack.reset();
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  // Nothing the notifier wrote may contain the webhook's secret path.
  expect(output.text()).not.toContain(TOKEN);
});

describe('Function: handler (Slack notifier) against a local webhook', () => {
  it('posts one Block Kit message per alert, coloured by severity, with the alert fields', async () => {
    // Act
    const result = await handler(snsEvent(switchNotification), context);

    // Assess
    expect(result).toEqual({ posted: 1 });
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0].path).toBe(`/services/${TOKEN}`);
    expect(slack.received[0].headers['content-type']).toBe('application/json');
    const payload = JSON.parse(slack.received[0].body) as SlackWebhookPayload;
    expect(payload.text).toBe(
      '<!here> :red_circle: *CRITICAL* prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379',
    );
    const [attachment] = payload.attachments ?? [];
    expect(attachment.color).toBe('#D72B3F');
    expect(attachment.blocks?.map((b) => b.type)).toEqual(['section', 'section', 'section', 'context']);
    expect(JSON.stringify(attachment.blocks?.[1])).toContain('*Old master*\\n10.0.1.61:6379');
    expect(JSON.stringify(attachment.blocks?.[1])).toContain('*New master*\\n10.0.1.63:6379');
    expect(slackPayloadProblems(payload)).toEqual([]);
    expect(output.text()).toContain('"message":"delivered to Slack"');
  });

  it('posts a resolved incident in green with how long it lasted', async () => {
    // Act
    await handler(snsEvent(laggingResolved), context);

    // Assess
    const payload = JSON.parse(slack.received[0].body) as SlackWebhookPayload;
    expect(payload.attachments?.[0].color).toBe('#2EB67D');
    expect(JSON.stringify(payload)).toContain('*Lasted*\\n12 min');
  });

  it.each(['poller-errors-alarm.json', 'poller-errors-ok.json', 'poller-not-running-alarm.json'])(
    'posts the recorded CloudWatch alarm %s as a valid message with its reason',
    async (file) => {
      // Act
      const result = await handler(alarmFixture(file), context);

      // Assess
      expect(result).toEqual({ posted: 1 });
      const payload = JSON.parse(slack.received[0].body) as SlackWebhookPayload;
      expect(slackPayloadProblems(payload)).toEqual([]);
      expect(payload.text).toMatch(/\*(ALARM|OK)\* SentinelWatch-poller-/);
      const message = (payload.attachments?.[0].blocks?.[0] as SectionBlock | undefined)?.text?.text;
      expect(message).toContain('*Reason:* ');
    },
  );

  it('posts the plain form when Slack refuses the formatted message (400), so the alert is not lost', async () => {
    // Prepare
    slack.replies = [
      { status: 400, body: 'invalid_blocks' },
      { status: 200, body: 'ok' },
    ];

    // Act
    const result = await handler(alarmFixture('poller-errors-alarm.json'), context);

    // Assess
    expect(result).toEqual({ posted: 1 });
    expect(slack.received).toHaveLength(2);
    const fallback = JSON.parse(slack.received[1].body) as SlackWebhookPayload;
    expect(Object.keys(fallback)).toEqual(['text']);
    expect(fallback.text).toContain('SentinelWatch-poller-errors is in ALARM');
    expect(fallback.text).toContain('HTTP 400 invalid_blocks');
    expect(output.text()).toContain(
      '"message":"Slack refused the formatted message; posting its plain form"',
    );
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    // Prepare
    slack.replies = [
      { status: 500, body: 'internal_error' },
      { status: 200, body: 'ok' },
    ];

    // Act
    const result = await handler(snsEvent(switchNotification), context);

    // Assess
    expect(result).toEqual({ posted: 1 });
    expect(slack.received).toHaveLength(2);
    expect(slack.received[1].at - slack.received[0].at).toBeGreaterThanOrEqual(450);
    expect(slack.received[1].body).toBe(slack.received[0].body);
    expect(output.text()).toContain('"message":"Slack webhook busy or failing; retrying"');
  });

  it('honours Retry-After on a 429', async () => {
    // Prepare
    slack.replies = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, { status: 200 }];

    // Act
    await handler(snsEvent(switchNotification), context);

    // Assess
    expect(slack.received).toHaveLength(2);
    expect(slack.received[1].at - slack.received[0].at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait out a long Retry-After: it fails at once, with an error that hides the URL', async () => {
    // Prepare
    slack.replies = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '120' } }];
    const started = Date.now();

    // Act
    const error = (await handler(snsEvent(switchNotification), context).catch((e: unknown) => e)) as Error;

    // Assess: Lambda retries the invocation a minute or two later
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slack.received).toHaveLength(1);
    expect(error.name).toBe('SlackWebhookError');
    expect(error.message).toBe(
      'Slack webhook: HTTP 429 rate_limited; Slack asked to wait 120 s, more than 10 s (after 1 attempt)',
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it('gives up after its tries when Slack keeps failing', async () => {
    // Prepare
    slack.replies = Array.from({ length: 3 }, () => ({ status: 503, body: 'service_unavailable' }));
    const impatient = createSlackHandler({ post: { attempts: 3, baseDelayMs: 10 } });

    // Act
    const error = (await impatient(snsEvent(switchNotification), context).catch((e: unknown) => e)) as Error;

    // Assess
    expect(slack.received).toHaveLength(3);
    expect(error.message).toBe('Slack webhook: HTTP 503 service_unavailable (after 3 attempts)');
  });

  it('does not retry a 4xx other than 429 (a bad payload or a revoked webhook)', async () => {
    // Prepare
    slack.replies = [{ status: 404, body: 'no_service' }];

    // Act
    const error = (await handler(snsEvent(switchNotification), context).catch((e: unknown) => e)) as Error;

    // Assess
    expect(slack.received).toHaveLength(1);
    expect(error.message).toBe('Slack webhook: HTTP 404 no_service (after 1 attempt)');
  });

  it.each([
    [undefined, 'SLACK_WEBHOOK_SECRET_ARN: is not set'],
    [
      'https://hooks.slack.com/x',
      'SLACK_WEBHOOK_SECRET_ARN: "https://hooks.slack.com/x" is not a Secrets Manager secret ARN',
    ],
  ])('refuses to start with SLACK_WEBHOOK_SECRET_ARN=%s', (value, message) => {
    // Prepare
    const saved = process.env.SLACK_WEBHOOK_SECRET_ARN;
    if (value === undefined) delete process.env.SLACK_WEBHOOK_SECRET_ARN;
    else process.env.SLACK_WEBHOOK_SECRET_ARN = value;
    let error: unknown;

    // Act
    try {
      jest.isolateModules(() => {
        require('../../lambdas/slack/handler');
      });
    } catch (e) {
      error = e;
    } finally {
      process.env.SLACK_WEBHOOK_SECRET_ARN = saved;
    }

    // Assess
    expect(error).toMatchObject({ name: 'ConfigError', message });
  });

  it('reads a webhook URL stored as plain text too', async () => {
    // Prepare
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: webhookUrl });

    // Act
    await createSlackHandler()(snsEvent(switchNotification), context);

    // Assess
    expect(slack.received).toHaveLength(1);
  });
});
